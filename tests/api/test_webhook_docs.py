"""Our OpenAPI documents' `webhooks` section (OpenAPI 3.1): every event type, its payload's
schema; and every example of docs/webhook-events.md valid against it."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_schema_validator import OAS31Validator

from fleetcharge.db import make_engine
from fleetcharge.webhook_events.schemas import EVENT_MODELS
from tests.api.helpers import API, make_client
from tests.webhooks.events import strict

DOCS = Path(__file__).parents[2] / "docs" / "webhook-events.md"
DOCUMENTS = (f"{API}/openapi.json", "/api/admin/v1/openapi.json")


@pytest.fixture
def client() -> TestClient:
    # The documents read no data: an empty database serves.
    return make_client(make_engine("sqlite://"))


def _event_schema(document: dict[str, Any], event_type: str) -> dict[str, Any]:
    body = document["webhooks"][event_type]["post"]["requestBody"]
    return {**body["content"]["application/json"]["schema"], "components": document["components"]}


@pytest.mark.parametrize("path", DOCUMENTS)
def test_every_event_type_is_documented_as_a_webhook(client: TestClient, path: str) -> None:
    document = client.get(path).json()
    assert document["openapi"].startswith("3.1")
    assert set(document["webhooks"]) == set(EVENT_MODELS)
    for event_type in EVENT_MODELS:
        operation = document["webhooks"][event_type]["post"]
        assert operation["security"] == []
        assert [p["name"] for p in operation["parameters"]] == [
            "Fleetcharge-Signature",
            "Fleetcharge-Event-Id",
            "Fleetcharge-Event-Type",
        ]
        schema = _event_schema(document, event_type)
        OAS31Validator.check_schema(schema)
        name = schema["$ref"].rsplit("/", 1)[-1]
        properties = document["components"]["schemas"][name]["properties"]
        assert list(properties) == ["id", "type", "created_at", "api_version", "data"]
        assert properties["type"]["const"] == event_type


def _examples() -> list[dict[str, Any]]:
    blocks = re.findall(r"```json\n(.*?)\n```", DOCS.read_text(), re.DOTALL)
    return [json.loads(block) for block in blocks]


def test_every_example_in_the_docs_is_valid_and_every_type_has_one(client: TestClient) -> None:
    document = client.get(DOCUMENTS[0]).json()
    examples = _examples()
    for example in examples:
        validator = OAS31Validator(strict(_event_schema(document, example["type"])))
        errors = [error.message for error in validator.iter_errors(example)]
        assert not errors, (example["type"], errors)
    assert {example["type"] for example in examples} == set(EVENT_MODELS)
    completed = [e["data"]["view"] for e in examples if e["type"] == "session.completed"]
    assert completed == ["usage", "sessions"]
