"""Adjustment notes: the only way to correct an approved document.

A note is a draft credit document of the kind it corrects (so an RCTI is corrected by a
recipient-created adjustment note), referencing the original. It is numbered in the same
gapless sequence when approved, and its credit then settles what is still due on the
original (see `payments.apply_adjustment_credit`). Credits never exceed the original.
"""

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fleetcharge.billing.lines import line
from fleetcharge.billing.payments import describe, lock
from fleetcharge.billing.service import CURRENCY, GST_RATE
from fleetcharge.errors import Conflict, InvalidParameter
from fleetcharge.models import Invoice, Organisation
from fleetcharge.models.base import utcnow
from fleetcharge.models.invoice import BILLED_STATUSES, InvoiceStatus
from fleetcharge.money import ZERO, gst_included
from fleetcharge.timezones import local_date

MAX_REASON = 300


def draft_adjustment_note(db: Session, original: Invoice, amount: Decimal, reason: str) -> Invoice:
    """A draft note crediting `amount` (negative) on an approved or paid document."""
    original = lock(db, original.id)
    if original.adjusts_invoice_id is not None:
        raise Conflict(
            f"{describe(original)} is an adjustment note: adjust the invoice it corrects"
        )
    if original.status not in BILLED_STATUSES:
        raise Conflict(
            f"{describe(original)} is {original.status}: only approved or paid documents are"
            " adjusted (a draft can be discarded and drafted again)"
        )
    if amount >= 0:
        raise InvalidParameter(
            f"an adjustment note credits the customer: give a negative amount, got {amount}"
        )
    reason = " ".join(reason.split())
    if not reason or len(reason) > MAX_REASON or not reason.isprintable():
        raise InvalidParameter(
            f"give a reason of 1 to {MAX_REASON} characters, no control characters",
            parameter="reason",
        )
    credited = db.scalar(
        select(func.coalesce(func.sum(Invoice.total_amount), ZERO)).where(
            Invoice.adjusts_invoice_id == original.id, Invoice.status != InvoiceStatus.VOID
        )
    )
    creditable = original.total_amount + (credited or ZERO)
    if -amount > creditable:
        raise Conflict(
            f"{describe(original)} can be credited at most {creditable} more"
            f" (total {original.total_amount}, notes so far {credited or ZERO})"
        )

    organisation = db.get_one(Organisation, original.organisation_id)
    number = original.invoice_number
    note = Invoice(
        organisation_id=original.organisation_id,
        kind=original.kind,
        status=InvoiceStatus.DRAFT,
        adjusts_invoice_id=original.id,
        invoice_date=local_date(utcnow(), organisation.billing_timezone),
        period_start=original.period_start,
        period_end=original.period_end,
        description=f"Adjustment note for invoice {number} of {original.invoice_date}: {reason}",
        reference=str(number),
        currency=CURRENCY,
        total_amount=amount,
        total_tax=gst_included(amount, GST_RATE),
        total_paid=ZERO,
    )
    db.add(note)
    db.flush()
    credit = line(f"Adjustment to invoice {number}: {reason}", units=1, unit_price=amount)
    credit.invoice_id = note.id
    credit.position = 1
    db.add(credit)
    db.flush()
    return note
