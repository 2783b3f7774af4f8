"""The compiled schema checks agree with the ocpp library's jsonschema validation."""

import json
from pathlib import Path
from typing import Any

import ocpp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator

from fleetcharge.csms.validation import compile_schema

SCHEMAS = Path(ocpp.__file__).parent / "v16" / "schemas"
# What stations send us and what we answer: these must take the fast path.
HOT: tuple[str, ...] = (
    "Authorize",
    "BootNotification",
    "Heartbeat",
    "MeterValues",
    "StartTransaction",
)
HOT += ("StatusNotification", "StopTransaction", "DataTransfer", "FirmwareStatusNotification")

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=8),
)
any_json = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)


def load(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / name).read_text(encoding="utf-8-sig"))
    return schema


def valid(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values the schema accepts (for the schemas' keywords that matter here)."""
    kind = schema.get("type")
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        return st.fixed_dictionaries(
            {name: valid(s) for name, s in properties.items() if name in required},
            optional={name: valid(s) for name, s in properties.items() if name not in required},
        )
    if kind == "array":
        low = schema.get("minItems", 0)
        return st.lists(valid(schema["items"]), min_size=low, max_size=low + 2)
    if kind == "string":
        return st.text(max_size=schema.get("maxLength", 20))
    if kind == "integer":
        return st.integers()
    if kind == "number":
        return st.integers() | st.floats(allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    return any_json


def near(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Valid values, and values with one thing wrong somewhere: a wrong type, a missing or
    unknown key, too few or too many items, a string too long."""
    kind = schema.get("type")
    wrong: list[st.SearchStrategy[Any]] = [any_json]
    if kind == "object":
        properties = schema.get("properties", {})
        every = {name: near(s) for name, s in properties.items()}
        wrong.append(st.fixed_dictionaries({}, optional=every))
        wrong.append(
            st.tuples(valid(schema), st.dictionaries(st.text(max_size=12), leaves, max_size=1)).map(
                lambda pair: {**pair[0], **pair[1]}
            )
        )
    elif kind == "array":
        low = schema.get("minItems", 0)
        wrong.append(st.lists(near(schema["items"]), min_size=max(0, low - 1), max_size=low + 2))
    elif kind == "string":
        longest = schema.get("maxLength", 20)
        wrong.append(st.text(min_size=longest, max_size=longest + 1))
    return st.one_of(valid(schema), *wrong)


@pytest.mark.parametrize("name", sorted(p.name for p in SCHEMAS.glob("*.json")))
def test_a_compiled_check_accepts_exactly_what_jsonschema_accepts(name: str) -> None:
    schema = load(name)
    check = compile_schema(schema)
    if name.removesuffix(".json").removesuffix("Response") in HOT:
        assert check is not None, f"{name} must compile"
    if check is None:
        return  # the library validates it
    validator = Draft4Validator(schema)

    @settings(max_examples=60, deadline=None)
    @given(near(schema))
    def agree(instance: Any) -> None:
        assert check(instance) == validator.is_valid(instance), instance

    agree()


def test_schemas_with_keywords_it_does_not_compile_are_left_to_jsonschema() -> None:
    assert compile_schema({"type": "number", "multipleOf": 0.1}) is None
    assert compile_schema({"$ref": "#/definitions/x", "definitions": {"x": {}}}) is None
    assert compile_schema({"type": "array", "items": [{"type": "string"}]}) is None
    assert compile_schema({"enum": [1, True]}) is None
    check = compile_schema({"type": "object", "javaType": "Ignored", "title": "T"})
    assert check is not None and check({}) and not check([])
