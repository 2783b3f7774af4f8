"""Monthly billing: draft each organisation's documents for a period, then approve them.

Three documents per organisation and period, each created only when it has lines:
- `fleet`: vehicle management fees and public charging (cost to driver) per fleet;
- `site_host`: station subscriptions and network fees charged to the site host;
- `rcti`: recipient-created tax invoice for revenue collected on the host's behalf, over
  the sessions linked to the site-host invoice it accompanies.

Each kind is drafted for all organisations at once with a few set-based statements (see
`repository`). Services flush only; the caller owns the transaction.
"""

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from fleetcharge.billing import events, repository
from fleetcharge.billing.due import due_date
from fleetcharge.billing.lines import (
    DOCUMENT_DESCRIPTIONS,
    ChargingSplit,
    charging_lines,
    line,
    period_span,
)
from fleetcharge.billing.payments import apply_adjustment_credit
from fleetcharge.billing.period import Period
from fleetcharge.billing.repository import SessionTotals, TotalsKey
from fleetcharge.errors import Conflict, InvalidParameter, NotFound
from fleetcharge.models import Invoice, InvoiceLineItem, InvoiceNumberCounter, Organisation
from fleetcharge.models.base import utcnow
from fleetcharge.models.invoice import INVOICE_KINDS, InvoiceStatus
from fleetcharge.models.session import ChargeSession
from fleetcharge.money import ZERO, gst_included
from fleetcharge.timezones import local_date, zone

GST_RATE = Decimal("0.10")
CURRENCY = "AUD"


def draft_invoices(
    db: Session,
    period: Period,
    organisation_ids: Collection[int] | None = None,
    *,
    now: datetime | None = None,
) -> list[Invoice]:
    """Draft the period's documents for every organisation (or those given); returns the
    new drafts.

    Documents that already exist (not void) for the period are left alone, so re-running
    a period changes nothing. A document bills the sessions completed before the period's
    end (in the organisation's billing time zone) that no document of its kind has billed
    yet: late arrivals from earlier months go on the next run's documents, on lines of
    their own. The organisations are locked for the run, so concurrent runs for the same
    organisations queue up and the later one finds the documents already drafted.

    A month is billed only once it has ended in the billing time zone of every
    organisation billed (InvalidParameter otherwise); a document whose lines add up to
    nothing payable is not made.
    """
    organisations = _lock_organisations(db, organisation_ids)
    refuse_open_month(period, organisations, now or utcnow())
    drafts = [
        *_draft_fleet_invoices(db, period, organisations),
        *_draft_site_host_invoices(db, period, organisations),
        *_draft_rctis(db, period, organisations),
    ]
    return sorted(drafts, key=lambda i: (i.organisation_id, INVOICE_KINDS.index(i.kind)))


