"""The vehicle events webhooks tell of (vehicle.created, vehicle.updated,
vehicle.retired), each vehicle as /vehicles shows it to its organisation."""

from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.fleets.service import VEHICLE_COLUMNS, vehicle_dicts
from fleetcharge.models import Fleet, Vehicle
from fleetcharge.webhooks.emitters import emit_planned, wanted, wants
from fleetcharge.webhooks.outbox import Event, emit_many


def vehicle_changed(db: Session, organisation_id: int, vehicle_id: int, event_type: str) -> None:
    """vehicle.created, vehicle.updated or vehicle.retired."""
    emit_planned(db, [(organisation_id, event_type, partial(_vehicle, db, vehicle_id))])


def vehicles_changed(db: Session, changes: list[tuple[int, str]]) -> None:
    """Many vehicles' events at once (an import), each to the vehicle's organisation."""
    if not changes:
        return
    ids = sorted({vehicle_id for vehicle_id, _ in changes})
    query = select(Vehicle.id, Vehicle.organisation_id).where(Vehicle.id.in_(ids))
    owners: dict[int, int] = {row.id: row.organisation_id for row in db.execute(query)}
    subscribed = wanted(db, owners.values())
    changes = [
        (vehicle_id, event_type)
        for vehicle_id, event_type in changes
        if wants(subscribed, owners[vehicle_id], event_type)
    ]
    documents = _vehicle_documents(db, [vehicle_id for vehicle_id, _ in changes])
    events = [
        Event(owners[vehicle_id], event_type, {"vehicle": documents[vehicle_id]})
        for vehicle_id, event_type in changes
    ]
    if events:
        emit_many(db, events)


def _vehicle(db: Session, vehicle_id: int) -> dict[str, Any]:
    return {"vehicle": _vehicle_documents(db, [vehicle_id])[vehicle_id]}


def _vehicle_documents(db: Session, vehicle_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The vehicles as /vehicles shows them, by id (a few queries per 1,000 vehicles)."""
    documents: dict[int, dict[str, Any]] = {}
    for start in range(0, len(vehicle_ids), 1000):
        chunk = vehicle_ids[start : start + 1000]
        rows = list(
            db.execute(
                select(*VEHICLE_COLUMNS)
                .join(Fleet, Fleet.id == Vehicle.fleet_id)
                .where(Vehicle.id.in_(chunk))
            )
        )
        documents.update(zip((row.id for row in rows), vehicle_dicts(db, rows), strict=True))
    return documents
