"""When a document is due and what it still asks for: pure functions of its fields.

A document is due its payment terms after its date of issue (the approval date). Only an
issued, live document asks for money: a draft is not a document yet and a void one asks
for nothing, whatever its original total. Overdue is derived, never stored: the due date
has passed and something is still owed.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from fleetcharge.models.invoice import InvoiceStatus
from fleetcharge.money import ZERO


class Payable(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def total_amount(self) -> Decimal: ...
    @property
    def total_paid(self) -> Decimal: ...
    @property
    def due_date(self) -> date | None: ...


def due_date(invoice_date: date, terms_days: int) -> date:
    """The day payment is due: `terms_days` after the date of issue (0: on the day)."""
    if terms_days < 0:
        raise ValueError(f"payment terms cannot be negative, got {terms_days}")
    return invoice_date + timedelta(days=terms_days)


def amount_due(invoice: Payable) -> Decimal:
    """What the document still asks for: nothing on a draft or a void document; on an
    adjustment note, a negative amount (a refund owed to the customer)."""
    if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
        return ZERO
    return invoice.total_amount - invoice.total_paid


def is_overdue(invoice: Payable, today: date) -> bool:
    """Money is owed on it and its due date is before `today`."""
    return invoice.due_date is not None and today > invoice.due_date and amount_due(invoice) > 0


def days_overdue(invoice: Payable, today: date) -> int:
    """Days since the due date while overdue; 0 otherwise."""
    if not is_overdue(invoice, today) or invoice.due_date is None:
        return 0
    return (today - invoice.due_date).days