def approve_invoices(
    db: Session,
    invoice_ids: Collection[int] | None = None,
    *,
    period: Period | None = None,
    organisation_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> list[Invoice]:
    """Number and approve drafts: those given, or all drafts (of the period, of the
    organisations).

    The counter row is locked first, so concurrent approvals queue up behind it and the
    numbers follow (invoice_date, organisation, kind) without gaps. Approval issues the
    document: its date becomes the approval date in the organisation's billing time zone,
    and it falls due the organisation's payment terms later. An approved adjustment
    note's credit is applied to what is still due on the document it corrects.
    """
    counter = db.scalars(
        select(InvoiceNumberCounter).with_for_update().execution_options(populate_existing=True)
    ).one()
    query = (
        select(Invoice)
        .where(Invoice.status == InvoiceStatus.DRAFT)
        .order_by(Invoice.invoice_date, Invoice.organisation_id, Invoice.kind, Invoice.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if invoice_ids is not None:
        query = query.where(Invoice.id.in_(set(invoice_ids)))
    if period is not None:
        query = query.where(Invoice.period_start == period.first_day)
    if organisation_ids is not None:
        query = query.where(Invoice.organisation_id.in_(set(organisation_ids)))
    invoices = list(db.scalars(query))
    if invoice_ids is not None:
        not_drafts = set(invoice_ids) - {invoice.id for invoice in invoices}
        if not_drafts:
            raise Conflict(f"invoices {sorted(not_drafts)} are not drafts")

    approved_at = now or utcnow()
    organisations = {
        organisation.id: organisation
        for organisation in db.scalars(
            select(Organisation).where(
                Organisation.id.in_({invoice.organisation_id for invoice in invoices})
            )
        )
    }
    for invoice in invoices:
        organisation = organisations[invoice.organisation_id]
        invoice.invoice_number = counter.next_number
        counter.next_number += 1
        invoice.status = InvoiceStatus.APPROVED
        invoice.approved_at = approved_at
        invoice.invoice_date = local_date(approved_at, organisation.billing_timezone)
        invoice.due_date = due_date(invoice.invoice_date, organisation.payment_terms_days)
    db.flush()
    for invoice in invoices:
        if invoice.adjusts_invoice_id is not None:
            apply_adjustment_credit(db, invoice)
    events.invoices_approved(db, invoices)
    return invoices


def refuse_open_month(period: Period, organisations: Sequence[Organisation], now: datetime) -> None:
    """Raise unless `period` has ended on the clock of each organisation."""
    for organisation in organisations:
        _, end = period.bounds(organisation.billing_timezone)
        if now < end:
            local_end = end.astimezone(zone(organisation.billing_timezone))
            raise InvalidParameter(
                f"billing period {period} has not ended for {organisation.name}: it ends at"
                f" {local_end:%Y-%m-%d %H:%M} {organisation.billing_timezone}; bill it after"
                " that",
                parameter="period",
            )


def _lock_organisations(
    db: Session, organisation_ids: Collection[int] | None
) -> Sequence[Organisation]:
    # FOR NO KEY UPDATE: sessions recorded meanwhile (whose foreign keys take KEY SHARE
    # locks on their organisations) are not held up.
    query = (
        select(Organisation)
        .order_by(Organisation.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    if organisation_ids is None:
        return db.scalars(query).all()
    organisations = db.scalars(query.where(Organisation.id.in_(set(organisation_ids)))).all()
    missing = set(organisation_ids) - {o.id for o in organisations}
    if missing:
        raise NotFound(f"no organisation with id {min(missing)}")
    return organisations


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
    charging = _charging(db, period, drafts, ChargeSession.cost_to_driver, per_fleet=True)
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
        organisation = drafts[invoice_id].organisation
        if fleet_id is not None and (invoice_id, fleet_id) in vehicles:
            lines[invoice_id].append(
                line(
                    f"{name} - Fees for vehicle management for current vehicles"
                    f" {period_span(period)}",
                    units=vehicles[invoice_id, fleet_id],
                    unit_price=organisation.vehicle_fee,
                    fleet_id=fleet_id,
                )
            )
        if (invoice_id, fleet_id) in charging:
            lines[invoice_id] += charging_lines(
                "fleet",
                period,
                charging[invoice_id, fleet_id],
                organisation.billing_timezone,
                prefix=f"{name} - ",
                fleet_id=fleet_id,
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
    network = _charging(db, period, drafts, ChargeSession.total_cost)
    stations = repository.hosted_station_counts(
        db, [d.organisation.id for d in drafts.values() if d.organisation.station_subscription_fee]
    )

    lines: dict[int, list[InvoiceLineItem]] = defaultdict(list)
    for invoice_id, draft in drafts.items():
        if draft.organisation.id in stations:
            lines[invoice_id].append(
                line(
                    f"Charge station subscriptions {period_span(period)}",
                    units=stations[draft.organisation.id],
                    unit_price=draft.organisation.station_subscription_fee,
                )
            )
        if (invoice_id, None) in network:
            lines[invoice_id] += charging_lines(
                "site_host", period, network[invoice_id, None], draft.organisation.billing_timezone
            )
    return _complete(db, drafts, lines)


def _draft_rctis(
    db: Session, period: Period, organisations: Sequence[Organisation]
) -> list[Invoice]:
    """An RCTI for the revenue of the sessions on each live site-host invoice, of the
    period or earlier, that has none: the period's new ones, and those whose RCTI was
    voided (re-issued for their own month)."""
    by_id = {organisation.id: organisation for organisation in organisations}
    accompanied = repository.site_host_invoices_without_rcti(db, list(by_id), period)
    by_period: dict[Period, dict[int, _Draft]] = defaultdict(dict)
    links: dict[int, int] = {}
    for site_host_invoice in accompanied:
        month = Period(site_host_invoice.period_start.year, site_host_invoice.period_start.month)
        organisation = by_id[site_host_invoice.organisation_id]
        rcti = _new_document("rcti", month, organisation)
        rcti.accompanies_invoice_id = site_host_invoice.id
        rcti.replaces_invoice_id = repository.latest_void_documents(
            db, "rcti", month, [organisation.id]
        ).get(organisation.id)
        db.add(rcti)
        db.flush()
        by_period[month][rcti.id] = _Draft(organisation, rcti)
        links[rcti.id] = site_host_invoice.id
    completed = []
    for month, drafts in by_period.items():
        revenue = _charging(db, month, drafts, ChargeSession.total_revenue, links=links)
        lines = {
            invoice_id: charging_lines(
                "rcti", month, split, drafts[invoice_id].organisation.billing_timezone
            )
            for (invoice_id, _), split in revenue.items()
        }
        completed += _complete(db, drafts, lines)
    return completed


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
    done = repository.live_documents(db, kind, period, [o.id for o in candidates])
    voided = repository.latest_void_documents(db, kind, period, [o.id for o in candidates])
    drafts = [
        _Draft(organisation, _new_document(kind, period, organisation))
        for organisation in candidates
        if organisation.id not in done
    ]
    for draft in drafts:
        draft.invoice.replaces_invoice_id = voided.get(draft.organisation.id)
    db.add_all(draft.invoice for draft in drafts)
    db.flush()
    return {draft.invoice.id: draft for draft in drafts}


def _new_document(kind: str, period: Period, organisation: Organisation) -> Invoice:
    return Invoice(
        organisation_id=organisation.id,
        kind=kind,
        status=InvoiceStatus.DRAFT,
        invoice_date=period.last_day,
        period_start=period.first_day,
        period_end=period.last_day,
        description=f"{DOCUMENT_DESCRIPTIONS[kind]} {period_span(period)}",
        reference=organisation.name,
        currency=CURRENCY,
        total_tax=ZERO,
        total_amount=ZERO,
        total_paid=ZERO,
    )


def _by_zone(drafts: dict[int, _Draft]) -> dict[str, list[int]]:
    """Draft ids per billing time zone: the period starts and ends at a different instant
    in each."""
    invoice_ids_by_zone: dict[str, list[int]] = defaultdict(list)
    for invoice_id, draft in drafts.items():
        invoice_ids_by_zone[draft.organisation.billing_timezone].append(invoice_id)
    return invoice_ids_by_zone


def _link_sessions(db: Session, kind: str, period: Period, drafts: dict[int, _Draft]) -> None:
    for timezone, invoice_ids in _by_zone(drafts).items():
        _, end = period.bounds(timezone)
        repository.link_unbilled_sessions(db, kind, invoice_ids, end)


def _charging(
    db: Session,
    period: Period,
    drafts: dict[int, _Draft],
    amount: InstrumentedAttribute[Decimal],
    *,
    per_fleet: bool = False,
    links: dict[int, int] | None = None,
) -> dict[tuple[int, int | None], ChargingSplit]:
    """Totals of the sessions each draft bills, per (draft, fleet or None), late arrivals
    apart. The sessions are those linked to the draft itself, or to the invoice `links`
    maps it to."""
    links = links if links is not None else {invoice_id: invoice_id for invoice_id in drafts}
    drafts_by_links = {linked: invoice_id for invoice_id, linked in links.items()}
    totals: dict[TotalsKey, SessionTotals] = {}
    for timezone, invoice_ids in _by_zone(drafts).items():
        start, _ = period.bounds(timezone)
        linked = [links[invoice_id] for invoice_id in invoice_ids if invoice_id in links]
        totals |= repository.linked_totals(db, linked, amount, start, per_fleet=per_fleet)
    keys = {(key.invoice_id, key.fleet_id) for key in totals}
    return {
        (drafts_by_links[linked], fleet_id): ChargingSplit(
            current=totals.get(TotalsKey(linked, fleet_id, prior_period=False)),
            prior=totals.get(TotalsKey(linked, fleet_id, prior_period=True)),
        )
        for linked, fleet_id in keys
    }


def _complete(
    db: Session, drafts: dict[int, _Draft], lines: dict[int, list[InvoiceLineItem]]
) -> list[Invoice]:
    """Attach lines and totals. Drafts left without lines, or whose lines add up to
    nothing payable, are removed with their links (nothing to bill): their sessions stay
    unbilled for a later document of their kind."""
    completed: list[Invoice] = []
    empty: list[Invoice] = []
    for invoice_id, draft in drafts.items():
        invoice_lines = lines.get(invoice_id, [])
        if sum((li.amount for li in invoice_lines), ZERO) == 0:
            empty.append(draft.invoice)
            continue
        for position, invoice_line in enumerate(invoice_lines, start=1):
            invoice_line.invoice_id = invoice_id
            invoice_line.position = position
        db.add_all(invoice_lines)
        draft.invoice.total_amount = sum((li.amount for li in invoice_lines), ZERO)
        draft.invoice.total_tax = gst_included(draft.invoice.total_amount, GST_RATE)
        completed.append(draft.invoice)
    if empty:
        repository.drop_drafts(db, empty)
    db.flush()
    return completed
