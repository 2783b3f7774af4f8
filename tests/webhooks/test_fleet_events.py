"""vehicle.created / updated / retired and card.blocked: written with the admin change (any
of the API, CLI and console: they share the services), to the vehicle's or card's
organisation, the vehicle as its /vehicles shows it."""

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fleetcharge.db import unit_of_work
from fleetcharge.fleets import cards, vehicle_records
from fleetcharge.fleets.admin_schemas import (
    CardAssign,
    CardCreate,
    CardUpdate,
    VehicleCreate,
    VehicleMove,
    VehicleUpdate,
)
from fleetcharge.fleets.service import vehicles_page
from fleetcharge.imports.vehicles import import_vehicles
from fleetcharge.kit.paging import parse_list_params
from fleetcharge.models import Card, Organisation, Vehicle, WebhookEvent
from fleetcharge.permissions import Actor
from fleetcharge.webhooks import event_types as types
from tests import factories as f
from tests.imports.files import VEHICLE_HEADER, csv_text, vehicles_file
from tests.webhooks.events import events, recipients
from tests.webhooks.factories import subscription

ADMIN = Actor.command_line()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.rollback()


def _subscribed(db: Session) -> tuple[Organisation, Organisation]:
    """An organisation subscribed to everything, and another one subscribed too."""
    org, other = f.organisation(db), f.organisation(db)
    subscription(db, org)
    subscription(db, other)
    return org, other


def _shown(db: Session, vehicle: Vehicle) -> dict:
    """The vehicle as /vehicles lists it to its organisation."""
    _, items = vehicles_page(db, vehicle.organisation_id, parse_list_params(None, None, None))
    (item,) = [item for item in items if item["uuid"] == str(vehicle.uuid)]
    return item


def _create(db: Session, org: Organisation) -> Vehicle:
    fleet = f.fleet(db, org)
    body = VehicleCreate(
        fleet_uuid=fleet.uuid, vin="1HGBH41JXMN109186", registration_number="1ABC234"
    )
    return vehicle_records.create_vehicle(db, ADMIN, body)


def test_a_created_vehicle_is_told_as_vehicles_shows_it(db: Session) -> None:
    org, _ = _subscribed(db)
    vehicle = _create(db, org)

    (created,) = events(db, types.VEHICLE_CREATED)
    assert created["data"] == {"vehicle": _shown(db, vehicle)}
    assert recipients(db, types.VEHICLE_CREATED) == [org.id]


def test_updates_tell_updated_retirement_tells_retired_and_power_nothing(db: Session) -> None:
    org, _ = _subscribed(db)
    vehicle = _create(db, org)

    vehicle_records.update_vehicle(db, ADMIN, vehicle, VehicleUpdate(registration_number="9Z"))
    (updated,) = events(db, types.VEHICLE_UPDATED)
    assert updated["data"]["vehicle"]["registration_number"] == "9Z"

    vehicle_records.update_vehicle(db, ADMIN, vehicle, VehicleUpdate(max_ac_power_kw=11))
    assert len(events(db, types.VEHICLE_UPDATED)) == 1

    last_day = VehicleUpdate(effective_to=date(2030, 1, 31))
    vehicle_records.update_vehicle(db, ADMIN, vehicle, last_day)
    (retired,) = events(db, types.VEHICLE_RETIRED)
    assert retired["data"] == {"vehicle": _shown(db, vehicle)}
    assert retired["data"]["vehicle"]["effective_to"] == "2030-01-31"


def test_a_move_retires_the_old_record_and_creates_the_new(db: Session) -> None:
    org, _ = _subscribed(db)
    vehicle = f.vehicle(db, f.fleet(db, org))
    target, id_tag = f.fleet(db, org), vehicle.cards[0].id_tag
    moved = vehicle_records.move_vehicle(
        db, ADMIN, vehicle, VehicleMove(fleet_uuid=target.uuid, **{"from": date(2030, 2, 1)})
    )

    (retired,) = events(db, types.VEHICLE_RETIRED)
    (created,) = events(db, types.VEHICLE_CREATED)
    assert retired["data"] == {"vehicle": _shown(db, vehicle)}
    assert created["data"] == {"vehicle": _shown(db, moved)}
    assert (retired["data"]["vehicle"]["cards"], created["data"]["vehicle"]["cards"]) == (
        [],
        [{"id_tag": id_tag}],
    )


