"""/stations: create with connectors, list with filters, show, update with If-Match,
approve, decommission, passwords; validation with field paths, duplicates, audit."""

from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import Station, StationTariffChange, Tariff
from fleetcharge.network.password_hashing import verify_password
from tests import factories as f
from tests.admin.helpers import ADMIN, Caller, account, all_pages, error_of, ok


def setup(engine: Engine) -> dict[str, str]:
    with unit_of_work(engine) as db:
        org = f.organisation(db, "Iacon Holdings")
        site = f.site(db, org, "Australia/Perth")
        return {
            "org": str(org.uuid),
            "location": str(site.location.uuid),
            "tariff": str(site.tariff.uuid),
            "other_tariff": str(f.tariff(db).uuid),
        }


def bay(world: dict[str, str], **changes: Any) -> dict[str, Any]:
    return {
        "identity": "IACON-01",
        "evse_id": "AU*FCN*E0001",
        "name": "Iacon bay 1",
        "current_type": "DC",
        "max_power_kw": "50",
        "location_uuid": world["location"],
        "tariff_uuid": world["tariff"],
        "connectors": [{"connector_id": 1, "name": "CCS2"}, {"connector_id": 2, "name": "CHAdeMO"}],
        **changes,
    }


def post(client: TestClient, caller: Caller, body: Any, path: str = "/stations") -> Any:
    return client.post(f"{ADMIN}{path}", json=body, headers=caller.headers)


def test_create_show_list_and_update(client: TestClient, engine: Engine, admin: Caller) -> None:
    world = setup(engine)
    created = ok(post(client, admin, bay(world)), 201)
    assert created["identity"] == "IACON-01"
    assert (created["max_power_kw"], created["current_type"]) == ("50.0", "DC")
    assert [c["name"] for c in created["connectors"]] == ["CCS2", "CHAdeMO"]
    assert (created["status"], created["has_password"]) == ("active", False)
    assert created["host_organisation_uuid"] == world["org"]
    path = f"{ADMIN}/stations/{created['uuid']}"
    shown = client.get(path, headers=admin.headers)
    assert ok(shown) == created
    etag = {**admin.headers, "If-Match": shown.headers["etag"]}
    body = {
        "max_power_kw": 75,
        "tariff_uuid": world["other_tariff"],
        "connectors": [{"connector_id": 1, "name": "CCS2 left"}, {"connector_id": 3, "name": "AC"}],
    }
    changed = ok(client.patch(path, json=body, headers=etag))
    assert changed["max_power_kw"] == "75.0"
    assert changed["tariff_uuid"] == world["other_tariff"]
    assert [(c["connector_id"], c["name"]) for c in changed["connectors"]] == [
        (1, "CCS2 left"),
        (3, "AC"),
    ]
    assert error_of(client.patch(path, json={"name": "Late"}, headers=etag), 412)
    with unit_of_work(engine) as db:
        station = db.scalars(select(Station).where(Station.ocpp_identity == "IACON-01")).one()
        history = db.scalars(
            select(Tariff.uuid)
            .join(StationTariffChange, StationTariffChange.tariff_id == Tariff.id)
            .where(StationTariffChange.station_id == station.id)
            .order_by(StationTariffChange.valid_from)
        ).all()
        assert [str(u) for u in history] == [world["tariff"], world["other_tariff"]]
    listed = all_pages(client, admin, "/stations")
    assert {s["identity"] for s in listed} == {"IACON-01", next(iter(_fixture_stations(engine)))}
    mine = all_pages(client, admin, "/stations?q=iacon-0")
    assert [s["uuid"] for s in mine] == [created["uuid"]]
    at = all_pages(client, admin, f"/stations?location_uuid={world['location']}")
    assert len(at) == 2
    assert len(all_pages(client, admin, f"/stations?organisation_uuid={world['org']}")) == 2
    events = all_pages(client, admin, f"/audit-events?resource_uuid={created['uuid']}")
    assert [e["action"] for e in events] == ["create", "update"]


def _fixture_stations(engine: Engine) -> set[str]:
    with unit_of_work(engine) as db:
        return set(db.scalars(select(Station.ocpp_identity).where(Station.name != "Iacon bay 1")))


def test_decommission(client: TestClient, engine: Engine, admin: Caller) -> None:
    created = ok(post(client, admin, bay(setup(engine))), 201)
    done = ok(post(client, admin, None, f"/stations/{created['uuid']}/decommission"))
    assert done["status"] == "decommissioned" and done["decommissioned_at"]
    again = ok(post(client, admin, None, f"/stations/{created['uuid']}/decommission"))
    assert again == done
    gone = all_pages(client, admin, "/stations?status=decommissioned")
    assert [s["uuid"] for s in gone] == [created["uuid"]]
    assert created["uuid"] not in {
        s["uuid"] for s in all_pages(client, admin, "/stations?status=active")
    }
    assert error_of(client.get(f"{ADMIN}/stations?status=gone", headers=admin.headers), 400)


