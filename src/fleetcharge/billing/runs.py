"""The monthly run as operator staff drive it (the console, the CLI): which month each
organisation's run covers, drafting and approving with the `billing` permission, each
document audited. The drafting and numbering themselves are `service`'s.

Drafts are the operator's working papers, never shown to organisations (nor on their
audit log): their events carry no organisation.
"""

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.audit.service import record
from fleetcharge.billing.invoices import InvoiceRow, invoice_rows, kind_label
from fleetcharge.billing.period import Period
from fleetcharge.billing.service import approve_invoices, draft_invoices
from fleetcharge.errors import NotFound
from fleetcharge.models import Invoice, Organisation
from fleetcharge.organisations.service import all_organisations
from fleetcharge.permissions import Actor

RESOURCE = "billing"


def invoice_audit_view(invoice: Invoice) -> dict[str, Any]:
    return {
        "uuid": str(invoice.uuid),
        "organisation_id": invoice.organisation_id,
        "kind": kind_label(invoice),
        "period_start": invoice.period_start.isoformat(),
        "status": str(invoice.status),
        "invoice_number": invoice.invoice_number,
        "total_amount": str(invoice.total_amount),
        "total_tax": str(invoice.total_tax),
    }


def months_to_bill(
    organisations: Sequence[Organisation], chosen: Period | None, now: datetime
) -> dict[Period, list[int]]:
    """The organisations to bill, by the month each one's run covers: `chosen`, or each
    one's last completed month in its billing time zone."""
    months: dict[Period, list[int]] = defaultdict(list)
    for organisation in organisations:
        month = chosen or Period.last_completed(organisation.billing_timezone, now)
        months[month].append(organisation.id)
    return months


def run_months(
    db: Session,
    actor: Actor,
    months: dict[Period, list[int]],
) -> list[Invoice]:
    """Draft the documents of each month for its organisations; the new drafts (a month
    run again drafts nothing new)."""
    actor.require(RESOURCE, "run")
    drafts = [
        draft
        for month, organisation_ids in sorted(months.items())
        for draft in draft_invoices(db, month, organisation_ids)
    ]
    for draft in drafts:
        record(db, actor, "draft", "invoice", draft.uuid, None, None, invoice_audit_view(draft))
    return drafts


def run_month(db: Session, actor: Actor, period: Period | None, now: datetime) -> list[Invoice]:
    """Draft `period` (or each organisation's last completed month) for every
    organisation."""
    actor.require(RESOURCE, "run")
    return run_months(db, actor, months_to_bill(all_organisations(db), period, now))


def approve(
    db: Session,
    actor: Actor,
    invoice_ids: Collection[int] | None = None,
    *,
    period: Period | None = None,
    organisation_ids: Collection[int] | None = None,
) -> list[Invoice]:
    """Number the drafts given (or all, of the month, of the organisations) gaplessly;
    they are on the Fleets API from now on."""
    actor.require(RESOURCE, "approve")
    approved = approve_invoices(db, invoice_ids, period=period, organisation_ids=organisation_ids)
    for invoice in approved:
        after = invoice_audit_view(invoice)
        before = {**after, "status": "draft", "invoice_number": None}
        record(db, actor, "approve", "invoice", invoice.uuid, None, before, after)
    return approved


def get_document(db: Session, actor: Actor, uuid: UUID) -> Invoice:
    """A document of any status, drafts included, for operator staff who bill."""
    actor.require(RESOURCE, "read")
    invoice = db.scalar(select(Invoice).where(Invoice.uuid == uuid))
    if invoice is None:
        raise NotFound(f"no invoice {uuid}")
    return invoice


def month_documents(db: Session, actor: Actor, period: Period) -> list[InvoiceRow]:
    """The month's documents, numbered ones first, with their line counts."""
    actor.require(RESOURCE, "read")
    return invoice_rows(db, period=period)
