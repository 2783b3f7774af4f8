"""Fast checks of OCPP 1.6 payloads against the ocpp library's own JSON schemas.

The library validates every payload with `jsonschema` (and, by default, in a worker thread),
which costs more than everything else a MeterValues message needs before the database. The
schemas use a handful of Draft 4 keywords, so each one is compiled once into plain predicates.
A compiled check accepts exactly what the library's validation accepts; when it rejects a
payload, or the schema uses a keyword it does not compile, the library validates as before and
raises the CallError the station gets, so errors keep their exact codes and messages.
"""

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from ocpp.messages import Call, CallResult, MessageType, get_validator, validate_payload

OCPP_VERSION = "1.6"

Check = Callable[[Any], bool]


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    # Other numbers (Decimal) are left to jsonschema.
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "string": lambda value: isinstance(value, str),
    "integer": _is_integer,
    "number": _is_number,
    "boolean": lambda value: isinstance(value, bool),
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "null": lambda value: value is None,
}
# Draft 4 keywords without an effect on validation here (annotations, `format` without a
# format checker, definitions only reached through $ref, which is not compiled).
_INERT = frozenset({"$schema", "id", "$id", "title", "description", "format", "definitions"})
_DRAFT4 = frozenset(
    {
        "$ref",
        "additionalItems",
        "additionalProperties",
        "allOf",
        "anyOf",
        "dependencies",
        "enum",
        "items",
        "maxItems",
        "maxLength",
        "maxProperties",
        "maximum",
        "exclusiveMaximum",
        "minItems",
        "minLength",
        "minProperties",
        "minimum",
        "exclusiveMinimum",
        "multipleOf",
        "not",
        "oneOf",
        "pattern",
        "patternProperties",
        "properties",
        "required",
        "type",
    }
)


_OBJECT_KEYWORDS = frozenset({"properties", "required", "additionalProperties"})
_ARRAY_KEYWORDS = frozenset({"items", "minItems", "maxItems"})
_STRING_KEYWORDS = frozenset({"minLength", "maxLength"})
_COMPILED = _OBJECT_KEYWORDS | _ARRAY_KEYWORDS | _STRING_KEYWORDS | {"type", "enum"}


def compile_schema(schema: Mapping[str, Any]) -> Check | None:
    """A predicate equivalent to Draft 4 validation of `schema`, or None when the schema
    uses a keyword this does not compile. jsonschema ignores unknown keywords, and so does
    this; each other keyword constrains one type of value only, as in JSON Schema."""
    keywords = {k: v for k, v in schema.items() if k in _DRAFT4 and k not in _INERT}
    if not keywords.keys() <= _COMPILED:
        return None
    types = _types(keywords["type"]) if "type" in keywords else frozenset(_TYPES)
    enum = _enum(keywords["enum"]) if "enum" in keywords else None
    if types is None or ("enum" in keywords and enum is None):
        return None
    by_type: dict[str, Check | None] = {
        "object": _object(keywords),
        "array": _array(keywords),
        "string": _string(keywords),
    }
    if any(check is None and _needs(kind, keywords) for kind, check in by_type.items()):
        return None
    if len(types) == 1:
        (kind,) = types
        return _single_type(kind, by_type.get(kind), enum)
    type_checks = tuple(_TYPES[name] for name in types)
    object_check, array_check, string_check = (by_type[k] for k in ("object", "array", "string"))

    def check(instance: Any) -> bool:
        if not any(is_type(instance) for is_type in type_checks):
            return False
        if enum is not None and not enum(instance):
            return False
        if object_check is not None and isinstance(instance, dict):
            return object_check(instance)
        if array_check is not None and isinstance(instance, list):
            return array_check(instance)
        if string_check is not None and isinstance(instance, str):
            return string_check(instance)
        return True

    return check


def _needs(kind: str, keywords: Mapping[str, Any]) -> bool:
    group = {"object": _OBJECT_KEYWORDS, "array": _ARRAY_KEYWORDS, "string": _STRING_KEYWORDS}
    return bool(keywords.keys() & group[kind])


def _single_type(kind: str, constraints: Check | None, enum: Check | None) -> Check:
    is_type = _TYPES[kind]
    if enum is not None:
        if kind != "string":
            return lambda instance: False  # the enum holds strings only
        rest = constraints
        if rest is None:
            return enum
        return lambda instance: enum(instance) and rest(instance)
    if constraints is None:
        return is_type
    return lambda instance: is_type(instance) and constraints(instance)


def _types(value: Any) -> frozenset[str] | None:
    names = value if isinstance(value, list) else [value]
    if not all(isinstance(name, str) and name in _TYPES for name in names):
        return None
    return frozenset(names)


def _enum(value: Any) -> Check | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None  # jsonschema's equality of numbers and booleans is its own
    allowed = frozenset(value)
    return lambda instance: isinstance(instance, str) and instance in allowed


def _object(keywords: Mapping[str, Any]) -> Check | None:
    """The object keywords, for a dict; None if there are none (or one is not compiled)."""
    if not keywords.keys() & _OBJECT_KEYWORDS:
        return None
    properties: dict[str, Check] = {}
    for name, subschema in keywords.get("properties", {}).items():
        compiled = compile_schema(subschema) if isinstance(subschema, dict) else None
        if compiled is None:
            return None
        properties[name] = compiled
    required = tuple(keywords.get("required", ()))
    additional = keywords.get("additionalProperties", True)
    if additional not in (True, False):
        return None  # a schema for the other properties
    closed = frozenset(keywords.get("properties", {})) if additional is False else None

    def check(instance: dict[str, Any]) -> bool:
        for name in required:
            if name not in instance:
                return False
        if closed is not None and not instance.keys() <= closed:
            return False
        for name, value in instance.items():
            property_check = properties.get(name)
            if property_check is not None and not property_check(value):
                return False
        return True

    return check


def _array(keywords: Mapping[str, Any]) -> Check | None:
    if not keywords.keys() & _ARRAY_KEYWORDS:
        return None
    items = keywords.get("items", {})
    item_check = compile_schema(items) if isinstance(items, dict) else None  # not tuples
    low, high = keywords.get("minItems", 0), keywords.get("maxItems")
    if item_check is None or not _is_integer(low) or not (high is None or _is_integer(high)):
        return None

    def check(instance: list[Any]) -> bool:
        if len(instance) < low or (high is not None and len(instance) > high):
            return False
        return all(map(item_check, instance))

    return check


def _string(keywords: Mapping[str, Any]) -> Check | None:
    if not keywords.keys() & _STRING_KEYWORDS:
        return None
    low, high = keywords.get("minLength", 0), keywords.get("maxLength")
    if not _is_integer(low) or not (high is None or _is_integer(high)):
        return None
    return lambda instance: low <= len(instance) and (high is None or len(instance) <= high)


@cache
def _check_for(message_type_id: int, action: str) -> Check | None:
    try:
        schema = get_validator(message_type_id, action, OCPP_VERSION).schema
    except (OSError, ValueError):
        return None  # no schema: the library reports it
    return compile_schema(schema)


async def validate(message: Call | CallResult) -> None:
    """Raise the library's CallError exception for a payload its schema rejects."""
    message_type = MessageType.Call if isinstance(message, Call) else MessageType.CallResult
    check = _check_for(message_type, str(message.action))
    if check is not None and check(message.payload):
        return
    await validate_payload(message, OCPP_VERSION)
