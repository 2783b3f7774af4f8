"""/fleets: create, list, show, rename with If-Match, validation, scoping, audit."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from tests import factories as f
from tests.admin.helpers import ADMIN, Caller, account, all_pages, error_of, member, ok

MISSING = "00000000-0000-4000-8000-000000000000"


def _organisation(client: TestClient, admin: Caller, name: str = "Cybertron") -> str:
    body = {"name": name}
    return str(
        ok(client.post(f"{ADMIN}/organisations", json=body, headers=admin.headers), 201)["uuid"]
    )


def test_create_show_list_and_rename(client: TestClient, admin: Caller) -> None:
    org = _organisation(client, admin)
    other = _organisation(client, admin, "Decepticon")
    h = admin.headers
    vans = ok(
        client.post(
            f"{ADMIN}/fleets", json={"organisation_uuid": org, "name": " Vans "}, headers=h
        ),
        201,
    )
    assert vans["name"] == "Vans"
    assert vans["organisation"] == {"uuid": org, "name": "Cybertron"}
    ok(
        client.post(f"{ADMIN}/fleets", json={"organisation_uuid": org, "name": "Utes"}, headers=h),
        201,
    )
    ok(
        client.post(
            f"{ADMIN}/fleets", json={"organisation_uuid": other, "name": "Vans"}, headers=h
        ),
        201,
    )
    shown = client.get(f"{ADMIN}/fleets/{vans['uuid']}", headers=h)
    assert ok(shown) == vans
    assert shown.headers["etag"] == f'"{vans["version"]}"'
    renamed = ok(
        client.patch(
            f"{ADMIN}/fleets/{vans['uuid']}",
            json={"name": "Delivery vans"},
            headers={**h, "If-Match": shown.headers["etag"]},
        )
    )
    assert (renamed["name"], renamed["version"]) == ("Delivery vans", vans["version"] + 1)
    stale = client.patch(
        f"{ADMIN}/fleets/{vans['uuid']}",
        json={"name": "Late"},
        headers={**h, "If-Match": shown.headers["etag"]},
    )
    assert error_of(stale, 412)["code"] == "precondition_failed"
    assert len(all_pages(client, admin, "/fleets")) == 3
    mine = all_pages(client, admin, f"/fleets?organisation_uuid={org}")
    assert [x["name"] for x in mine] == ["Delivery vans", "Utes"]
    assert [x["name"] for x in all_pages(client, admin, "/fleets?q=DELIV")] == ["Delivery vans"]
    missing = client.get(f"{ADMIN}/fleets?organisation_uuid={MISSING}", headers=h)
    assert error_of(missing, 404)["parameter"] == "organisation_uuid"
    events = all_pages(client, admin, "/audit-events?resource=fleet")
    assert [e["action"] for e in events] == ["create", "create", "create", "update"]
    assert (events[3]["before"]["name"], events[3]["after"]["name"]) == ("Vans", "Delivery vans")


def test_invalid_and_duplicate_names(client: TestClient, admin: Caller) -> None:
    org = _organisation(client, admin)
    h = admin.headers
    cases = [
        ({"organisation_uuid": org, "name": " "}, "name"),
        ({"organisation_uuid": org, "name": "x" * 201}, "name"),
        ({"organisation_uuid": "nope", "name": "Vans"}, "organisation_uuid"),
        ({"name": "Vans"}, "organisation_uuid"),
        ({"organisation_uuid": org, "name": "Vans", "colour": "red"}, "colour"),
    ]
    for body, field in cases:
        assert error_of(client.post(f"{ADMIN}/fleets", json=body, headers=h), 400)["field"] == field
    unknown = client.post(
        f"{ADMIN}/fleets", json={"organisation_uuid": MISSING, "name": "V"}, headers=h
    )
    assert error_of(unknown, 404)["field"] == "organisation_uuid"
    vans = ok(
        client.post(f"{ADMIN}/fleets", json={"organisation_uuid": org, "name": "Vans"}, headers=h),
        201,
    )
    again = client.post(
        f"{ADMIN}/fleets", json={"organisation_uuid": org, "name": "Vans"}, headers=h
    )
    assert error_of(again, 409)["field"] == "name"
    utes = ok(
        client.post(f"{ADMIN}/fleets", json={"organisation_uuid": org, "name": "Utes"}, headers=h),
        201,
    )
    clash = client.patch(f"{ADMIN}/fleets/{utes['uuid']}", json={"name": "Vans"}, headers=h)
    assert error_of(clash, 409)["field"] == "name"
    assert ok(client.get(f"{ADMIN}/fleets/{vans['uuid']}", headers=h))["version"] == vans["version"]
    assert error_of(client.get(f"{ADMIN}/fleets/{MISSING}", headers=h), 404)["code"] == "not_found"
    assert error_of(client.get(f"{ADMIN}/fleets", headers={}), 401)["code"] == "unauthorized"


def test_a_fleet_manager_has_only_its_own_fleets(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    with unit_of_work(engine) as db:
        home, away = f.organisation(db, "Home"), f.organisation(db, "Away")
        theirs = f.fleet(db, away, "Theirs")
        manager = member(db, home)
        colleague = member(db, home)
        home_uuid, away_uuid, theirs_uuid = str(home.uuid), str(away.uuid), str(theirs.uuid)
    h = manager.headers
    mine = ok(
        client.post(
            f"{ADMIN}/fleets", json={"organisation_uuid": home_uuid, "name": "Mine"}, headers=h
        ),
        201,
    )
    refused = client.post(
        f"{ADMIN}/fleets", json={"organisation_uuid": away_uuid, "name": "X"}, headers=h
    )
    assert error_of(refused, 404)["field"] == "organisation_uuid"
    error_of(client.get(f"{ADMIN}/fleets/{theirs_uuid}", headers=h), 404)
    error_of(client.patch(f"{ADMIN}/fleets/{theirs_uuid}", json={"name": "Taken"}, headers=h), 404)
    error_of(client.get(f"{ADMIN}/fleets?organisation_uuid={away_uuid}", headers=h), 404)
    assert [x["uuid"] for x in all_pages(client, manager, "/fleets")] == [mine["uuid"]]
    assert [x["uuid"] for x in all_pages(client, colleague, "/fleets")] == [mine["uuid"]]
    assert len(all_pages(client, admin, "/fleets")) == 2
    support_staff = client.post(
        f"{ADMIN}/fleets",
        json={"organisation_uuid": home_uuid, "name": "S"},
        headers=account(engine, "support").headers,
    )
    assert error_of(support_staff, 403)["code"] == "forbidden"
