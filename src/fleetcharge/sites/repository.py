"""Reading a site's power settings, circuits, windows and its open transactions' figures."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.models import (
    Card,
    Connector,
    Fleet,
    Location,
    OcppMeterValue,
    OcppTransaction,
    SessionChargingNeed,
    SiteCircuit,
    SiteLimitWindow,
    SitePower,
    Station,
    Vehicle,
)
from fleetcharge.models.ocpp import TransactionState

ENERGY_REGISTER = "Energy.Active.Import.Register"
POWER_IMPORT = "Power.Active.Import"
_RECENT = 12  # sampled values looked at per measurand: one sample's phases and the one before


def smart_sites(
    db: Session, location_ids: list[int] | None = None
) -> Sequence[tuple[Location, SitePower]]:
    """Locations with a power limit set (smart charging on), by id."""
    query = (
        select(Location, SitePower)
        .join(SitePower, SitePower.location_id == Location.id)
        .where(SitePower.limit_kw.is_not(None))
        .order_by(Location.id)
    )
    if location_ids is not None:
        query = query.where(Location.id.in_(location_ids))
    return [(location, power) for location, power in db.execute(query)]


def circuits(db: Session, location_id: int) -> Sequence[SiteCircuit]:
    query = select(SiteCircuit).where(SiteCircuit.location_id == location_id)
    return db.scalars(query.order_by(SiteCircuit.id)).all()


def windows(db: Session, location_id: int) -> Sequence[SiteLimitWindow]:
    query = select(SiteLimitWindow).where(SiteLimitWindow.location_id == location_id)
    return db.scalars(query.order_by(SiteLimitWindow.id)).all()


def stations(db: Session, location_id: int) -> Sequence[Station]:
    query = select(Station).where(
        Station.location_id == location_id, Station.decommissioned_at.is_(None)
    )
    return db.scalars(query.order_by(Station.id)).all()


@dataclass(frozen=True)
class OpenTransaction:
    transaction: OcppTransaction
    station: Station
    connector_number: int
    vehicle: Vehicle | None
    fleet: Fleet | None
    need: SessionChargingNeed | None


def open_transactions(db: Session, station_ids: list[int]) -> list[OpenTransaction]:
    if not station_ids:
        return []
    query = (
        select(OcppTransaction, Station, Connector.connector_id, Vehicle, Fleet)
        .join(Station, Station.id == OcppTransaction.station_id)
        .join(Connector, Connector.id == OcppTransaction.connector_id)
        .outerjoin(Card, Card.id == OcppTransaction.card_id)
        .outerjoin(Vehicle, Vehicle.id == Card.vehicle_id)
        .outerjoin(Fleet, Fleet.id == Vehicle.fleet_id)
        .where(
            OcppTransaction.station_id.in_(station_ids),
            OcppTransaction.state == TransactionState.OPEN,
        )
        .order_by(OcppTransaction.id)
    )
    rows = db.execute(query).all()
    ids = [row[0].id for row in rows]
    needs = {
        need.transaction_id: need
        for need in db.scalars(
            select(SessionChargingNeed).where(SessionChargingNeed.transaction_id.in_(ids))
        )
    }
    return [
        OpenTransaction(tx, station, number, vehicle, fleet, needs.get(tx.id))
        for tx, station, number, vehicle, fleet in rows
    ]


def recent_values(db: Session, transaction_id: int, measurand: str) -> Sequence[OcppMeterValue]:
    """The transaction's latest sampled values of `measurand`, newest first."""
    query = (
        select(OcppMeterValue)
        .where(
            OcppMeterValue.transaction_id == transaction_id,
            OcppMeterValue.measurand == measurand,
            OcppMeterValue.value.is_not(None),
        )
        .order_by(OcppMeterValue.sampled_at.desc(), OcppMeterValue.id.desc())
        .limit(_RECENT)
    )
    return db.scalars(query).all()


def latest_power_kw(values: Sequence[OcppMeterValue]) -> Decimal | None:
    """The newest sample's power: its total, else the sum of its phases."""
    if not values:
        return None
    newest = [v for v in values if v.sampled_at == values[0].sampled_at and v.value is not None]
    totals = [v.value for v in newest if v.phase is None and v.value is not None]
    if totals:
        return totals[0]
    phases = {
        v.phase: v.value for v in newest if v.value is not None and "-" not in (v.phase or "")
    }
    if not phases:
        phases = {v.phase: v.value for v in newest if v.value is not None}
    return Decimal(sum(phases.values())) if phases else None


def register_readings(values: Sequence[OcppMeterValue]) -> list[tuple[datetime, Decimal]]:
    """(sampled_at, kWh) of the energy register, newest first, one per sample."""
    out: list[tuple[datetime, Decimal]] = []
    for value in values:
        if value.phase is not None or value.value is None:
            continue
        if not out or out[-1][0] != value.sampled_at:
            out.append((value.sampled_at, value.value))
    return out


def open_transaction_at(db: Session, station_id: int, connector: int) -> OcppTransaction | None:
    """The open transaction on the station's connector (its OCPP connectorId), if any."""
    query = (
        select(OcppTransaction)
        .join(Connector, Connector.id == OcppTransaction.connector_id)
        .where(
            OcppTransaction.station_id == station_id,
            Connector.connector_id == connector,
            OcppTransaction.state == TransactionState.OPEN,
        )
        .order_by(OcppTransaction.started_at.desc(), OcppTransaction.id.desc())
        .limit(1)
    )
    return db.scalar(query)


def open_transaction_of_vehicle(db: Session, vehicle_id: int) -> OpenTransaction | None:
    """The vehicle's latest open transaction (through its cards), if it is charging."""
    query = (
        select(OcppTransaction.station_id)
        .join(Card, Card.id == OcppTransaction.card_id)
        .where(Card.vehicle_id == vehicle_id, OcppTransaction.state == TransactionState.OPEN)
        .order_by(OcppTransaction.started_at.desc(), OcppTransaction.id.desc())
        .limit(1)
    )
    station_id = db.scalar(query)
    if station_id is None:
        return None
    found = [
        open_tx
        for open_tx in open_transactions(db, [station_id])
        if open_tx.vehicle is not None and open_tx.vehicle.id == vehicle_id
    ]
    return found[-1] if found else None


def vehicles_of_transactions(db: Session, transaction_ids: list[int]) -> dict[int, Vehicle]:
    """Each transaction's vehicle (through its card), for those made with a vehicle's card."""
    if not transaction_ids:
        return {}
    query = (
        select(OcppTransaction.id, Vehicle)
        .join(Card, Card.id == OcppTransaction.card_id)
        .join(Vehicle, Vehicle.id == Card.vehicle_id)
        .where(OcppTransaction.id.in_(transaction_ids))
    )
    return {tx_id: vehicle for tx_id, vehicle in db.execute(query)}
