"""Set-based queries of the billing run.

Every statement works on all of a run's new documents at once (`invoice_ids`), so a run
costs a handful of statements per document kind however many organisations and sessions
it bills; sessions are linked, summed and counted in SQL, never loaded one by one.
"""

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, insert, select, text, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session

from fleetcharge.billing.period import Period
from fleetcharge.models import (
    Base,
    ChargeSession,
    Fleet,
    Invoice,
    InvoiceSession,
    InvoiceVehicle,
    Location,
    Station,
    Vehicle,
)

# The organisation each kind of document bills a session to.
BILLED_PARTY: dict[str, InstrumentedAttribute[int | None] | InstrumentedAttribute[int]] = {
    "fleet": ChargeSession.payer_organisation_id,
    "site_host": ChargeSession.host_organisation_id,
    "rcti": ChargeSession.host_organisation_id,
}


@dataclass(frozen=True)
class SessionTotals:
    sessions: int
    amount: Decimal
    energy_kwh: Decimal


def organisations_with_documents(
    db: Session, kind: str, period: Period, organisation_ids: Collection[int]
) -> set[int]:
    """Organisations that already have a non-void document of this kind for the period."""
    query = select(Invoice.organisation_id).where(
        Invoice.kind == kind,
        Invoice.period_start == period.first_day,
        Invoice.status != "void",
        Invoice.organisation_id.in_(organisation_ids),
    )
    return set(db.scalars(query))


def organisations_with_fleets(db: Session) -> set[int]:
    return set(db.scalars(select(Fleet.organisation_id).distinct()))


def organisations_hosting_stations(db: Session) -> set[int]:
    query = (
        select(Location.host_organisation_id)
        .join(Station, Station.location_id == Location.id)
        .distinct()
    )
    return set(db.scalars(query))


def link_unbilled_sessions(
    db: Session, kind: str, invoice_ids: Collection[int], end: datetime
) -> None:
    """INSERT ... SELECT onto each new invoice its organisation's sessions completed before
    `end`, skipping, through the partial unique index, those on an active document of
    this kind already (or being linked by a concurrent run).

    ON CONFLICT rather than NOT EXISTS: an anti-join that reads invoice_sessions while
    inserting into it can be planned as a nested loop whose inner scan re-reads every row
    the statement has inserted so far, which is quadratic.
    """
    sessions = (
        select(Invoice.id, ChargeSession.id, Invoice.kind, true())
        .join(ChargeSession, BILLED_PARTY[kind] == Invoice.organisation_id)
        .where(Invoice.id.in_(invoice_ids), ChargeSession.stop_date_time < end)
    )
    links = (
        _insert_for(db, InvoiceSession)
        .from_select(["invoice_id", "session_id", "kind", "active"], sessions)
        # The index's predicate verbatim: SQLite matches a partial index only that way.
        .on_conflict_do_nothing(index_elements=["session_id", "kind"], index_where=text("active"))
    )
    db.execute(links)


def _insert_for(db: Session, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """INSERT with the dialect's ON CONFLICT support."""
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise RuntimeError(f"unsupported database {dialect}")  # pragma: no cover


def _linked_totals(
    db: Session,
    invoice_ids: Collection[int],
    amount: InstrumentedAttribute[Decimal],
    keys: Sequence[InstrumentedAttribute[int] | InstrumentedAttribute[int | None]],
) -> Iterator[tuple[tuple[Any, ...], SessionTotals]]:
    query = (
        select(*keys, func.count(), func.sum(amount), func.sum(ChargeSession.consumption_kwh))
        .join(ChargeSession, ChargeSession.id == InvoiceSession.session_id)
        .where(InvoiceSession.invoice_id.in_(invoice_ids))
        .group_by(*keys)
    )
    for row in db.execute(query):
        *key, sessions, amount_sum, energy_sum = row
        yield tuple(key), SessionTotals(sessions, amount_sum, energy_sum)


def linked_totals(
    db: Session, invoice_ids: Collection[int], amount: InstrumentedAttribute[Decimal]
) -> dict[int, SessionTotals]:
    """Per invoice: count, sum of `amount` and energy of its linked sessions."""
    keys = [InvoiceSession.invoice_id]
    return {key[0]: totals for key, totals in _linked_totals(db, invoice_ids, amount, keys)}


def linked_cost_to_driver_per_fleet(
    db: Session, invoice_ids: Collection[int]
) -> dict[tuple[int, int | None], SessionTotals]:
    """Per (invoice, fleet): count, cost to driver and energy of its linked sessions."""
    keys = [InvoiceSession.invoice_id, ChargeSession.fleet_id]
    totals = _linked_totals(db, invoice_ids, ChargeSession.cost_to_driver, keys)
    return {(key[0], key[1]): fleet_totals for key, fleet_totals in totals}


def _active_in(period: Period) -> list[ColumnElement[bool]]:
    return [
        Vehicle.effective_from <= period.last_day,
        Vehicle.effective_to.is_(None) | (Vehicle.effective_to >= period.first_day),
    ]


def link_active_vehicles(db: Session, invoice_ids: Collection[int], period: Period) -> None:
    """INSERT ... SELECT each organisation's vehicles active on any day of the period."""
    vehicles = (
        select(Invoice.id, Vehicle.id)
        .join(Vehicle, Vehicle.organisation_id == Invoice.organisation_id)
        .where(Invoice.id.in_(invoice_ids), *_active_in(period))
    )
    db.execute(insert(InvoiceVehicle).from_select(["invoice_id", "vehicle_id"], vehicles))


def linked_vehicle_counts(db: Session, invoice_ids: Collection[int]) -> dict[tuple[int, int], int]:
    """Billed vehicles per (invoice, fleet)."""
    query = (
        select(InvoiceVehicle.invoice_id, Vehicle.fleet_id, func.count())
        .join(Vehicle, Vehicle.id == InvoiceVehicle.vehicle_id)
        .where(InvoiceVehicle.invoice_id.in_(invoice_ids))
        .group_by(InvoiceVehicle.invoice_id, Vehicle.fleet_id)
    )
    return {(invoice_id, fleet_id): count for invoice_id, fleet_id, count in db.execute(query)}


def fleet_names(db: Session, fleet_ids: Collection[int]) -> dict[int, str]:
    query = select(Fleet.id, Fleet.name).where(Fleet.id.in_(fleet_ids))
    return {fleet_id: name for fleet_id, name in db.execute(query)}


def hosted_station_counts(db: Session, organisation_ids: Collection[int]) -> dict[int, int]:
    query = (
        select(Location.host_organisation_id, func.count())
        .join(Station, Station.location_id == Location.id)
        .where(Location.host_organisation_id.in_(organisation_ids))
        .group_by(Location.host_organisation_id)
    )
    return {organisation_id: count for organisation_id, count in db.execute(query)}
