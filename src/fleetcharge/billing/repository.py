"""Set-based queries of the billing run.

Every statement works on all of a run's new documents at once (`invoice_ids`), so a run
costs a handful of statements per document kind however many organisations and sessions
it bills; sessions are linked, summed and counted in SQL, never loaded one by one.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    ColumnElement,
    Integer,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    true,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from fleetcharge.billing.period import Period
from fleetcharge.models import (
    ChargeSession,
    Fleet,
    Invoice,
    InvoiceSession,
    InvoiceVehicle,
    Location,
    Station,
    Vehicle,
)
from fleetcharge.models.invoice import InvoiceStatus

# The organisation each kind of session link bills a session to.
BILLED_PARTY: dict[str, InstrumentedAttribute[int | None] | InstrumentedAttribute[int]] = {
    "fleet": ChargeSession.payer_organisation_id,
    "site_host": ChargeSession.host_organisation_id,
}


@dataclass(frozen=True)
class SessionTotals:
    sessions: int
    amount: Decimal
    energy_kwh: Decimal
    first_stop: datetime
    last_stop: datetime


@dataclass(frozen=True)
class TotalsKey:
    invoice_id: int
    fleet_id: int | None  # None unless totalled per fleet (or the session had no fleet)
    prior_period: bool  # completed before the period: arrived after its month was billed


def live_documents(
    db: Session, kind: str, period: Period, organisation_ids: Collection[int]
) -> dict[int, int]:
    """Organisation -> id of its non-void document of this kind for the period."""
    query = select(Invoice.organisation_id, Invoice.id).where(
        Invoice.kind == kind,
        Invoice.period_start == period.first_day,
        Invoice.status != InvoiceStatus.VOID,
        Invoice.adjusts_invoice_id.is_(None),
        Invoice.organisation_id.in_(organisation_ids),
    )
    return {organisation_id: invoice_id for organisation_id, invoice_id in db.execute(query)}


def latest_void_documents(
    db: Session, kind: str, period: Period, organisation_ids: Collection[int]
) -> dict[int, int]:
    """Organisation -> id of its newest void document of this kind for the period (not
    an adjustment note): what a document drafted for the period now replaces."""
    query = (
        select(Invoice.organisation_id, func.max(Invoice.id))
        .where(
            Invoice.kind == kind,
            Invoice.period_start == period.first_day,
            Invoice.status == InvoiceStatus.VOID,
            Invoice.adjusts_invoice_id.is_(None),
            Invoice.organisation_id.in_(organisation_ids),
        )
        .group_by(Invoice.organisation_id)
    )
    return {organisation_id: invoice_id for organisation_id, invoice_id in db.execute(query)}


def drop_drafts(db: Session, drafts: Collection[Invoice]) -> None:
    """Delete drafts with their session and vehicle links (they bill nothing)."""
    invoice_ids = [draft.id for draft in drafts]
    for model in (InvoiceSession, InvoiceVehicle):
        db.execute(delete(model).where(model.invoice_id.in_(invoice_ids)))
    for draft in drafts:
        db.delete(draft)


def site_host_invoices_without_rcti(
    db: Session, organisation_ids: Collection[int], until: Period
) -> list[Invoice]:
    """Live site-host invoices of the organisations, for `until` or earlier, that bill
    sessions with revenue but have no live RCTI: new ones, and those whose RCTI was
    voided."""
    rcti = aliased(Invoice)
    has_rcti = (
        select(rcti.id)
        .where(rcti.accompanies_invoice_id == Invoice.id, rcti.status != InvoiceStatus.VOID)
        .exists()
    )
    # Revenue to pay out: a host whose stations only its own fleets used (no revenue
    # collected for it) gets no RCTI.
    has_revenue = (
        select(InvoiceSession.session_id)
        .join(ChargeSession, ChargeSession.id == InvoiceSession.session_id)
        .where(
            InvoiceSession.invoice_id == Invoice.id,
            InvoiceSession.active,
            ChargeSession.total_revenue != 0,
        )
        .exists()
    )
    query = (
        select(Invoice)
        .where(
            Invoice.kind == "site_host",
            Invoice.status != InvoiceStatus.VOID,
            Invoice.adjusts_invoice_id.is_(None),
            Invoice.organisation_id.in_(organisation_ids),
            Invoice.period_start <= until.first_day,
            ~has_rcti,
            has_revenue,
        )
        .order_by(Invoice.period_start, Invoice.organisation_id)
    )
    return list(db.scalars(query))


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
    `end` that no active document of this kind bills yet.

    A plain insert behind an anti-join (not ON CONFLICT DO NOTHING, whose speculative
    insertion costs another WAL record per row): runs for the same organisations are
    serialised by the run's organisation locks, and the partial unique index still
    refuses a second active link outright. The anti-join probes that index, whose
    predicate is repeated verbatim because SQLite only uses a partial index that way.
    """
    billed = aliased(InvoiceSession)
    already_billed = (
        select(billed.session_id)
        .where(billed.session_id == ChargeSession.id, billed.kind == kind, text("active"))
        .exists()
    )
    sessions = (
        select(Invoice.id, ChargeSession.id, Invoice.kind, true())
        .join(ChargeSession, BILLED_PARTY[kind] == Invoice.organisation_id)
        .where(Invoice.id.in_(invoice_ids), ChargeSession.stop_date_time < end, ~already_billed)
    )
    db.execute(
        insert(InvoiceSession).from_select(["invoice_id", "session_id", "kind", "active"], sessions)
    )


