"""/vehicles: create, list with filters, show, change, retire, move; VIN rules; scoping."""

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from tests import factories as f
from tests.admin.helpers import ADMIN, Caller, all_pages, error_of, member, ok

MISSING = "00000000-0000-4000-8000-000000000000"
VIN = "1HGBH41JXMN109186"


def _fleets(client: TestClient, admin: Caller) -> tuple[str, str, str]:
    """Two fleets of one organisation, and its uuid."""
    h = admin.headers
    org = ok(client.post(f"{ADMIN}/organisations", json={"name": "Cybertron"}, headers=h), 201)
    made = [
        ok(
            client.post(
                f"{ADMIN}/fleets", json={"organisation_uuid": org["uuid"], "name": name}, headers=h
            ),
            201,
        )
        for name in ("Vans", "Utes")
    ]
    return made[0]["uuid"], made[1]["uuid"], org["uuid"]


def _vehicle(client: TestClient, caller: Caller, fleet: str, **extra: Any) -> dict[str, Any]:
    body = {"fleet_uuid": fleet, "vin": VIN, "registration_number": "1ABC234", **extra}
    return dict(ok(client.post(f"{ADMIN}/vehicles", json=body, headers=caller.headers), 201))


def test_create_show_list_and_change(client: TestClient, admin: Caller) -> None:
    vans, utes, org = _fleets(client, admin)
    h = admin.headers
    van = _vehicle(client, admin, vans, vin=VIN.lower(), contract_number="C-1042")
    assert (van["vin"], van["status"], van["id_tags"]) == (VIN, "active", [])
    assert van["fleet"]["uuid"] == vans and van["organisation"]["uuid"] == org
    today = date.today()  # the default is today where the organisation is billed
    near = {(today + timedelta(days=d)).isoformat() for d in (-1, 0, 1)}
    assert van["effective_from"] in near
    ute = _vehicle(client, admin, utes, vin="WVWZZZ1JZXW000001", registration_number="UTE1")
    shown = client.get(f"{ADMIN}/vehicles/{van['uuid']}", headers=h)
    assert ok(shown) == van
    changed = ok(
        client.patch(
            f"{ADMIN}/vehicles/{van['uuid']}",
            json={"registration_number": "1XYZ987", "contract_number": ""},
            headers={**h, "If-Match": shown.headers["etag"]},
        )
    )
    assert (changed["registration_number"], changed["contract_number"]) == ("1XYZ987", None)
    stale = client.patch(
        f"{ADMIN}/vehicles/{van['uuid']}",
        json={"registration_number": "LATE"},
        headers={**h, "If-Match": shown.headers["etag"]},
    )
    error_of(stale, 412)

    def uuids(query: str) -> list[str]:
        return [v["uuid"] for v in all_pages(client, admin, f"/vehicles{query}")]

    assert uuids("") == [van["uuid"], ute["uuid"]]
    assert uuids(f"?fleet_uuid={utes}") == [ute["uuid"]]
    assert uuids(f"?organisation_uuid={org}") == [van["uuid"], ute["uuid"]]
    assert uuids("?q=xyz9") == [van["uuid"]]  # registration, any case
    assert uuids("?q=zzz1j") == [ute["uuid"]]  # VIN
    assert uuids("?status=retired") == []
    error_of(client.get(f"{ADMIN}/vehicles?status=gone", headers=h), 400)
    assert error_of(client.get(f"{ADMIN}/vehicles?fleet_uuid={MISSING}", headers=h), 404)
    events = all_pages(client, admin, "/audit-events?resource=vehicle")
    assert [e["action"] for e in events] == ["create", "create", "update"]


