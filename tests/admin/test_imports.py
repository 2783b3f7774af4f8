"""/imports over HTTP: who may import where, a bad file's problems, a good file's summary."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import AuditEvent, Vehicle
from tests import factories as f
from tests.admin.helpers import ADMIN, Caller, account, error_of, member, ok
from tests.imports.files import VEHICLE_HEADER, csv_text, vehicles_file

IMPORTS = f"{ADMIN}/imports"
CSV = {"Content-Type": "text/csv"}


def upload(client: TestClient, caller: Caller, path: str, text: str) -> object:
    return client.post(f"{IMPORTS}{path}", content=text, headers={**caller.headers, **CSV})


def test_import_vehicles_then_a_bad_file_is_400_with_every_problem(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    with unit_of_work(engine) as db:
        org = str(f.organisation(db, "Cybertron").uuid)
    path = f"/vehicles?organisation_uuid={org}&fleet=Vans"
    good = csv_text(
        ["vin", "registration_number", "cards"], [r[:2] + r[5:] for r in vehicles_file(3)]
    )
    done = ok(upload(client, admin, path, good))
    assert done["vehicles"] == {"created": 3, "updated": 0, "unchanged": 0}
    assert done["fleets"] == {"created": 1, "updated": 0, "unchanged": 0}
    rows = vehicles_file(4)
    rows[1][1], rows[3][2] = "", "x" * 201
    error = error_of(upload(client, admin, path, csv_text(VEHICLE_HEADER, rows)), 400)
    assert error == {
        "code": "invalid_file",
        "message": "the file has 2 problems, nothing was imported",
        "problems": [
            {
                "line": 3,
                "column": "registration_number",
                "message": "registration_number must be 1 to 20 characters, got 0",
            },
            {"line": 5, "column": "fleet", "message": "fleet must be 1 to 200 characters, got 201"},
        ],
        "total_problems": 2,
    }
    with unit_of_work(engine) as db:
        assert db.scalar(select(func.count()).select_from(Vehicle)) == 3
        kinds = ("vehicle", "card", "fleet")
        events = db.scalars(select(AuditEvent).where(AuditEvent.resource.in_(kinds))).all()
        assert {e.actor_name for e in events} == {"admin account"}
        assert len(events) == 3 + 4 + 1  # vehicles, cards (two for the first), the fleet


def test_who_may_import_vehicles_where(client: TestClient, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        mine, theirs = f.organisation(db, "Cybertron"), f.organisation(db, "Iacon")
        manager = member(db, mine)
        ids = str(mine.uuid), str(theirs.uuid)
    text = csv_text(VEHICLE_HEADER, vehicles_file(1))
    support = account(engine, "support")
    for caller, org, status in (
        (manager, ids[0], 200),
        (manager, ids[1], 404),  # another organisation's is as if absent
        (support, ids[0], 403),
        (account(engine, "billing"), ids[0], 403),
    ):
        response = upload(client, caller, f"/vehicles?organisation_uuid={org}", text)
        assert response.status_code == status, (caller.role, response.text)  # type: ignore[attr-defined]
    nobody = Caller("none", "fca_" + "x" * 43)
    assert error_of(upload(client, nobody, "/locations", text), 401)["code"] == "unauthorized"
    locations = upload(client, manager, "/locations", "location\n")
    assert error_of(locations, 403)["code"] == "forbidden"


def test_import_locations_and_bad_parameters(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    with unit_of_work(engine) as db:
        host = f.organisation(db, "Harbour")
        f.tariff(db).name = "Std"
    header = (
        "location,host_organisation,address,timezone,station_identity,evse_id,station_name,"
        "tariff,connector_id\n"
    )
    text = header + "Wharf,Harbour,1 Quay,Australia/Sydney,CP1,AU*E1,Bay 1,Std,1\n"
    text += "Wharf,Harbour,1 Quay,Australia/Sydney,CP1,AU*E1,Bay 1,Std,2\n"
    done = ok(upload(client, admin, "/locations?dry_run=true", text))
    assert done == {
        "dry_run": True,
        "locations": {"created": 1, "updated": 0, "unchanged": 0},
        "stations": {"created": 1, "updated": 0, "unchanged": 0},
        "connectors": {"created": 2, "updated": 0, "unchanged": 0},
    }
    assert ok(upload(client, admin, "/locations", text))["dry_run"] is False
    assert host.name == "Harbour"
    bad = error_of(upload(client, admin, "/locations?dry_run=maybe", text), 400)
    assert bad["code"] == "invalid_parameter"
    bad = error_of(upload(client, admin, "/vehicles?organisation_uuid=nope", text), 400)
    assert bad["code"] == "invalid_parameter"
