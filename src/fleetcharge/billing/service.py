"""Monthly billing: draft each organisation's documents for a period, then approve them.

Three documents per organisation and period, each created only when it has lines:
- `fleet`: vehicle management fees and public charging (cost to driver) per fleet;
- `site_host`: station subscriptions and network fees charged to the site host;
- `rcti`: recipient-created tax invoice for revenue collected on the host's behalf.

Each kind is drafted for all organisations at once with a few set-based statements (see
`repository`). Services flush only; the caller owns the transaction.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.billing import repository
from fleetcharge.billing.period import Period
from fleetcharge.errors import Conflict, NotFound
from fleetcharge.models import Invoice, InvoiceLineItem, InvoiceNumberCounter, Organisation
from fleetcharge.models.base import utcnow
from fleetcharge.models.invoice import INVOICE_KINDS
from fleetcharge.models.session import ChargeSession
from fleetcharge.money import ZERO, gst_included, round_money

GST_RATE = Decimal("0.10")
CURRENCY = "AUD"
_KWH_IN_DESCRIPTIONS = Decimal("0.01")


def draft_invoices(
    db: Session, period: Period, organisation_id: int | None = None
) -> list[Invoice]:
    """Draft the period's documents for every organisation (or one); returns the new drafts.

    Documents that already exist (not void) for the period are left alone, so re-running
    a period changes nothing. A document bills the sessions completed before the period's
    end (in the organisation's billing time zone) that no document of its kind has billed
    yet, so late arrivals from earlier months go on the next run's documents.
    """
    organisations = _organisations(db, organisation_id)
    drafts = [
        *_draft_fleet_invoices(db, period, organisations),
        *_draft_site_host_invoices(db, period, organisations),
        *_draft_rctis(db, period, organisations),
    ]
    return sorted(drafts, key=lambda i: (i.organisation_id, INVOICE_KINDS.index(i.kind)))


def approve_invoices(db: Session, invoice_ids: Sequence[int] | None = None) -> list[Invoice]:
    """Number and approve drafts (all of them when `invoice_ids` is None).

    The counter row is locked first, so concurrent approvals queue up behind it and the
    numbers follow (invoice_date, organisation, kind) without gaps.
    """
    counter = db.scalars(
        select(InvoiceNumberCounter).with_for_update().execution_options(populate_existing=True)
    ).one()
    query = (
        select(Invoice)
        .where(Invoice.status == "draft")
        .order_by(Invoice.invoice_date, Invoice.organisation_id, Invoice.kind, Invoice.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if invoice_ids is not None:
        query = query.where(Invoice.id.in_(set(invoice_ids)))
    invoices = list(db.scalars(query))
    if invoice_ids is not None:
        not_drafts = set(invoice_ids) - {invoice.id for invoice in invoices}
        if not_drafts:
            raise Conflict(f"invoices {sorted(not_drafts)} are not drafts")

    approved_at = utcnow()
    for invoice in invoices:
        invoice.invoice_number = counter.next_number
        counter.next_number += 1
        invoice.status = "approved"
        invoice.approved_at = approved_at
    db.flush()
    return invoices


def _organisations(db: Session, organisation_id: int | None) -> Sequence[Organisation]:
    if organisation_id is None:
        return db.scalars(select(Organisation).order_by(Organisation.id)).all()
    organisation = db.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(f"no organisation with id {organisation_id}")
    return [organisation]


@dataclass(frozen=True)
class _Draft:
    organisation: Organisation
    invoice: Invoice


def _draft_fleet_invoices(
    db: Session, period: Period, organisations: Sequence[Organisation]
) -> list[Invoice]:
    drafts = _open_drafts(db, "fleet", period, organisations, repository.organisations_with_fleets)
    if not drafts:
        return []
    invoice_ids = list(drafts)
    repository.link_active_vehicles(db, invoice_ids, period)
    _link_sessions(db, "fleet", period, drafts)
    vehicles = repository.linked_vehicle_counts(db, invoice_ids)
    charging = repository.linked_cost_to_driver_per_fleet(db, invoice_ids)
    fleet_ids = {fleet_id for _, fleet_id in [*vehicles, *charging] if fleet_id is not None}
    names = repository.fleet_names(db, fleet_ids)

    def fleet_name(invoice_id: int, fleet_id: int | None) -> str:
        # Sessions without a fleet are not expected; they are billed under the organisation.
        return drafts[invoice_id].organisation.name if fleet_id is None else names[fleet_id]

    def line_order(key: tuple[int, int | None]) -> tuple[int, bool, str, int]:
        invoice_id, fleet_id = key
        return (invoice_id, fleet_id is None, fleet_name(invoice_id, fleet_id), fleet_id or 0)

    lines: dict[int, list[InvoiceLineItem]] = defaultdict(list)
    for invoice_id, fleet_id in sorted({*vehicles, *charging}, key=line_order):
        name = fleet_name(invoice_id, fleet_id)
        if fleet_id is not None and (invoice_id, fleet_id) in vehicles:
            lines[invoice_id].append(
                _line(
                    f"{name} - Fees for vehicle management for current vehicles {_span(period)}",
                    units=vehicles[invoice_id, fleet_id],
                    unit_price=drafts[invoice_id].organisation.vehicle_fee,
                    fleet_id=fleet_id,
                )
            )
        if (invoice_id, fleet_id) in charging:
            totals = charging[invoice_id, fleet_id]
            lines[invoice_id].append(
                _line(
                    f"{name} - Fees for public charging {_span(period)}"
                    f" - Charge volume: {_kwh(totals.energy_kwh)}kWh",
                    units=1,
                    unit_price=totals.amount,
                    fleet_id=fleet_id,
                )
            )
    return _complete(db, drafts, lines)


def _draft_site_host_invoices(
    db: Session, period: Period, organisations: Sequence[Organisation]
) -> list[Invoice]:
    drafts = _open_drafts(
        db, "site_host", period, organisations, repository.organisations_hosting_stations
    )
    if not drafts:
        return []
    _link_sessions(db, "site_host", period, drafts)
    network = repository.linked_totals(db, list(drafts), ChargeSession.total_cost)
    stations = repository.hosted_station_counts(
        db, [d.organisation.id for d in drafts.values() if d.organisation.station_subscription_fee]
    )

    lines: dict[int, list[InvoiceLineItem]] = defaultdict(list)
    for invoice_id, draft in drafts.items():
        if draft.organisation.id in stations:
            lines[invoice_id].append(
                _line(
                    f"Charge station subscriptions {_span(period)}",
                    units=stations[draft.organisation.id],
                    unit_price=draft.organisation.station_subscription_fee,
                )
            )
        if invoice_id in network:
            lines[invoice_id].append(
                _line(
                    f"Network fees for public charging at your stations {_span(period)}"
                    f" - Charge volume: {_kwh(network[invoice_id].energy_kwh)}kWh",
                    units=1,
                    unit_price=network[invoice_id].amount,
                )
            )
    return _complete(db, drafts, lines)


def _draft_rctis(
    db: Session, period: Period, organisations: Sequence[Organisation]
) -> list[Invoice]:
    drafts = _open_drafts(
        db, "rcti", period, organisations, repository.organisations_hosting_stations
    )
    if not drafts:
        return []
    _link_sessions(db, "rcti", period, drafts)
    revenue = repository.linked_totals(db, list(drafts), ChargeSession.total_revenue)
    lines = {
        invoice_id: [
            _line(
                f"Public charging revenue collected on your behalf {_span(period)}"
                f" - Charge volume: {_kwh(totals.energy_kwh)}kWh",
                units=1,
                unit_price=totals.amount,
            )
        ]
        for invoice_id, totals in revenue.items()
    }
    return _complete(db, drafts, lines)


_DESCRIPTIONS = {
    "fleet": "Fleet vehicle management and public charging fees for services provided",
    "site_host": "Charge station subscriptions and network fees for services provided",
    "rcti": "Recipient-created tax invoice for public charging revenue collected",
}


def _open_drafts(
    db: Session,
    kind: str,
    period: Period,
    organisations: Sequence[Organisation],
    eligible: Callable[[Session], set[int]],
) -> dict[int, _Draft]:
    """Empty drafts, by invoice id, for the eligible organisations that have no document
    of this kind for the period yet."""
    eligible_ids = eligible(db)
    candidates = [o for o in organisations if o.id in eligible_ids]
    if not candidates:
        return {}
    done = repository.organisations_with_documents(db, kind, period, [o.id for o in candidates])
    drafts = [
        _Draft(
            organisation,
            Invoice(
                organisation_id=organisation.id,
                kind=kind,
                status="draft",
                invoice_date=period.last_day,
                period_start=period.first_day,
                period_end=period.last_day,
                description=f"{_DESCRIPTIONS[kind]} {_span(period)}",
                reference=organisation.name,
                currency=CURRENCY,
                total_tax=ZERO,
                total_amount=ZERO,
                total_paid=ZERO,
            ),
        )
        for organisation in candidates
        if organisation.id not in done
    ]
    db.add_all(draft.invoice for draft in drafts)
    db.flush()
    return {draft.invoice.id: draft for draft in drafts}


def _link_sessions(db: Session, kind: str, period: Period, drafts: dict[int, _Draft]) -> None:
    """One INSERT ... SELECT per billing time zone: the period ends at a different instant
    in each."""
    invoice_ids_by_zone: dict[str, list[int]] = defaultdict(list)
    for invoice_id, draft in drafts.items():
        invoice_ids_by_zone[draft.organisation.billing_timezone].append(invoice_id)
    for timezone, invoice_ids in invoice_ids_by_zone.items():
        _, end = period.bounds(timezone)
        repository.link_unbilled_sessions(db, kind, invoice_ids, end)


def _complete(
    db: Session, drafts: dict[int, _Draft], lines: dict[int, list[InvoiceLineItem]]
) -> list[Invoice]:
    """Attach lines and totals; drafts left without lines are removed (nothing to bill)."""
    completed: list[Invoice] = []
    for invoice_id, draft in drafts.items():
        invoice_lines = lines.get(invoice_id, [])
        if not invoice_lines:
            db.delete(draft.invoice)
            continue
        for position, line in enumerate(invoice_lines, start=1):
            line.invoice_id = invoice_id
            line.position = position
        db.add_all(invoice_lines)
        draft.invoice.total_amount = sum((line.amount for line in invoice_lines), ZERO)
        draft.invoice.total_tax = gst_included(draft.invoice.total_amount, GST_RATE)
        completed.append(draft.invoice)
    db.flush()
    return completed


def _line(
    description: str, *, units: int, unit_price: Decimal, fleet_id: int | None = None
) -> InvoiceLineItem:
    return InvoiceLineItem(
        fleet_id=fleet_id,
        description=description,
        units=units,
        unit_price=unit_price,
        amount=round_money(unit_price * units),
    )


def _span(period: Period) -> str:
    return f"from {period.first_day.isoformat()} to {period.last_day.isoformat()}"


def _kwh(energy: Decimal) -> Decimal:
    return energy.quantize(_KWH_IN_DESCRIPTIONS, rounding=ROUND_HALF_UP)