def test_blocking_a_card_tells_blocked_and_its_vehicle_updated(db: Session) -> None:
    org, _ = _subscribed(db)
    vehicle = f.vehicle(db, f.fleet(db, org))
    card = vehicle.cards[0]

    cards.set_blocked(db, ADMIN, card, True)
    (blocked,) = events(db, types.CARD_BLOCKED)
    assert blocked["data"]["card"] == {
        "uuid": str(card.uuid),
        "id_tag": card.id_tag,
        "status": "blocked",
        "vehicle": {"uuid": str(vehicle.uuid), "vin": vehicle.vin},
    }
    assert recipients(db, types.CARD_BLOCKED) == [org.id]
    (updated,) = events(db, types.VEHICLE_UPDATED)
    assert updated["data"]["vehicle"]["cards"] == []

    cards.set_blocked(db, ADMIN, card, True)  # already blocked: no change to tell
    cards.set_blocked(db, ADMIN, card, False)
    assert len(events(db, types.CARD_BLOCKED)) == 1
    assert events(db, types.VEHICLE_UPDATED)[-1]["data"]["vehicle"]["cards"] == [
        {"id_tag": card.id_tag}
    ]


def test_card_changes_tell_the_vehicles_whose_cards_changed(db: Session) -> None:
    org, _ = _subscribed(db)
    first, second = f.vehicle(db, f.fleet(db, org), id_tags=()), f.vehicle(db, f.fleet(db, org))
    card = cards.create_card(db, ADMIN, CardCreate(id_tag="NEWCARD1", vehicle_uuid=first.uuid))
    assert [e["data"]["vehicle"]["uuid"] for e in events(db, types.VEHICLE_UPDATED)] == [
        str(first.uuid)
    ]
    cards.assign_card(db, ADMIN, card, CardAssign(vehicle_uuid=second.uuid))
    told = [e["data"]["vehicle"] for e in events(db, types.VEHICLE_UPDATED)[1:]]
    assert told == [_shown(db, first), _shown(db, second)]
    cards.update_card(db, ADMIN, card, CardUpdate(expires_at=None))  # not on /vehicles
    assert len(events(db, types.VEHICLE_UPDATED)) == 3


def test_a_network_card_blocked_tells_nobody(db: Session) -> None:
    _subscribed(db)
    card = cards.create_card(db, ADMIN, CardCreate(id_tag="NETWORK1"))
    cards.set_blocked(db, ADMIN, card, True)
    assert events(db) == []


def test_a_rolled_back_change_leaves_no_event(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        org, _ = _subscribed(db)
        vehicle_id = f.vehicle(db, f.fleet(db, org)).id
    with pytest.raises(RuntimeError), unit_of_work(engine) as db:
        vehicle = db.get_one(Vehicle, vehicle_id)
        cards.set_blocked(db, ADMIN, vehicle.cards[0], True)
        assert len(events(db, types.CARD_BLOCKED)) == 1  # written, in the transaction
        raise RuntimeError("the request failed after the change")
    with unit_of_work(engine) as db:
        assert db.scalars(select(WebhookEvent)).all() == []
        assert db.scalars(select(Card.status)).all() == ["active"]


def test_nobody_subscribed_writes_nothing(db: Session) -> None:
    org = f.organisation(db)
    vehicle = _create(db, org)
    vehicle_records.update_vehicle(db, ADMIN, vehicle, VehicleUpdate(registration_number="9Z"))
    assert events(db) == []


def test_an_import_tells_created_and_updated_vehicles(db: Session) -> None:
    org, _ = _subscribed(db)

    def load(rows: list[list[str]]) -> None:
        data = csv_text(VEHICLE_HEADER, rows).encode()
        import_vehicles(db, ADMIN, org, data)

    load(vehicles_file(3, cards_every=10))
    created = events(db, types.VEHICLE_CREATED)
    assert len(created) == 3 and recipients(db, types.VEHICLE_CREATED) == [org.id] * 3
    vehicles = db.scalars(select(Vehicle).where(Vehicle.organisation_id == org.id)).all()
    assert sorted(e["data"]["vehicle"]["vin"] for e in created) == sorted(v.vin for v in vehicles)
    for event in created:
        (vehicle,) = [v for v in vehicles if str(v.uuid) == event["data"]["vehicle"]["uuid"]]
        assert event["data"]["vehicle"] == _shown(db, vehicle)

    rows = vehicles_file(3, cards_every=10)
    rows[1][1] = "CHANGED"  # registration of the second
    rows[0][5], rows[2][5] = "", "T2;T0"  # the first one's card moves to the third
    load(rows)
    updated = {e["data"]["vehicle"]["vin"] for e in events(db, types.VEHICLE_UPDATED)}
    assert updated == {rows[0][0], rows[1][0], rows[2][0]}
    assert len(events(db, types.VEHICLE_UPDATED)) == 3
    for event in events(db, types.VEHICLE_UPDATED):
        (vehicle,) = [v for v in vehicles if str(v.uuid) == event["data"]["vehicle"]["uuid"]]
        db.refresh(vehicle)
        assert event["data"]["vehicle"] == _shown(db, vehicle)
    assert events(db, types.VEHICLE_CREATED) == created
