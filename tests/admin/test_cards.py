"""/cards: create, list, show, expiry, assign and unassign (with history), block and
unblock; id_tag rules; scoping, including a fleet manager's unassigned card."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import CardAssignment
from tests import factories as f
from tests.admin.helpers import ADMIN, Caller, account, all_pages, error_of, member, ok

MISSING = "00000000-0000-4000-8000-000000000000"


def _world(client: TestClient, admin: Caller) -> tuple[str, str, str]:
    """An organisation and two of its vehicles."""
    h = admin.headers
    org = ok(client.post(f"{ADMIN}/organisations", json={"name": "Cybertron"}, headers=h), 201)
    fleet = ok(
        client.post(
            f"{ADMIN}/fleets", json={"organisation_uuid": org["uuid"], "name": "Vans"}, headers=h
        ),
        201,
    )
    vehicles = [
        ok(
            client.post(
                f"{ADMIN}/vehicles",
                json={"fleet_uuid": fleet["uuid"], "vin": vin, "registration_number": "R"},
                headers=h,
            ),
            201,
        )["uuid"]
        for vin in ("1HGBH41JXMN109186", "WVWZZZ1JZXW000001")
    ]
    return org["uuid"], vehicles[0], vehicles[1]


def _card(client: TestClient, caller: Caller, **body: Any) -> dict[str, Any]:
    return dict(ok(client.post(f"{ADMIN}/cards", json=body, headers=caller.headers), 201))


def test_create_assign_unassign_block_and_expire(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    org, first, second = _world(client, admin)
    h = admin.headers
    card = _card(client, admin, id_tag="04A2B3C4", vehicle_uuid=first)
    assert (card["status"], card["expired"], card["vehicle"]["uuid"]) == ("active", False, first)
    assert card["organisation"]["uuid"] == org
    vehicle = ok(client.get(f"{ADMIN}/vehicles/{first}", headers=h))
    assert vehicle["id_tags"] == ["04A2B3C4"]
    url = f"{ADMIN}/cards/{card['uuid']}"
    moved = ok(
        client.post(
            f"{url}/assign",
            json={"vehicle_uuid": second, "from": "2030-01-01T00:00:00+08:00"},
            headers={**h, "If-Match": f'"{card["version"]}"'},
        )
    )
    assert moved["vehicle"]["uuid"] == second
    stale = client.post(f"{url}/block", headers={**h, "If-Match": f'"{card["version"]}"'})
    error_of(stale, 412)
    loose = ok(client.post(f"{url}/unassign", headers=h))
    assert (loose["vehicle"], loose["organisation"]["uuid"]) == (None, org)
    blocked = ok(client.post(f"{url}/block", headers=h))
    assert blocked["status"] == "blocked"
    assert ok(client.post(f"{url}/unblock", headers=h))["status"] == "active"
    expired = ok(client.patch(url, json={"expires_at": "2020-01-01T00:00:00Z"}, headers=h))
    assert (expired["expired"], expired["expires_at"]) == (True, "2020-01-01T00:00:00+00:00")
    assert ok(client.patch(url, json={"expires_at": None}, headers=h))["expired"] is False
    with unit_of_work(engine) as db:
        history = db.scalars(select(CardAssignment).order_by(CardAssignment.id)).all()
        assert [(a.vehicle_id is None, a.valid_from.year) for a in history] == [
            (False, history[0].valid_from.year),
            (False, 2029),
            (True, history[2].valid_from.year),
        ]
        assert history[1].valid_from.hour == 16  # 2030-01-01 00:00 in Perth, kept as UTC
    events = all_pages(client, admin, f"/audit-events?resource_uuid={card['uuid']}")
    assert [e["action"] for e in events] == [
        "create",
        "assign",
        "unassign",
        "block",
        "unblock",
        "update",
        "update",
    ]


def test_lists_and_filters(client: TestClient, admin: Caller) -> None:
    org, first, second = _world(client, admin)
    a = _card(client, admin, id_tag="AAA-1", vehicle_uuid=first)
    b = _card(client, admin, id_tag="BBB-2", vehicle_uuid=second)
    c = _card(client, admin, id_tag="aaa-3", organisation_uuid=org)
    network = _card(client, admin, id_tag="NET-1")
    ok(client.post(f"{ADMIN}/cards/{b['uuid']}/block", headers=admin.headers))

    def uuids(query: str) -> list[str]:
        return [x["uuid"] for x in all_pages(client, admin, f"/cards{query}")]

    assert uuids("") == [a["uuid"], b["uuid"], c["uuid"], network["uuid"]]
    assert uuids(f"?organisation_uuid={org}") == [a["uuid"], b["uuid"], c["uuid"]]
    assert uuids(f"?vehicle_uuid={first}") == [a["uuid"]]
    assert uuids("?status=blocked") == [b["uuid"]]
    assert uuids("?q=aaa") == [a["uuid"], c["uuid"]]
    error_of(client.get(f"{ADMIN}/cards?status=lost", headers=admin.headers), 400)
    error_of(client.get(f"{ADMIN}/cards?vehicle_uuid={MISSING}", headers=admin.headers), 404)


def test_validation_and_duplicates(client: TestClient, admin: Caller) -> None:
    org, first, _ = _world(client, admin)
    h = admin.headers
    cases = [
        ({"id_tag": "has space"}, "id_tag"),
        ({"id_tag": "x" * 21}, "id_tag"),
        ({"id_tag": ""}, "id_tag"),
        ({"id_tag": "T1", "vehicle_uuid": "nope"}, "vehicle_uuid"),
        ({"id_tag": "T1", "expires_at": "tomorrow"}, "expires_at"),
        ({"id_tag": "T1", "expires_at": "2030-01-01T00:00:00"}, "expires_at"),
        ({"id_tag": "T1", "expires_at": "9999-12-31T23:59:59-14:00"}, "expires_at"),
        ({"id_tag": "T1", "expires_at": "0001-01-01T00:00:00+14:00"}, "expires_at"),
        ({}, "id_tag"),
    ]
    for body, field in cases:
        answer = client.post(f"{ADMIN}/cards", json=body, headers=h)
        assert error_of(answer, 400).get("field") == field, body
    missing = client.post(
        f"{ADMIN}/cards", json={"id_tag": "T1", "vehicle_uuid": MISSING}, headers=h
    )
    assert error_of(missing, 404)["field"] == "vehicle_uuid"
    card = _card(client, admin, id_tag="T1", vehicle_uuid=first)
    again = client.post(f"{ADMIN}/cards", json={"id_tag": "T1"}, headers=h)
    assert error_of(again, 409)["field"] == "id_tag"
    bad_assign = client.post(
        f"{ADMIN}/cards/{card['uuid']}/assign", json={"vehicle_uuid": MISSING}, headers=h
    )
    assert error_of(bad_assign, 404)["field"] == "vehicle_uuid"
    error_of(client.get(f"{ADMIN}/cards/{MISSING}", headers=h), 404)
    assert org


def test_scoping_and_roles(client: TestClient, engine: Engine, admin: Caller) -> None:
    with unit_of_work(engine) as db:
        home, away = f.organisation(db, "Home"), f.organisation(db, "Away")
        mine = f.vehicle(db, f.fleet(db, home), id_tags=())
        theirs = f.vehicle(db, f.fleet(db, away), id_tags=("THEIRS",))
        manager, stranger = member(db, home), member(db, away)
        mine_uuid, theirs_uuid = str(mine.uuid), str(theirs.uuid)
    loose = _card(client, manager, id_tag="LOOSE")
    assert loose["organisation"]["name"] == "Home"
    assert [c["id_tag"] for c in all_pages(client, manager, "/cards")] == ["LOOSE"]
    assert [c["id_tag"] for c in all_pages(client, stranger, "/cards")] == ["THEIRS"]
    their_card = next(c for c in all_pages(client, admin, "/cards") if c["id_tag"] == "THEIRS")
    h = manager.headers
    error_of(client.get(f"{ADMIN}/cards/{their_card['uuid']}", headers=h), 404)
    error_of(client.post(f"{ADMIN}/cards/{their_card['uuid']}/block", headers=h), 404)
    error_of(client.get(f"{ADMIN}/cards/{loose['uuid']}", headers=stranger.headers), 404)
    onto_theirs = client.post(
        f"{ADMIN}/cards/{loose['uuid']}/assign", json={"vehicle_uuid": theirs_uuid}, headers=h
    )
    assert error_of(onto_theirs, 404)["field"] == "vehicle_uuid"
    ok(
        client.post(
            f"{ADMIN}/cards/{loose['uuid']}/assign", json={"vehicle_uuid": mine_uuid}, headers=h
        )
    )
    support = account(engine, "support")
    assert (
        ok(client.post(f"{ADMIN}/cards/{loose['uuid']}/block", headers=support.headers))["status"]
        == "blocked"
    )
    error_of(
        client.patch(
            f"{ADMIN}/cards/{loose['uuid']}", json={"expires_at": None}, headers=support.headers
        ),
        403,
    )
    error_of(client.post(f"{ADMIN}/cards", json={"id_tag": "S"}, headers=support.headers), 403)
    billing = account(engine, "billing")
    error_of(client.post(f"{ADMIN}/cards/{loose['uuid']}/unblock", headers=billing.headers), 403)
