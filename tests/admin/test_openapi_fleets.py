"""/fleets, /vehicles and /cards against the admin OpenAPI document: every operation
scripted (success, then its documented errors), each answer validated by schemathesis."""

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from fleetcharge.web.app import create_app
from tests import factories as f
from tests.admin.documented import Script
from tests.admin.helpers import ADMIN, Caller, account, member
from tests.api.helpers import UNLIMITED

MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def schema(engine: Engine) -> Iterator[schemathesis.schemas.BaseSchema]:
    yield schemathesis.openapi.from_asgi(f"{ADMIN}/openapi.json", create_app(engine, UNLIMITED))


def test_fleets_vehicles_and_cards_answer_as_documented(
    client: TestClient, engine: Engine, admin: Caller, schema: schemathesis.schemas.BaseSchema
) -> None:
    with unit_of_work(engine) as db:
        org = f.organisation(db, "Cybertron")
        theirs = f.fleet(db, f.organisation(db, "Away"), "Theirs")
        manager = member(db, org)
        org_uuid, theirs_uuid = str(org.uuid), str(theirs.uuid)
    support = account(engine, "support")
    script = Script(client, schema)
    call = script.call
    h = admin.headers

    one = "/fleets/{uuid}"
    body = {"organisation_uuid": org_uuid, "name": "Vans"}
    vans = call("POST", "/fleets", "/fleets", 201, json=body, headers=h)
    call("POST", "/fleets", "/fleets", 409, json=body, headers=h)
    call("POST", "/fleets", "/fleets", 400, json={**body, "name": ""}, headers=h)
    call("POST", "/fleets", "/fleets", 403, json=body, headers=support.headers)
    keyed = {**h, "Idempotency-Key": "fleet-1"}
    utes = call("POST", "/fleets", "/fleets", 201, json={**body, "name": "Utes"}, headers=keyed)
    call("POST", "/fleets", "/fleets", 422, json={**body, "name": "Other"}, headers=keyed)
    call("GET", f"/fleets?organisation_uuid={org_uuid}&q=a", "/fleets", 200, headers=h)
    call("GET", "/fleets", "/fleets", 401, headers={})
    call("GET", f"/fleets/{vans['uuid']}", one, 200, headers=h)
    call("GET", f"/fleets/{theirs_uuid}", one, 404, headers=manager.headers)
    stale = {**h, "If-Match": f'"{vans["version"]}"'}
    call("PATCH", f"/fleets/{vans['uuid']}", one, 200, json={"name": "Vans 2"}, headers=stale)
    call("PATCH", f"/fleets/{vans['uuid']}", one, 412, json={"name": "Vans 3"}, headers=stale)

    one = "/vehicles/{uuid}"
    body = {"fleet_uuid": vans["uuid"], "vin": "1HGBH41JXMN109186", "registration_number": "R1"}
    van = call("POST", "/vehicles", "/vehicles", 201, json=body, headers=h)
    call("POST", "/vehicles", "/vehicles", 409, json=body, headers=h)
    call("POST", "/vehicles", "/vehicles", 400, json={**body, "vin": "short"}, headers=h)
    call("GET", "/vehicles?status=active&q=109", "/vehicles", 200, headers=h)
    call("GET", "/vehicles?status=gone", "/vehicles", 400, headers=h)
    call("GET", f"/vehicles/{van['uuid']}", one, 200, headers=h)
    call("GET", f"/vehicles/{MISSING}", one, 404, headers=h)
    stale = {**h, "If-Match": f'"{van["version"]}"'}
    patch = {"registration_number": "R2"}
    call("PATCH", f"/vehicles/{van['uuid']}", one, 200, json=patch, headers=stale)
    call("PATCH", f"/vehicles/{van['uuid']}", one, 412, json=patch, headers=stale)
    move = "/vehicles/{uuid}/move"
    to_utes = {"fleet_uuid": utes["uuid"], "from": "2099-01-01"}
    call("POST", f"/vehicles/{van['uuid']}/move", move, 412, json=to_utes, headers=stale)
    moved = call("POST", f"/vehicles/{van['uuid']}/move", move, 201, json=to_utes, headers=h)
    call("POST", f"/vehicles/{moved['uuid']}/move", move, 400, json=to_utes, headers=h)

    one = "/cards/{uuid}"
    card = call("POST", "/cards", "/cards", 201, json={"id_tag": "TAG-1"}, headers=h)
    call("POST", "/cards", "/cards", 409, json={"id_tag": "TAG-1"}, headers=h)
    call("POST", "/cards", "/cards", 400, json={"id_tag": "a b"}, headers=h)
    call("GET", "/cards?status=active&q=tag", "/cards", 200, headers=h)
    call("GET", f"/cards/{card['uuid']}", one, 200, headers=h)
    call("GET", f"/cards/{card['uuid']}", one, 404, headers=manager.headers)  # a network card
    path = f"/cards/{card['uuid']}"
    call("PATCH", path, one, 200, json={"expires_at": "2030-01-01T00:00:00Z"}, headers=h)
    call("PATCH", path, one, 403, json={"expires_at": None}, headers=support.headers)
    assign = {"vehicle_uuid": moved["uuid"]}
    call("POST", f"{path}/assign", "/cards/{uuid}/assign", 200, json=assign, headers=h)
    missing = {"vehicle_uuid": MISSING}
    call("POST", f"{path}/assign", "/cards/{uuid}/assign", 404, json=missing, headers=h)
    call("POST", f"{path}/unassign", "/cards/{uuid}/unassign", 200, headers=h)
    stale = {**h, "If-Match": '"1"'}
    call("POST", f"{path}/unassign", "/cards/{uuid}/unassign", 412, headers=stale)
    call("POST", f"{path}/block", "/cards/{uuid}/block", 200, headers=support.headers)
    call("POST", f"{path}/unblock", "/cards/{uuid}/unblock", 200, headers=support.headers)
    call("POST", f"{path}/unblock", "/cards/{uuid}/unblock", 412, headers=stale)

    for prefix in ("/fleets", "/vehicles", "/cards"):
        script.assert_covers(prefix)
