"""Calling the Fleets API in tests and checking every 200 body against two contracts.

- the REFERENCE contract (a verbatim copy of the published Chargefox Fleets API 1.0
  OpenAPI document, in `reference/`), made strict: no property it does not declare
  (plus `suboperator`, which its own examples use), and the `required` lists it
  misplaces on arrays applied to their items;
- our own `/api/fleets/v1/openapi.json`, equally strict.
"""

import copy
import json
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from openapi_schema_validator import OAS30Validator, OAS31Validator, oas30_format_checker
from sqlalchemy import Engine

from fleetcharge.db import make_engine
from fleetcharge.settings import Settings
from fleetcharge.web.app import create_app, served

API = "/api/fleets/v1"
BASE = "http://testserver"
REFERENCE_DIR = Path(__file__).parent / "reference"
LIST_KEY = {
    "usage": "sessions",
    "sessions": "sessions",
    "vehicles": "vehicles",
    "invoices": "invoices",
}
ENDPOINTS = tuple(LIST_KEY)
DATED_ENDPOINTS = ("usage", "sessions", "invoices")


# Most tests call an endpoint many times with one token: rate limits have their own tests.
UNLIMITED = Settings(rate_limits_enabled=False)


def make_client(engine: Engine, settings: Settings = UNLIMITED) -> TestClient:
    """A client of the app as a server serves it (`served`)."""
    return TestClient(served(create_app(engine, settings)))


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# --- the two contracts ------------------------------------------------------------


@cache
def reference_document() -> dict[str, Any]:
    return json.loads((REFERENCE_DIR / "fleets-api-v1.openapi.json").read_text())


def reference_example(endpoint: str) -> dict[str, Any]:
    return json.loads((REFERENCE_DIR / "examples" / f"{endpoint}-200.json").read_text())


