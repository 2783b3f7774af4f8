"""/locations: create, list with filters, show, update with If-Match, validation, audit."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from tests import factories as f
from tests.admin.helpers import ADMIN, Caller, account, all_pages, error_of, ok


def host(engine: Engine, name: str = "Iacon Holdings") -> str:
    with unit_of_work(engine) as db:
        return str(f.organisation(db, name).uuid)


def depot(host_uuid: str, **changes: Any) -> dict[str, Any]:
    return {
        "name": "Iacon depot",
        "address": "1 Iacon Way, Perth WA 6000",
        "timezone": "Australia/Perth",
        "host_organisation_uuid": host_uuid,
        **changes,
    }


def test_create_show_list_and_update(client: TestClient, engine: Engine, admin: Caller) -> None:
    org = host(engine)
    created = ok(client.post(f"{ADMIN}/locations", json=depot(org), headers=admin.headers), 201)
    assert (created["timezone"], created["host_organisation_uuid"]) == ("Australia/Perth", org)
    shown = client.get(f"{ADMIN}/locations/{created['uuid']}", headers=admin.headers)
    assert ok(shown) == created
    etag = {**admin.headers, "If-Match": shown.headers["etag"]}
    path = f"{ADMIN}/locations/{created['uuid']}"
    changed = ok(client.patch(path, json={"name": "Iacon North"}, headers=etag))
    assert (changed["name"], changed["version"]) == ("Iacon North", created["version"] + 1)
    assert error_of(client.patch(path, json={"name": "Late"}, headers=etag), 412)
    other = host(engine, "Kaon Pty")
    ok(
        client.post(
            f"{ADMIN}/locations",
            json=depot(other, name="Kaon", address="9 Kaon Rd"),
            headers=admin.headers,
        ),
        201,
    )
    assert [x["name"] for x in all_pages(client, admin, "/locations")] == ["Iacon North", "Kaon"]
    assert [x["name"] for x in all_pages(client, admin, f"/locations?organisation_uuid={org}")] == [
        "Iacon North"
    ]
    assert [x["name"] for x in all_pages(client, admin, "/locations?q=kaon")] == ["Kaon"]
    assert [x["name"] for x in all_pages(client, admin, "/locations?q=Iacon%20Way")] == [
        "Iacon North"
    ]
    events = all_pages(client, admin, "/audit-events?resource=location")
    assert [e["action"] for e in events] == ["create", "update", "create"]
    assert events[1]["before"]["name"] == "Iacon depot"


def test_invalid_fields_are_named(client: TestClient, engine: Engine, admin: Caller) -> None:
    org = host(engine)
    cases = [
        (depot(org, timezone="Mars/Olympus"), "timezone"),
        (depot(org, name=" "), "name"),
        (depot(org, address="x" * 301), "address"),
        (depot(org, host_organisation_uuid="nope"), "host_organisation_uuid"),
        (depot("00000000-0000-4000-8000-000000000000"), "host_organisation_uuid"),
        (depot(org, colour="red"), "colour"),
        ({k: v for k, v in depot(org).items() if k != "timezone"}, "timezone"),
    ]
    for body, field in cases:
        error = error_of(client.post(f"{ADMIN}/locations", json=body, headers=admin.headers), 400)
        assert error.get("field") == field, (body, error)
    assert all_pages(client, admin, "/locations") == []


def test_who_may(client: TestClient, engine: Engine, admin: Caller) -> None:
    org = host(engine)
    created = ok(client.post(f"{ADMIN}/locations", json=depot(org), headers=admin.headers), 201)
    support = account(engine, "support")
    assert error_of(
        client.post(f"{ADMIN}/locations", json=depot(org), headers=support.headers), 403
    )
    ok(client.get(f"{ADMIN}/locations/{created['uuid']}", headers=support.headers))
    assert error_of(client.get(f"{ADMIN}/locations"), 401)
    missing = f"{ADMIN}/locations/00000000-0000-4000-8000-000000000000"
    assert error_of(client.get(missing, headers=admin.headers), 404)


def test_an_idempotency_key_makes_one_location(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    headers = {**admin.headers, "Idempotency-Key": "depot-1"}
    body = depot(host(engine))
    first = ok(client.post(f"{ADMIN}/locations", json=body, headers=headers), 201)
    assert ok(client.post(f"{ADMIN}/locations", json=body, headers=headers), 201) == first
    assert len(all_pages(client, admin, "/locations")) == 1
