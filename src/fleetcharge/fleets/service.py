"""The /vehicles projection: every vehicle of the organisation's fleets, retired ones too."""

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fleetcharge.kit.paging import PAGE_SIZE, ListParams
from fleetcharge.models import Card, Fleet, Vehicle
from fleetcharge.models.vehicle import CardStatus


def active_cards(db: Session, vehicle_ids: list[int]) -> dict[int, list[dict[str, str]]]:
    cards: dict[int, list[dict[str, str]]] = defaultdict(list)
    if vehicle_ids:
        query = (
            select(Card.vehicle_id, Card.id_tag)
            .where(Card.vehicle_id.in_(vehicle_ids), Card.status == CardStatus.ACTIVE)
            .order_by(Card.vehicle_id, Card.id)
        )
        for row in db.execute(query):
            cards[row.vehicle_id].append({"id_tag": row.id_tag})
    return cards


VEHICLE_COLUMNS = (
    Vehicle.id,
    Vehicle.uuid,
    Vehicle.contract_number,
    Vehicle.vin,
    Vehicle.registration_number,
    Vehicle.effective_from,
    Vehicle.effective_to,
    Fleet.uuid.label("fleet_uuid"),
    Fleet.name.label("fleet_name"),
)


def vehicle_dicts(db: Session, rows: list[Any]) -> list[dict[str, Any]]:
    cards = active_cards(db, [row.id for row in rows])
    return [
        {
            "uuid": str(row.uuid),
            "contract_number": row.contract_number,
            "vin": row.vin,
            "registration_number": row.registration_number,
            "effective_from": row.effective_from.isoformat(),
            "effective_to": row.effective_to.isoformat() if row.effective_to else None,
            "customer": {"uuid": str(row.fleet_uuid), "name": row.fleet_name},
            "cards": cards[row.id],
        }
        for row in rows
    ]


def vehicles_page(
    db: Session, organisation_id: int, params: ListParams
) -> tuple[int, list[dict[str, Any]]]:
    total = (
        db.scalar(
            select(func.count())
            .select_from(Vehicle)
            .where(Vehicle.organisation_id == organisation_id)
        )
        or 0
    )
    if params.offset >= total:
        return total, []
    rows = list(
        db.execute(
            select(*VEHICLE_COLUMNS)
            .join(Fleet, Fleet.id == Vehicle.fleet_id)
            .where(Vehicle.organisation_id == organisation_id)
            .order_by(Vehicle.effective_from, Vehicle.uuid)
            .offset(params.offset)
            .limit(PAGE_SIZE)
        )
    )
    return total, vehicle_dicts(db, rows)
