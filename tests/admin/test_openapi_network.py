"""Locations, stations and station commands against the admin OpenAPI document: every
operation scripted, its success and its documented errors (see tests.admin.documented)."""

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from fleetcharge.web.app import create_app
from tests import factories as f
from tests.admin.documented import Script
from tests.admin.firmware_documented import script_station_transfers
from tests.admin.helpers import ADMIN, Caller, account
from tests.admin.openapi_lists import script_lists_and_reservations
from tests.admin.openapi_profiles import script_station_profiles
from tests.admin.openapi_sites import script_sites
from tests.admin.openapi_station_security import script_station_security
from tests.api.helpers import UNLIMITED

MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def schema(engine: Engine) -> Iterator[schemathesis.schemas.BaseSchema]:
    yield schemathesis.openapi.from_asgi(f"{ADMIN}/openapi.json", create_app(engine, UNLIMITED))


def test_every_network_operation_answers_as_documented(
    client: TestClient, engine: Engine, admin: Caller, schema: schemathesis.schemas.BaseSchema
) -> None:
    with unit_of_work(engine) as db:
        host = str(f.organisation(db, "Host").uuid)
        tariff = str(f.tariff(db).uuid)
    support = account(engine, "support").headers
    billing = account(engine, "billing").headers
    script = Script(client, schema)
    call = script.call
    h = admin.headers

    site = {"name": "Depot", "address": "1 St", "timezone": "Australia/Perth"}
    body = {**site, "host_organisation_uuid": host}
    location = call("POST", "/locations", "/locations", 201, json=body, headers=h)
    call("POST", "/locations", "/locations", 400, json={**body, "timezone": "X"}, headers=h)
    call("POST", "/locations", "/locations", 403, json=body, headers=support)
    call("GET", f"/locations?organisation_uuid={host}", "/locations", 200, headers=support)
    call("GET", "/locations", "/locations", 401, headers={})
    one = "/locations/{uuid}"
    path = f"/locations/{location['uuid']}"
    shown = client.get(f"{ADMIN}{path}", headers=h)
    call("GET", path, one, 200, headers=h)
    call("GET", f"/locations/{MISSING}", one, 404, headers=h)
    etag = {**h, "If-Match": shown.headers["etag"]}
    call("PATCH", path, one, 200, json={"name": "Depot North"}, headers=etag)
    call("PATCH", path, one, 412, json={"name": "Late"}, headers=etag)
    allocation = "/locations/{uuid}/allocation"
    call("GET", f"{path}/allocation", allocation, 200, headers=support)
    call("GET", f"/locations/{MISSING}/allocation", allocation, 404, headers=h)

    station_body = {
        "identity": "CP-1",
        "evse_id": "AU*FCN*E1",
        "name": "Bay 1",
        "location_uuid": location["uuid"],
        "tariff_uuid": tariff,
        "connectors": [{"connector_id": 1, "name": "CCS2"}],
    }
    station = call("POST", "/stations", "/stations", 201, json=station_body, headers=h)
    call("POST", "/stations", "/stations", 409, json=station_body, headers=h)
    bad = {**station_body, "identity": "CP-9", "connectors": [{"connector_id": 1, "name": ""}]}
    call("POST", "/stations", "/stations", 400, json=bad, headers=h)
    keyed = {**h, "Idempotency-Key": "cp-2"}
    second = {**station_body, "identity": "CP-2", "evse_id": "AU*FCN*E2"}
    call("POST", "/stations", "/stations", 201, json=second, headers=keyed)
    call("POST", "/stations", "/stations", 422, json=station_body, headers=keyed)
    call("GET", "/stations?status=active&q=CP", "/stations", 200, headers=billing)
    one = "/stations/{uuid}"
    path = f"/stations/{station['uuid']}"
    shown = client.get(f"{ADMIN}{path}", headers=h)
    call("GET", path, one, 200, headers=h)
    call("GET", f"/stations/{MISSING}", one, 404, headers=h)
    etag = {**h, "If-Match": shown.headers["etag"]}
    call("PATCH", path, one, 200, json={"max_power_kw": 150}, headers=etag)
    call("PATCH", path, one, 412, json={"name": "Late"}, headers=etag)
    password = "/stations/{uuid}/password"
    call("POST", f"{path}/password", password, 200, headers=h)
    call("POST", f"{path}/password", password, 400, json={"password": "x"}, headers=h)
    call("POST", f"{path}/password", password, 403, headers=support)
    approve = "/stations/{uuid}/approve"
    call("POST", f"{path}/approve", approve, 200, headers=h)
    call("POST", f"{path}/approve", approve, 403, headers=support)
    call("POST", f"/stations/{MISSING}/approve", approve, 404, headers=h)
    decommission = "/stations/{uuid}/decommission"
    call("POST", f"{path}/decommission", decommission, 200, headers=h)
    call("POST", f"/stations/{MISSING}/decommission", decommission, 404, headers=h)

    call("GET", "/stations/connected", "/stations/connected", 200, headers=support)
    call("GET", "/stations/connected", "/stations/connected", 401, headers={})
    commands = [
        ("remote-stop", {"transactionId": 1}),
        ("unlock", {"connectorId": 1}),
        ("reset", {"type": "Hard"}),
        ("trigger", {"requestedMessage": "Heartbeat"}),
        ("availability", {"connectorId": 0, "type": "Inoperative"}),
    ]
    for name, command in commands:
        template = f"/stations/{{identity}}/{name}"
        call("POST", f"/stations/CP-1/{name}", template, 404, json=command, headers=support)
        call("POST", f"/stations/CP-1/{name}", template, 403, json=command, headers=billing)
        call("POST", f"/stations/CP-1/{name}", template, 400, json={"x": 1}, headers=support)
    core = [  # the Core profile's (core16)
        ("remote-start", {"idTag": "NO-SUCH-CARD"}, 400),
        ("clear-cache", None, 404),
        ("data-transfer", {"vendorId": "com.acme"}, 404),
        ("configuration", {"key": "HeartbeatInterval", "value": "60"}, 404),
        ("configuration/read", {"keys": ["HeartbeatInterval"]}, 404),
    ]
    for name, command, status in core:
        template = f"/stations/{{identity}}/{name}"
        call("POST", f"/stations/CP-1/{name}", template, status, json=command, headers=support)
        call("POST", f"/stations/CP-1/{name}", template, 403, json=command, headers=billing)
    configuration = "/stations/{identity}/configuration"
    call("GET", "/stations/CP-1/configuration", configuration, 200, headers=billing)
    call("GET", "/stations/CP-9/configuration", configuration, 404, headers=billing)
    script_station_transfers(script, "CP-1", support, billing)

    script_lists_and_reservations(call, location["uuid"], h, support, billing)
    script_station_profiles(call, "CP-1", support, billing)
    script_station_security(call, "CP-1", support, billing)
    script_sites(call, location["uuid"], station["uuid"], h, support)

    peak = {"name": "Peak", "elements": f.ENERGY_30C}
    created = call("POST", "/tariffs", "/tariffs", 201, json=peak, headers=h)
    call("POST", "/tariffs", "/tariffs", 400, json={**peak, "elements": []}, headers=h)
    call("POST", "/tariffs", "/tariffs", 403, json=peak, headers=support)
    call("GET", "/tariffs?q=pe", "/tariffs", 200, headers=support)
    one = "/tariffs/{uuid}"
    call("GET", f"/tariffs/{created['uuid']}", one, 200, headers=h)
    call("GET", f"/tariffs/{MISSING}", one, 404, headers=h)
    overrides = "/tariffs/{uuid}/overrides"
    path = f"/tariffs/{created['uuid']}/overrides"
    here = {"organisation_uuid": host, "location_uuid": location["uuid"]}
    call("POST", path, overrides, 200, json=here, headers=h)
    call("POST", path, overrides, 400, json={**here, "location_uuid": MISSING}, headers=h)
    call("POST", path, overrides, 403, json=here, headers=support)
    call("GET", path, overrides, 200, headers=billing)
    call("GET", f"/tariffs/{MISSING}/overrides", overrides, 404, headers=h)
    one = "/tariffs/{uuid}/overrides/{organisation_uuid}/{location_uuid}"
    call("DELETE", f"{path}/{host}/{location['uuid']}", one, 200, headers=h)
    call("DELETE", f"{path}/{host}/{location['uuid']}", one, 404, headers=h)
    versions = "/tariffs/{uuid}/versions"
    path = f"/tariffs/{created['uuid']}/versions"
    later = {**peak, "start_date_time": "2099-01-01T00:00:00Z"}
    call("POST", path, versions, 201, json=later, headers=h)
    call("POST", path, versions, 400, json={**later, "start_date_time": "2001-01-01"}, headers=h)
    call("POST", path, versions, 403, json=later, headers=support)
    call("POST", f"/tariffs/{MISSING}/versions", versions, 404, json=later, headers=h)
    call("GET", path, versions, 200, headers=billing)
    call("GET", f"/tariffs/{MISSING}/versions", versions, 404, headers=h)

    script.assert_covers("/locations")
    script.assert_covers("/stations")
    script.assert_covers("/tariffs")