def test_retire_and_reuse_a_vin(client: TestClient, admin: Caller) -> None:
    vans, utes, _ = _fleets(client, admin)
    h = admin.headers
    old = _vehicle(client, admin, vans, effective_from="2024-01-01")
    duplicate = client.post(
        f"{ADMIN}/vehicles",
        json={"fleet_uuid": utes, "vin": VIN, "registration_number": "X"},
        headers=h,
    )
    assert error_of(duplicate, 409)["field"] == "vin"
    too_early = client.patch(
        f"{ADMIN}/vehicles/{old['uuid']}", json={"effective_to": "2023-12-31"}, headers=h
    )
    assert error_of(too_early, 400)["field"] == "effective_to"
    retired = ok(
        client.patch(
            f"{ADMIN}/vehicles/{old['uuid']}", json={"effective_to": "2024-06-30"}, headers=h
        )
    )
    assert (retired["status"], retired["effective_to"]) == ("retired", "2024-06-30")
    again = _vehicle(client, admin, utes)
    assert again["status"] == "active"
    revive = client.patch(f"{ADMIN}/vehicles/{old['uuid']}", json={"effective_to": None}, headers=h)
    assert error_of(revive, 409)["field"] == "vin"
    statuses = all_pages(client, admin, "/vehicles?status=retired")
    assert [v["uuid"] for v in statuses] == [old["uuid"]]


def test_move_to_another_fleet_from_a_day(client: TestClient, admin: Caller) -> None:
    vans, utes, _ = _fleets(client, admin)
    h = admin.headers
    van = _vehicle(client, admin, vans, effective_from="2024-01-01")
    card = ok(
        client.post(
            f"{ADMIN}/cards", json={"id_tag": "TAG-1", "vehicle_uuid": van["uuid"]}, headers=h
        ),
        201,
    )
    # Days ahead: "today" is where the organisation is billed, maybe a day off UTC's.
    tomorrow = (date.today() + timedelta(days=3)).isoformat()
    moved = ok(
        client.post(
            f"{ADMIN}/vehicles/{van['uuid']}/move",
            json={"fleet_uuid": utes, "from": tomorrow},
            headers={**h, "If-Match": f'"{van["version"]}"'},
        ),
        201,
    )
    assert moved["uuid"] != van["uuid"]
    assert (moved["vin"], moved["fleet"]["uuid"], moved["effective_from"]) == (
        VIN,
        utes,
        tomorrow,
    )
    assert moved["id_tags"] == ["TAG-1"]
    old = ok(client.get(f"{ADMIN}/vehicles/{van['uuid']}", headers=h))
    assert (old["effective_to"], old["status"], old["id_tags"]) == (
        (date.today() + timedelta(days=2)).isoformat(),
        "active",
        [],
    )
    assert (
        ok(client.get(f"{ADMIN}/cards/{card['uuid']}", headers=h))["vehicle"]["uuid"]
        == (moved["uuid"])
    )
    refused = [
        ({"fleet_uuid": utes}, moved["uuid"], "fleet_uuid"),  # already there
        ({"fleet_uuid": vans, "from": "2023-01-01"}, moved["uuid"], "from"),
        ({"fleet_uuid": vans, "from": "nope"}, moved["uuid"], "from"),
    ]
    for body, uuid, field in refused:
        answer = client.post(f"{ADMIN}/vehicles/{uuid}/move", json=body, headers=h)
        assert error_of(answer, 400)["field"] == field, body


def test_validation_names_the_field(client: TestClient, admin: Caller) -> None:
    vans, _, _ = _fleets(client, admin)
    good = {"fleet_uuid": vans, "vin": VIN, "registration_number": "1ABC234"}
    cases = [
        ({**good, "vin": "1HGBH41JXMN10918"}, "vin"),
        ({**good, "vin": "1HGBH41JXMN10918O"}, "vin"),
        ({**good, "registration_number": ""}, "registration_number"),
        ({**good, "registration_number": "x" * 21}, "registration_number"),
        ({**good, "contract_number": "c" * 65}, "contract_number"),
        ({**good, "effective_from": "2024-02-30"}, "effective_from"),
        ({**good, "fleet_uuid": "nope"}, "fleet_uuid"),
        ({k: v for k, v in good.items() if k != "vin"}, "vin"),
    ]
    for body, field in cases:
        answer = client.post(f"{ADMIN}/vehicles", json=body, headers=admin.headers)
        assert error_of(answer, 400).get("field") == field, body
    missing = client.post(
        f"{ADMIN}/vehicles", json={**good, "fleet_uuid": MISSING}, headers=admin.headers
    )
    assert error_of(missing, 404)["field"] == "fleet_uuid"
    assert all_pages(client, admin, "/vehicles") == []


