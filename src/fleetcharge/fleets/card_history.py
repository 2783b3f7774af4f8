"""Which vehicle a card belonged to when: sessions are attributed by when they started, so
moving a card never changes who pays for what it charged before."""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.models import Card, CardAssignment, Vehicle

# Where a card's history starts when it is first changed: before it, the card belonged to
# the vehicle it was on (cards made before this history was kept have no row of their own).
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


def reassign(
    db: Session, card: Card, vehicle: Vehicle | None, starts: datetime, *, new: bool = False
) -> None:
    """From `starts` on, the card is `vehicle`'s (None: no vehicle's); it is its current
    vehicle at once, and keeps belonging to the vehicle's organisation once unassigned.
    A `new` card has no past to keep."""
    has_history = new or db.scalar(
        select(CardAssignment.id).where(CardAssignment.card_id == card.id).limit(1)
    )
    if not has_history:
        db.add(CardAssignment(card_id=card.id, vehicle_id=card.vehicle_id, valid_from=BEGINNING))
    db.add(
        CardAssignment(
            card_id=card.id, vehicle_id=vehicle.id if vehicle else None, valid_from=starts
        )
    )
    card.vehicle = vehicle
    if vehicle is not None:
        card.organisation_id = vehicle.organisation_id


def vehicle_at(db: Session, card: Card, moment: datetime) -> Vehicle | None:
    """The vehicle the card belonged to at `moment`: its latest assignment from then or
    before; with none, the vehicle it is on now."""
    assignment = db.scalar(
        select(CardAssignment)
        .where(CardAssignment.card_id == card.id, CardAssignment.valid_from <= moment)
        .order_by(CardAssignment.valid_from.desc(), CardAssignment.id.desc())
        .limit(1)
    )
    if assignment is None:
        return card.vehicle
    return db.get(Vehicle, assignment.vehicle_id) if assignment.vehicle_id is not None else None