def linked_totals(
    db: Session,
    invoice_ids: Collection[int],
    amount: InstrumentedAttribute[Decimal],
    period_start: datetime,
    *,
    per_fleet: bool,
) -> dict[TotalsKey, SessionTotals]:
    """Count, sum of `amount`, energy and completion span of the sessions linked to the
    invoices, per invoice (and fleet), with sessions completed before `period_start`
    totalled apart."""
    prior = (ChargeSession.stop_date_time < period_start).label("prior")
    fleet = ChargeSession.fleet_id if per_fleet else literal(None, Integer)
    query = (
        select(
            InvoiceSession.invoice_id,
            fleet.label("fleet_id"),
            prior,
            func.count(),
            func.sum(amount),
            func.sum(ChargeSession.consumption_kwh),
            func.min(ChargeSession.stop_date_time),
            func.max(ChargeSession.stop_date_time),
        )
        .join(ChargeSession, ChargeSession.id == InvoiceSession.session_id)
        .where(InvoiceSession.invoice_id.in_(invoice_ids))
        .group_by(InvoiceSession.invoice_id, *([fleet] if per_fleet else []), prior)
    )
    return {
        TotalsKey(row[0], row[1], bool(row[2])): SessionTotals(*row[3:])
        for row in db.execute(query)
    }


def _active_in(period: Period) -> list[ColumnElement[bool]]:
    return [
        Vehicle.effective_from <= period.last_day,
        Vehicle.effective_to.is_(None) | (Vehicle.effective_to >= period.first_day),
    ]


def link_active_vehicles(db: Session, invoice_ids: Collection[int], period: Period) -> None:
    """INSERT ... SELECT each organisation's vehicles active on any day of the period, a
    VIN once: a vehicle moved to another fleet in the period has a record in each, and
    only its latest one is billed."""
    later = aliased(Vehicle)
    moved_on = (
        select(later.id)
        .where(
            later.organisation_id == Vehicle.organisation_id,
            later.vin == Vehicle.vin,
            later.effective_from > Vehicle.effective_from,
            later.effective_from <= period.last_day,
            later.effective_to.is_(None) | (later.effective_to >= period.first_day),
        )
        .exists()
    )
    vehicles = (
        select(Invoice.id, Vehicle.id)
        .join(Vehicle, Vehicle.organisation_id == Invoice.organisation_id)
        .where(Invoice.id.in_(invoice_ids), *_active_in(period), ~moved_on)
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


def session_invoiced(db: Session, session_id: int) -> bool:
    """Whether the session is on a document (a live link: not one of a voided draft)."""
    query = select(InvoiceSession.invoice_id).where(
        InvoiceSession.session_id == session_id, InvoiceSession.active
    )
    return db.scalar(query.limit(1)) is not None