def test_approve_a_pending_station(client: TestClient, engine: Engine, admin: Caller) -> None:
    created = ok(post(client, admin, bay(setup(engine))), 201)
    with unit_of_work(engine) as db:  # as auto-registration leaves it
        station = db.scalars(select(Station).where(Station.uuid == UUID(created["uuid"]))).one()
        station.registration_status = "pending"
    shown = ok(client.get(f"{ADMIN}/stations/{created['uuid']}", headers=admin.headers))
    assert shown["status"] == "pending"
    pending = all_pages(client, admin, "/stations?status=pending")
    assert [s["uuid"] for s in pending] == [created["uuid"]]
    assert created["uuid"] not in {
        s["uuid"] for s in all_pages(client, admin, "/stations?status=active")
    }
    path = f"/stations/{created['uuid']}/approve"
    approved = ok(post(client, admin, None, path))
    assert (approved["status"], approved["sessions_recorded"]) == ("active", 0)
    assert approved["version"] == shown["version"] + 1
    assert ok(post(client, admin, None, path))["version"] == approved["version"]  # no change
    assert all_pages(client, admin, "/stations?status=pending") == []
    events = all_pages(client, admin, f"/audit-events?resource_uuid={created['uuid']}")
    assert [e["action"] for e in events] == ["create", "approve"]
    assert (events[1]["before"]["status"], events[1]["after"]["status"]) == ("pending", "active")


def test_a_decommissioned_pending_station_is_not_approved(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    created = ok(post(client, admin, bay(setup(engine))), 201)
    with unit_of_work(engine) as db:
        station = db.scalars(select(Station).where(Station.uuid == UUID(created["uuid"]))).one()
        station.registration_status = "pending"
    ok(post(client, admin, None, f"/stations/{created['uuid']}/decommission"))
    refused = error_of(post(client, admin, None, f"/stations/{created['uuid']}/approve"), 409)
    assert "decommissioned" in refused["message"]


def test_passwords_set_or_generated(client: TestClient, engine: Engine, admin: Caller) -> None:
    created = ok(post(client, admin, bay(setup(engine))), 201)
    path = f"/stations/{created['uuid']}/password"
    given = ok(post(client, admin, {"password": "s3cret-enough"}, path))
    assert given["password"] is None and given["identity"] == "IACON-01"
    generated = ok(post(client, admin, None, path))
    secret = generated["password"]
    assert len(secret) >= 24
    with unit_of_work(engine) as db:
        station = db.scalars(select(Station).where(Station.ocpp_identity == "IACON-01")).one()
        assert station.password_hash and secret not in station.password_hash
        assert verify_password(secret, station.password_hash)
    shown = ok(client.get(f"{ADMIN}/stations/{created['uuid']}", headers=admin.headers))
    assert shown["has_password"] and "password" not in shown
    events = all_pages(client, admin, f"/audit-events?resource_uuid={created['uuid']}")
    assert secret not in str(events)
    assert error_of(post(client, admin, {"password": "short"}, path), 400)["field"] == "password"
    keyed = {**admin.headers, "Idempotency-Key": "rotate-1"}
    first = ok(client.post(f"{ADMIN}{path}", headers=keyed))
    assert ok(client.post(f"{ADMIN}{path}", headers=keyed)) == first


def test_invalid_fields_are_named(client: TestClient, engine: Engine, admin: Caller) -> None:
    world = setup(engine)
    cases = [
        (bay(world, identity="IACON 01"), "identity"),
        (bay(world, identity="a/b"), "identity"),
        (bay(world, evse_id="AU FCN"), "evse_id"),
        (bay(world, name=""), "name"),
        (bay(world, current_type="XC"), "current_type"),
        (bay(world, max_power_kw="0.5"), "max_power_kw"),
        (bay(world, max_power_kw="5000"), "max_power_kw"),
        (bay(world, max_power_kw="7.25"), "max_power_kw"),
        (bay(world, location_uuid="00000000-0000-4000-8000-000000000000"), "location_uuid"),
        (bay(world, tariff_uuid="nope"), "tariff_uuid"),
        (bay(world, connectors=[{"connector_id": 1, "name": " "}]), "connectors[0].name"),
        (
            bay(
                world,
                connectors=[{"connector_id": 1, "name": "A"}, {"connector_id": 1, "name": "B"}],
            ),
            "connectors[1].connector_id",
        ),
        (bay(world, connectors=[{"connector_id": 0, "name": "A"}]), "connectors[0].connector_id"),
        (bay(world, connectors=[{"connector_id": 1, "name": "A", "x": 1}]), "connectors[0].x"),
    ]
    for body, field in cases:
        error = error_of(post(client, admin, body), 400)
        assert error.get("field") == field, (body, error)
    assert all_pages(client, admin, "/stations?q=IACON-01") == []


def test_duplicates_are_409_naming_the_field(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    world = setup(engine)
    ok(post(client, admin, bay(world)), 201)
    assert error_of(post(client, admin, bay(world, evse_id="X1")), 409)["field"] == "identity"
    assert error_of(post(client, admin, bay(world, identity="X1")), 409)["field"] == "evse_id"


def test_who_may(client: TestClient, engine: Engine, admin: Caller) -> None:
    world = setup(engine)
    created = ok(post(client, admin, bay(world)), 201)
    support = account(engine, "support")
    assert error_of(post(client, support, bay(world, identity="B", evse_id="B")), 403)
    assert error_of(post(client, support, None, f"/stations/{created['uuid']}/password"), 403)
    ok(client.get(f"{ADMIN}/stations/{created['uuid']}", headers=support.headers))
    assert error_of(client.get(f"{ADMIN}/stations"), 401)
    missing = f"{ADMIN}/stations/00000000-0000-4000-8000-000000000000"
    assert error_of(client.get(missing, headers=admin.headers), 404)
    assert error_of(client.patch(missing, json={}, headers=admin.headers), 404)
