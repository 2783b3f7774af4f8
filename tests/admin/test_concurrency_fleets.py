"""Cards and vehicles under real concurrency on PostgreSQL: two changes of a card holding
one ETag (one 412), and one VIN created twice at once (one vehicle, one 409 naming `vin`)."""

import uuid
from collections.abc import Callable
from datetime import date

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, func, insert, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import Card, Vehicle
from tests import factories as f
from tests.admin.concurrency import race
from tests.admin.helpers import ADMIN, Caller, ok

VIN = "1HGBH41JXMN109186"


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_card_changes_with_one_etag_one_wins_one_is_412(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    with unit_of_work(engine) as db:
        fleet = f.fleet(db, f.organisation(db))
        vehicle = f.vehicle(db, fleet, id_tags=("RACE-1",))
        other = f.vehicle(db, fleet, id_tags=())
        card_uuid, other_uuid = str(vehicle.cards[0].uuid), str(other.uuid)
    url = f"{ADMIN}/cards/{card_uuid}"
    etag = client.get(url, headers=admin.headers).headers["etag"]
    headers = {**admin.headers, "If-Match": etag}

    def block() -> httpx.Response:
        return client.post(f"{url}/block", headers=headers)

    def assign() -> httpx.Response:
        return client.post(f"{url}/assign", json={"vehicle_uuid": other_uuid}, headers=headers)

    def lock_cards(connection: Connection) -> None:
        connection.execute(select(Card.id).with_for_update())

    responses = race(engine, lock_cards, block, assign)
    assert sorted(r.status_code for r in responses) == [200, 412], [r.text for r in responses]
    (winner,) = [r.json() for r in responses if r.status_code == 200]
    assert ok(client.get(url, headers=admin.headers)) == winner


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_one_vin_created_twice_at_once_makes_one_vehicle(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    with unit_of_work(engine) as db:
        organisation = f.organisation(db)
        fleets = [f.fleet(db, organisation), f.fleet(db, organisation)]
        ids = (organisation.id, fleets[0].id)
        fleet_uuids = [str(fleet.uuid) for fleet in fleets]

    def hold_the_vin(connection: Connection) -> None:
        # An uncommitted active vehicle with the VIN: both requests pass their look-up
        # and wait on the unique index, as two real creates would behind each other.
        row = {
            "uuid": uuid.uuid4(),
            "organisation_id": ids[0],
            "fleet_id": ids[1],
            "vin": VIN,
            "registration_number": "HOLD",
            "effective_from": date(2024, 1, 1),
        }
        connection.execute(insert(Vehicle).values(**row))

    def create(fleet_uuid: str) -> Callable[[], httpx.Response]:
        body = {"fleet_uuid": fleet_uuid, "vin": VIN, "registration_number": "R"}
        return lambda: client.post(f"{ADMIN}/vehicles", json=body, headers=admin.headers)

    responses = race(engine, hold_the_vin, create(fleet_uuids[0]), create(fleet_uuids[1]))
    assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
    (refused,) = [r.json() for r in responses if r.status_code == 409]
    assert refused["error"]["field"] == "vin"
    with unit_of_work(engine) as db:
        assert db.scalar(select(func.count()).select_from(Vehicle)) == 1