def test_a_fleet_manager_has_only_its_own_vehicles(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    with unit_of_work(engine) as db:
        home, away = f.organisation(db, "Home"), f.organisation(db, "Away")
        mine, other_home = f.fleet(db, home, "Mine"), f.fleet(db, home, "Also mine")
        theirs = f.fleet(db, away, "Theirs")
        their_vehicle = f.vehicle(db, theirs)
        manager = member(db, home)
        ids = str(mine.uuid), str(other_home.uuid), str(theirs.uuid), str(their_vehicle.uuid)
    mine_uuid, other_uuid, theirs_uuid, their_vehicle_uuid = ids
    own = _vehicle(client, manager, mine_uuid)
    h = manager.headers
    into_theirs = client.post(
        f"{ADMIN}/vehicles",
        json={"fleet_uuid": theirs_uuid, "vin": "WVWZZZ1JZXW000001", "registration_number": "R"},
        headers=h,
    )
    assert error_of(into_theirs, 404)["field"] == "fleet_uuid"
    error_of(client.get(f"{ADMIN}/vehicles/{their_vehicle_uuid}", headers=h), 404)
    patch = client.patch(
        f"{ADMIN}/vehicles/{their_vehicle_uuid}", json={"registration_number": "R"}, headers=h
    )
    error_of(patch, 404)
    move = client.post(
        f"{ADMIN}/vehicles/{own['uuid']}/move", json={"fleet_uuid": theirs_uuid}, headers=h
    )
    assert error_of(move, 404)["field"] == "fleet_uuid"
    assert [v["uuid"] for v in all_pages(client, manager, "/vehicles")] == [own["uuid"]]
    assert len(all_pages(client, admin, "/vehicles")) == 2
    assert other_uuid


def test_power_limits_recorded_changed_cleared_and_kept_by_a_move(
    client: TestClient, admin: Caller
) -> None:
    vans, utes, _ = _fleets(client, admin)
    h = admin.headers
    van = _vehicle(
        client, admin, vans, max_ac_power_kw="7.4", max_dc_power_kw=50, effective_from="2026-01-01"
    )
    assert (van["max_ac_power_kw"], van["max_dc_power_kw"]) == ("7.4", "50.0")
    url = f"{ADMIN}/vehicles/{van['uuid']}"
    for bad in ("0", "5000", "7.25", "abc", "NaN"):
        error = error_of(client.patch(url, json={"max_ac_power_kw": bad}, headers=h), 400)
        assert error["field"] == "max_ac_power_kw", (bad, error)
    changed = ok(
        client.patch(url, json={"max_ac_power_kw": "11", "max_dc_power_kw": None}, headers=h)
    )
    assert (changed["max_ac_power_kw"], changed["max_dc_power_kw"]) == ("11.0", None)
    kept = ok(client.patch(url, json={"registration_number": "R2"}, headers=h))
    assert kept["max_ac_power_kw"] == "11.0"
    moved = ok(client.post(f"{url}/move", json={"fleet_uuid": utes}, headers=h), 201)
    assert (moved["max_ac_power_kw"], moved["max_dc_power_kw"]) == ("11.0", None)
    listed = all_pages(client, admin, f"/vehicles?fleet_uuid={utes}")
    assert [v["max_ac_power_kw"] for v in listed] == ["11.0"]
