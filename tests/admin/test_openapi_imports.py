"""/imports against the admin OpenAPI document: every operation's success and documented
errors, each response validated by schemathesis (see tests.admin.documented)."""

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
from tests.imports.files import VEHICLE_HEADER, csv_text, vehicles_file

LOCATIONS = (
    "location,host_organisation,address,timezone,station_identity,evse_id,station_name,"
    "connector_id\nWharf,Harbour,1 Quay,Australia/Sydney,CP1,AU*E1,Bay 1,1\n"
)


@pytest.fixture
def schema(engine: Engine) -> Iterator[schemathesis.schemas.BaseSchema]:
    yield schemathesis.openapi.from_asgi(f"{ADMIN}/openapi.json", create_app(engine, UNLIMITED))


def test_imports_answer_as_documented(
    client: TestClient, engine: Engine, admin: Caller, schema: schemathesis.schemas.BaseSchema
) -> None:
    with unit_of_work(engine) as db:
        org = f.organisation(db, "Harbour")
        other = f.organisation(db, "Elsewhere")
        manager = member(db, org)
        ids = str(org.uuid), str(other.uuid)
    script = Script(client, schema)
    h = {**admin.headers, "Content-Type": "text/csv"}
    vehicles, template = f"/imports/vehicles?organisation_uuid={ids[0]}", "/imports/vehicles"
    good = csv_text(VEHICLE_HEADER, vehicles_file(3))
    script.call("POST", f"{vehicles}&dry_run=true", template, 200, content=good, headers=h)
    script.call("POST", vehicles, template, 200, content=good, headers=h)
    bad = csv_text(VEHICLE_HEADER, [["x", "", "", "", "", ""]])
    error = script.call("POST", vehicles, template, 400, content=bad, headers=h)
    assert [p["column"] for p in error["error"]["problems"]] == ["registration_number", "vin"]
    script.call(
        "POST", "/imports/vehicles?organisation_uuid=x", template, 400, content=good, headers=h
    )
    script.call("POST", vehicles, template, 401, content=good, headers={})
    support = {**account(engine, "support").headers, "Content-Type": "text/csv"}
    script.call("POST", vehicles, template, 403, content=good, headers=support)
    theirs = f"/imports/vehicles?organisation_uuid={ids[1]}"
    mine = {**manager.headers, "Content-Type": "text/csv"}
    script.call("POST", theirs, template, 404, content=good, headers=mine)

    locations = "/imports/locations"
    script.call("POST", locations, locations, 200, content=LOCATIONS, headers=h)
    script.call("POST", locations, locations, 400, content="station\n", headers=h)
    script.call("POST", locations, locations, 401, content=LOCATIONS, headers={})
    script.call("POST", locations, locations, 403, content=LOCATIONS, headers=mine)
    script.assert_covers("/imports")
