"""/tariffs: create from a document (problems named by field), list, show, and overrides
giving an organisation's own cards another tariff at a location."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from tests import factories as f
from tests.admin.helpers import ADMIN, Caller, account, all_pages, error_of, ok

PEAK: dict[str, Any] = {
    "name": "Peak",
    "elements": [{"price_components": [{"type": "ENERGY", "price": "0.45", "step_size": 1}]}],
    "max_price": "100.00",
}


def post(client: TestClient, caller: Caller, path: str, body: Any) -> Any:
    return client.post(f"{ADMIN}{path}", json=body, headers=caller.headers)


def test_create_list_show(client: TestClient, engine: Engine, admin: Caller) -> None:
    with unit_of_work(engine) as db:
        owner = str(f.organisation(db, "Host Co").uuid)
    created = ok(post(client, admin, "/tariffs", {**PEAK, "owner": "Host Co"}), 201)
    assert created["owner_organisation_uuid"] == owner
    assert created["document"]["elements"][0]["price_components"][0]["price"] == "0.45"
    assert created["document"]["max_price"] == "100.00"
    shown = ok(client.get(f"{ADMIN}/tariffs/{created['uuid']}", headers=admin.headers))
    assert shown == created
    ok(post(client, admin, "/tariffs", {**PEAK, "name": "Off-peak"}), 201)
    assert [t["name"] for t in all_pages(client, admin, "/tariffs")] == ["Peak", "Off-peak"]
    assert [t["name"] for t in all_pages(client, admin, "/tariffs?q=off")] == ["Off-peak"]
    events = all_pages(client, admin, "/audit-events?resource=tariff")
    assert [e["action"] for e in events] == ["create", "create"]


def test_document_problems_are_named(client: TestClient, admin: Caller) -> None:
    element = PEAK["elements"][0]
    cases = [
        ({**PEAK, "elements": []}, "elements"),
        ({**PEAK, "colour": "red"}, "colour"),
        ({**PEAK, "min_price": "200.00"}, "min_price"),
        ({**PEAK, "owner": "Nobody"}, "owner"),
        (
            {**PEAK, "elements": [{**element, "restrictions": {"start_time": "25:00"}}]},
            "elements[0].restrictions.start_time",
        ),
    ]
    for body, field in cases:
        error = error_of(post(client, admin, "/tariffs", body), 400)
        assert error.get("field") == field, (body, error)
    assert all_pages(client, admin, "/tariffs") == []


def test_overrides_assign_list_remove(client: TestClient, engine: Engine, admin: Caller) -> None:
    with unit_of_work(engine) as db:
        host = f.organisation(db)
        site = f.site(db, host)
        org, location = str(host.uuid), str(site.location.uuid)
    tariff = ok(post(client, admin, "/tariffs", PEAK), 201)["uuid"]
    body = {"organisation_uuid": org, "location_uuid": location}
    assigned = ok(post(client, admin, f"/tariffs/{tariff}/overrides", body))
    assert (assigned["organisation_uuid"], assigned["location_uuid"]) == (org, location)
    listed = ok(client.get(f"{ADMIN}/tariffs/{tariff}/overrides", headers=admin.headers))
    assert listed == {"data": [assigned]}
    other = ok(post(client, admin, "/tariffs", {**PEAK, "name": "Staff"}), 201)["uuid"]
    ok(post(client, admin, f"/tariffs/{other}/overrides", body))  # replaces the first
    assert ok(client.get(f"{ADMIN}/tariffs/{tariff}/overrides", headers=admin.headers)) == {
        "data": []
    }
    path = f"{ADMIN}/tariffs/{other}/overrides/{org}/{location}"
    assert ok(client.delete(path, headers=admin.headers))["tariff_uuid"] == other
    assert error_of(client.delete(path, headers=admin.headers), 404)
    bad = {**body, "location_uuid": "00000000-0000-4000-8000-000000000000"}
    assert error_of(post(client, admin, f"/tariffs/{tariff}/overrides", bad), 400)["field"] == (
        "location_uuid"
    )


def test_who_may(client: TestClient, engine: Engine, admin: Caller) -> None:
    support = account(engine, "support")
    assert error_of(post(client, support, "/tariffs", PEAK), 403)
    assert error_of(client.get(f"{ADMIN}/tariffs"), 401)
    missing = f"{ADMIN}/tariffs/00000000-0000-4000-8000-000000000000"
    assert error_of(client.get(missing, headers=support.headers), 404)
    with unit_of_work(engine) as db:
        home = f.organisation(db)
    manager = account(engine, "fleet_manager", home)
    assert error_of(client.get(f"{ADMIN}/tariffs", headers=manager.headers), 403)


def test_versions_publish_and_history(client: TestClient, admin: Caller) -> None:
    ocpi = {
        "id": "DC-1",
        "country_code": "AU",
        "party_id": "FLC",
        "currency": "AUD",
        "type": "REGULAR",
        "tariff_alt_text": [{"language": "en", "text": "Idle fees after 10 minutes."}],
        "tariff_alt_url": "https://fleetcharge.example/tariffs/dc-1",
        "energy_mix": {"is_green_energy": True, "supplier_name": "Sunny Power"},
        "elements": [
            {"price_components": [{"type": "ENERGY", "price": 0.40, "vat": 10.0, "step_size": 1}]}
        ],
        "last_updated": "2026-06-01T00:00:00Z",
    }
    created = ok(post(client, admin, "/tariffs", ocpi), 201)
    assert created["name"] == "DC-1"
    assert created["document"]["energy_mix"]["supplier_name"] == "Sunny Power"
    assert created["document"]["tariff_alt_url"] == ocpi["tariff_alt_url"]
    uuid = created["uuid"]
    future = {**ocpi, "start_date_time": "2099-07-01T00:00:00Z", "elements": [
        {"price_components": [{"type": "ENERGY", "price": 0.45, "vat": 10.0, "step_size": 1}]}
    ]}  # fmt: skip
    published = ok(post(client, admin, f"/tariffs/{uuid}/versions", future), 201)
    assert (published["version"], published["in_force"]) == (2, False)
    assert published["valid_from"] == "2099-07-01T00:00:00+00:00"
    listed = ok(client.get(f"{ADMIN}/tariffs/{uuid}/versions", headers=admin.headers))["data"]
    assert [(v["version"], v["in_force"]) for v in listed] == [(1, True), (2, False)]
    assert listed[1] == published
    # Until then the tariff shows (and prices by) version 1.
    shown = ok(client.get(f"{ADMIN}/tariffs/{uuid}", headers=admin.headers))
    assert shown["document"]["elements"][0]["price_components"][0]["price"] == "0.4"
    past = {**future, "start_date_time": "2020-01-01T00:00:00Z"}
    error = error_of(post(client, admin, f"/tariffs/{uuid}/versions", past), 400)
    assert error["field"] == "start_date_time"
    bad = {**future, "type": "CHEAPEST"}
    assert error_of(post(client, admin, f"/tariffs/{uuid}/versions", bad), 400)["field"] == "type"
    events = all_pages(client, admin, "/audit-events?resource=tariff")
    assert [e["action"] for e in events] == ["create", "publish_version"]


def test_versions_need_the_right_role(client: TestClient, engine: Engine, admin: Caller) -> None:
    uuid = ok(post(client, admin, "/tariffs", PEAK), 201)["uuid"]
    support = account(engine, "support")
    body = {**PEAK, "start_date_time": "2099-01-01T00:00:00Z"}
    assert error_of(post(client, support, f"/tariffs/{uuid}/versions", body), 403)
    missing = "00000000-0000-4000-8000-000000000000"
    assert error_of(post(client, admin, f"/tariffs/{missing}/versions", body), 404)
