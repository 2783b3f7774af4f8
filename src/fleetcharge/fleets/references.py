"""Finding fleets, vehicles and cards the way operators refer to them on the command line:
a fleet by name (within an organisation) or UUID, a vehicle by VIN or UUID, a card by id
tag or UUID."""

import uuid as uuid_module

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.errors import Conflict, NotFound
from fleetcharge.models import Card, Fleet, Organisation, Vehicle


def _uuid(reference: str) -> uuid_module.UUID | None:
    try:
        return uuid_module.UUID(reference)
    except ValueError:
        return None


def find_fleet(
    db: Session, reference: str, organisation: Organisation | None = None, field: str = "fleet"
) -> Fleet:
    uuid = _uuid(reference)
    query = select(Fleet).where(Fleet.uuid == uuid if uuid else Fleet.name == reference.strip())
    if organisation is not None:
        query = query.where(Fleet.organisation_id == organisation.id)
    found = list(db.scalars(query.limit(2)))
    if not found:
        raise NotFound(f"no fleet named or with UUID {reference!r}", field=field)
    if len(found) > 1:
        raise Conflict(
            f"more than one organisation has a fleet named {reference!r}: give the "
            "organisation, or the fleet's UUID",
            field=field,
        )
    return found[0]


def find_vehicle(db: Session, reference: str, field: str = "vehicle") -> Vehicle:
    """By UUID, or by VIN: its active record, else its latest."""
    uuid = _uuid(reference)
    if uuid is not None:
        query = select(Vehicle).where(Vehicle.uuid == uuid)
    else:
        query = (
            select(Vehicle)
            .where(Vehicle.vin == reference.strip().upper())
            .order_by(Vehicle.effective_to.is_(None).desc(), Vehicle.effective_from.desc())
        )
    vehicle = db.scalar(query.limit(1))
    if vehicle is None:
        raise NotFound(f"no vehicle with VIN or UUID {reference!r}", field=field)
    return vehicle


def find_card(db: Session, reference: str, field: str = "card") -> Card:
    uuid = _uuid(reference)
    card = db.scalar(
        select(Card).where(Card.uuid == uuid if uuid else Card.id_tag == reference.strip())
    )
    if card is None:
        raise NotFound(f"no card with id tag or UUID {reference!r}", field=field)
    return card
