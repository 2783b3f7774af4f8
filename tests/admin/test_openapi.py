"""The admin API's OpenAPI document against what the API answers: one scripted call of
every operation (success, then its documented errors), each response validated by
schemathesis against the document (status documented, body as its schema says). Other
resources script theirs in their own tests (see tests.admin.documented)."""

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from fleetcharge.web.app import create_app
from tests import factories as f
from tests.admin.documented import PREFIXES, Script, operations, under
from tests.admin.helpers import ADMIN, Caller, member, ok
from tests.api.helpers import UNLIMITED, bearer


@pytest.fixture
def schema(engine: Engine) -> Iterator[schemathesis.schemas.BaseSchema]:
    yield schemathesis.openapi.from_asgi(f"{ADMIN}/openapi.json", create_app(engine, UNLIMITED))


def test_every_operation_answers_as_documented(
    client: TestClient, engine: Engine, admin: Caller, schema: schemathesis.schemas.BaseSchema
) -> None:
    script = Script(client, schema)
    call = script.call

    h = admin.headers
    org = call("POST", "/organisations", "/organisations", 201, json={"name": "A"}, headers=h)
    org_path = f"/organisations/{org['uuid']}"
    one = "/organisations/{uuid}"
    call("GET", "/organisations?limit=1", "/organisations", 200, headers=h)
    shown = client.get(f"{ADMIN}{org_path}", headers=h)
    call("GET", org_path, one, 200, headers=h)
    changed = {**h, "If-Match": shown.headers["etag"]}
    call("PATCH", org_path, one, 200, json={"contact_name": "Ops"}, headers=changed)
    call("PATCH", org_path, one, 412, json={"contact_name": "Late"}, headers=changed)
    call("POST", "/organisations", "/organisations", 409, json={"name": "A"}, headers=h)
    keyed = {**h, "Idempotency-Key": "k"}
    call("POST", "/organisations", "/organisations", 201, json={"name": "B"}, headers=keyed)
    call("POST", "/organisations", "/organisations", 422, json={"name": "C"}, headers=keyed)
    call("GET", "/organisations/nope", one, 400, headers=h)
    statement = "/organisations/{uuid}/statement"
    call("GET", f"{org_path}/statement?period=2024-06&format=csv", statement, 200, headers=h)
    call("GET", f"{org_path}/statement", statement, 200, headers=h)
    call("GET", f"{org_path}/statement?period=2024-13", statement, 400, headers=h)

    member_body = {"name": "m", "role": "fleet_manager", "organisation_uuid": org["uuid"]}
    created = call("POST", "/accounts", "/accounts", 201, json=member_body, headers=h)
    call("GET", "/accounts", "/accounts", 200, headers=h)
    call("GET", "/accounts", "/accounts", 403, headers=bearer(created["token"]))
    revoke = "/accounts/{uuid}/revoke"
    call("POST", f"/accounts/{created['uuid']}/revoke", revoke, 200, headers=h)

    body = {"organisation_uuid": org["uuid"], "scopes": ["usage"]}
    token = call("POST", "/api-tokens", "/api-tokens", 201, json=body, headers=h)
    call("POST", "/api-tokens", "/api-tokens", 400, json={"scopes": []}, headers=h)
    call("GET", "/api-tokens?state=active", "/api-tokens", 200, headers=h)
    call("GET", f"/api-tokens/{token['uuid']}", "/api-tokens/{uuid}", 200, headers=h)
    missing = "/api-tokens/00000000-0000-4000-8000-000000000000"
    call("GET", missing, "/api-tokens/{uuid}", 404, headers=h)
    call("POST", f"/api-tokens/{token['uuid']}/revoke", "/api-tokens/{uuid}/revoke", 200, headers=h)
    call("GET", "/audit-events?limit=2", "/audit-events", 200, headers=h)
    call("GET", "/audit-events", "/audit-events", 401, headers={})

    for prefix in ("/organisations", "/accounts", "/api-tokens", "/audit-events"):
        script.assert_covers(prefix)


def test_every_documented_operation_is_scripted_by_some_test(
    schema: schemathesis.schemas.BaseSchema,
) -> None:
    stray = {op for op in operations(schema) if not any(under(op[1], p) for p in PREFIXES)}
    assert not stray, f"documented but under no scripted prefix: {sorted(stray)}"


def test_a_fleet_managers_answers_are_as_documented(
    client: TestClient, engine: Engine, schema: schemathesis.schemas.BaseSchema
) -> None:
    with unit_of_work(engine) as db:
        manager = member(db, f.organisation(db, "Mine"))
    issued = ok(client.post(f"{ADMIN}/api-tokens", json={}, headers=manager.headers), 201)
    schema["/api-tokens"]["POST"].validate_response(
        client.post(f"{ADMIN}/api-tokens", json={}, headers=manager.headers)
    )
    listed = client.get(f"{ADMIN}/api-tokens", headers=manager.headers)
    schema["/api-tokens"]["GET"].validate_response(listed)
    assert len(listed.json()["data"]) == 2 and listed.json()["data"][0] == {
        k: v for k, v in issued.items() if k != "token"
    }