def _strict(schema: Any) -> Any:
    """A copy where objects allow only declared properties and array `required` lists
    (misplaced in the reference) apply to the array's items."""
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _strict(value) for key, value in schema.items()}
    if out.get("type") == "array" and "required" in out and isinstance(out.get("items"), dict):
        items = out["items"]
        items["required"] = sorted({*items.get("required", []), *out.pop("required")})
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def reference_schema(endpoint: str) -> dict[str, Any]:
    """The contract's 200 response schema for an endpoint, as published (a copy)."""
    operation = reference_document()["paths"][f"{API}/{endpoint}"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return copy.deepcopy(schema)


@cache
def reference_validator(endpoint: str) -> OAS30Validator:
    schema = reference_schema(endpoint)
    if endpoint == "sessions":
        # The contract names the site host `sub_operator`, its published examples
        # `suboperator`; we send both, so both are allowed (and required) here.
        location = schema["properties"]["data"]["properties"]["sessions"]["items"]
        location = location["properties"]["location"]
        location["properties"]["suboperator"] = location["properties"]["sub_operator"]
        location["required"] = [*location["required"], "operator", "sub_operator", "suboperator"]
    schema["properties"]["pagination"]["required"] = ["total_entries"]
    return OAS30Validator(_strict(schema), format_checker=oas30_format_checker)


@cache
def _own_validator(document_json: str, endpoint: str) -> OAS31Validator:
    document = json.loads(document_json)
    response = document["paths"][f"{API}/{endpoint}"]["get"]["responses"]["200"]
    schema = {
        "$ref": response["content"]["application/json"]["schema"]["$ref"],
        "components": _strict(document["components"]),
    }
    return OAS31Validator(schema, format_checker=oas30_format_checker)


_own_documents: list[str] = []


def own_document(client: TestClient | None = None) -> str:
    """Our /openapi.json as served (fetched once per test process: it never varies)."""
    if not _own_documents:
        if client is not None:
            response = client.get(f"{API}/openapi.json")
        else:
            engine = make_engine("sqlite://")
            with make_client(engine) as bare:
                response = bare.get(f"{API}/openapi.json")
            engine.dispose()
        assert response.status_code == 200
        _own_documents.append(json.dumps(response.json(), sort_keys=True))
    return _own_documents[0]


# Records already found valid, as (endpoint, canonical JSON). A record's validity does not
# depend on its page, so a record listed again (another filter, another walk) is skipped.
_valid_records: set[tuple[str, str]] = set()


def assert_valid(client: TestClient, endpoint: str, body: dict[str, Any]) -> None:
    """The body satisfies the reference contract and our own OpenAPI document."""
    key = LIST_KEY[endpoint]
    items = body.get("data", {}).get(key) if isinstance(body.get("data"), dict) else None
    seen: list[tuple[str, str]] = []
    if isinstance(items, list):
        fresh = []
        for item in items:
            canonical = (endpoint, json.dumps(item, sort_keys=True))
            if canonical not in _valid_records:
                fresh.append(item)
                seen.append(canonical)
        body = {**body, "data": {**body["data"], key: fresh}}
    _assert_valid(client, endpoint, body)
    _valid_records.update(seen)


def _assert_valid(client: TestClient, endpoint: str, body: dict[str, Any]) -> None:
    errors = sorted(reference_validator(endpoint).iter_errors(body), key=str)
    assert not errors, f"/{endpoint} breaks the reference contract: {errors[0]}"
    own = _own_validator(own_document(client), endpoint)
    errors = sorted(own.iter_errors(body), key=str)
    assert not errors, f"/{endpoint} breaks our own OpenAPI: {errors[0]}"


@cache
def _own_error_validator(document_json: str) -> OAS31Validator:
    document = json.loads(document_json)
    schema = {
        "$ref": "#/components/schemas/ErrorBody",
        "components": _strict(document["components"]),
    }
    return OAS31Validator(schema)


def assert_error_body(body: Any) -> None:
    """An error body has the one documented shape: {"error": {"code", "message", ...}}."""
    errors = sorted(_own_error_validator(own_document()).iter_errors(body), key=str)
    assert not errors, f"error body {body} breaks our own OpenAPI: {errors[0]}"
    assert set(body["error"]) <= {"code", "message", "parameter"}


# --- calling ----------------------------------------------------------------------


def get_page(
    client: TestClient, endpoint: str, secret: str, params: dict[str, str] | None = None
) -> dict[str, Any]:
    """GET one page, assert 200 and both contracts, return the body."""
    response = client.get(f"{API}/{endpoint}", params=params or {}, headers=bearer(secret))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert_valid(client, endpoint, body)
    return body


def records(body: dict[str, Any], endpoint: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = body["data"][LIST_KEY[endpoint]]
    return items


def walk(
    client: TestClient,
    endpoint: str,
    secret: str,
    params: dict[str, str] | None = None,
    page_size: int = 100,
) -> Iterator[dict[str, Any]]:
    """Yield every page from page 1 by following `next`, checking each link on the way and
    each page against both contracts."""
    body = get_page(client, endpoint, secret, params)
    page = 1
    while True:
        yield body
        items = records(body, endpoint)
        total = body["pagination"]["total_entries"]
        link = body["pagination"].get("next")
        if link is None:
            assert len(items) == total - (page - 1) * page_size
            return
        assert len(items) == page_size
        parts = urlsplit(link)
        assert f"{parts.scheme}://{parts.netloc}" == BASE, link
        assert parts.path == f"{API}/{endpoint}", link
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        expected = {k: v for k, v in (params or {}).items() if k in ("date_from", "date_to") and v}
        assert query == {**expected, "page": str(page + 1)}, link
        response = client.get(link, headers=bearer(secret))
        assert response.status_code == 200, response.text
        body = response.json()
        assert_valid(client, endpoint, body)
        assert body["pagination"]["total_entries"] == total
        page += 1


def walk_all(
    client: TestClient,
    endpoint: str,
    secret: str,
    params: dict[str, str] | None = None,
    page_size: int = 100,
) -> tuple[int, list[dict[str, Any]]]:
    """(total_entries, every record in order) over all pages."""
    pages = list(walk(client, endpoint, secret, params, page_size))
    items = [item for body in pages for item in records(body, endpoint)]
    total = pages[0]["pagination"]["total_entries"]
    assert len(items) == total
    return total, items


def uuids(items: list[dict[str, Any]]) -> list[str]:
    return [item["uuid"] for item in items]


# --- a smaller page size, to exercise deep paging with little data ----------------


def set_page_size(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    """Patch PAGE_SIZE in every fleetcharge module that imported it."""
    modules = [
        module
        for name, module in list(sys.modules.items())
        if name.startswith("fleetcharge") and isinstance(getattr(module, "PAGE_SIZE", None), int)
    ]
    assert len(modules) >= 4, "expected PAGE_SIZE in params, responses, repositories, listings"
    for module in modules:
        monkeypatch.setattr(module, "PAGE_SIZE", size)
