"""After approval: payments, adjustment-note credits and voiding.

An approved document's lines and totals never change; what changes is how much of it is
settled (`total_paid`, one `InvoicePayment` entry each time) and its status: `paid` once
settled in full, `void` only while nothing at all is settled. The database's check
constraints hold the same rules. Each function locks the documents it changes.
"""

from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from fleetcharge.billing import events
from fleetcharge.errors import Conflict, InvalidParameter
from fleetcharge.models import (
    Invoice,
    InvoiceLineItem,
    InvoicePayment,
    InvoiceSession,
    InvoiceVehicle,
    Organisation,
)
from fleetcharge.models.base import utcnow
from fleetcharge.models.invoice import BILLED_STATUSES, InvoiceStatus
from fleetcharge.timezones import local_date
from fleetcharge.webhooks import event_types


def describe(invoice: Invoice) -> str:
    """How messages name a document: its number, or that it is an unnumbered draft."""
    if invoice.invoice_number is None:
        return f"draft {invoice.uuid}"
    noun = "adjustment note" if invoice.adjusts_invoice_id is not None else "invoice"
    return f"{noun} {invoice.invoice_number}"


def lock(db: Session, invoice_id: int) -> Invoice:
    query = (
        select(Invoice)
        .where(Invoice.id == invoice_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.scalars(query).one()


def record_payment(db: Session, invoice: Invoice, amount: Decimal, paid_on: date) -> InvoicePayment:
    """Money received for an invoice, or a refund paid out of an adjustment note's credit.

    `amount` is positive; on an adjustment note it is recorded as a negative entry.
    """
    invoice = lock(db, invoice.id)
    if invoice.status == InvoiceStatus.DRAFT:
        raise Conflict(f"{describe(invoice)} is not approved yet: approve it first")
    if invoice.status == InvoiceStatus.VOID:
        raise Conflict(f"{describe(invoice)} is void: nothing is due on it")
    if invoice.status == InvoiceStatus.PAID:
        raise Conflict(f"{describe(invoice)} is already paid in full")
    if amount <= 0:
        raise InvalidParameter(f"the amount paid must be positive, got {amount}")
    due = abs(invoice.total_amount - invoice.total_paid)
    if amount > due:
        raise Conflict(f"{amount} is more than the {due} due on {describe(invoice)}")
    signed = amount if invoice.total_amount >= 0 else -amount
    return _settle(db, invoice, signed, paid_on)


def apply_adjustment_credit(db: Session, note: Invoice) -> None:
    """On approval of an adjustment note: its credit settles what is still due on the
    document it corrects, as far as it goes. Whatever the original no longer owes (it
    was paid) stays due on the note, to be refunded (`record_payment`)."""
    assert note.adjusts_invoice_id is not None
    original = lock(db, note.adjusts_invoice_id)
    if original.status not in BILLED_STATUSES:
        raise Conflict(
            f"{describe(note)} corrects {describe(original)}, which is {original.status}"
        )
    organisation = db.get_one(Organisation, note.organisation_id)
    note.invoice_date = local_date(utcnow(), organisation.billing_timezone)
    applied = min(-note.total_amount, original.total_amount - original.total_paid)
    if applied <= 0:
        return
    _settle(db, original, applied, note.invoice_date, counterpart=note)
    # The note is being approved: its invoice.approved tells it is settled.
    _settle(db, note, -applied, note.invoice_date, counterpart=original, announce=False)


def void_invoice(db: Session, invoice: Invoice) -> bool:
    """Void an unpaid document, releasing its sessions to be billed again by the next run.

    A draft is not a document yet: it is discarded instead (returns False).
    """
    invoice = lock(db, invoice.id)
    rcti = db.scalars(
        select(Invoice).where(
            Invoice.accompanies_invoice_id == invoice.id, Invoice.status != InvoiceStatus.VOID
        )
    ).first()
    if rcti is not None:
        raise Conflict(
            f"{describe(rcti)} bills the same sessions as {describe(invoice)}:"
            " void (or discard) it first"
        )
    if invoice.status == InvoiceStatus.DRAFT:
        _discard(db, invoice)
        return False
    if invoice.status == InvoiceStatus.VOID:
        raise Conflict(f"{describe(invoice)} is void already")
    if invoice.total_paid != 0:
        raise Conflict(
            f"{describe(invoice)} has {abs(invoice.total_paid)} paid or credited: it cannot be"
            " voided; correct it with an adjustment note instead"
        )
    pending_notes = select(Invoice.id).where(
        Invoice.adjusts_invoice_id == invoice.id, Invoice.status != InvoiceStatus.VOID
    )
    if db.scalars(pending_notes.limit(1)).first() is not None:
        raise Conflict(f"{describe(invoice)} has adjustment notes: void or discard them first")
    invoice.status = InvoiceStatus.VOID
    invoice.voided_at = utcnow()
    db.execute(
        update(InvoiceSession).where(InvoiceSession.invoice_id == invoice.id).values(active=False)
    )
    db.flush()
    events.invoice_changed(db, invoice, event_types.INVOICE_VOIDED)
    return True


def _settle(
    db: Session,
    invoice: Invoice,
    amount: Decimal,
    paid_on: date,
    counterpart: Invoice | None = None,
    announce: bool = True,
) -> InvoicePayment:
    entry = InvoicePayment(
        invoice_id=invoice.id,
        amount=amount,
        paid_on=paid_on,
        counterpart_invoice_id=counterpart.id if counterpart else None,
    )
    db.add(entry)
    invoice.total_paid += amount
    paid = invoice.total_paid == invoice.total_amount
    if paid:
        invoice.status = InvoiceStatus.PAID
    db.flush()
    if paid and announce:
        events.invoice_changed(db, invoice, event_types.INVOICE_PAID)
    return entry


def _discard(db: Session, draft: Invoice) -> None:
    for model in (InvoiceSession, InvoiceVehicle, InvoiceLineItem):
        db.execute(delete(model).where(model.invoice_id == draft.id))
    db.delete(draft)
    db.flush()
