"""Finding and summarising documents for the operator (the CLI); the API has `listing`."""

import uuid as uuid_module
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Integer, case, func, literal, select
from sqlalchemy.orm import Session, aliased

from fleetcharge.billing.due import amount_due, is_overdue
from fleetcharge.billing.period import Period
from fleetcharge.errors import InvalidParameter, NotFound
from fleetcharge.models import (
    Invoice,
    InvoiceLineItem,
    InvoicePayment,
    InvoiceSession,
    InvoiceVehicle,
    Organisation,
)
from fleetcharge.models.invoice import InvoiceStatus

MAX_INVOICE_NUMBER = 2**63 - 1  # a BIGINT


def find_invoice(db: Session, reference: str) -> Invoice:
    """A document by invoice number (approved and later) or UUID (drafts too)."""
    reference = reference.strip()
    if reference.isascii() and reference.isdigit():
        number = int(reference)
        # Past the column's range no document has the number (and no driver could bind it).
        found = None
        if number <= MAX_INVOICE_NUMBER:
            found = db.scalars(select(Invoice).where(Invoice.invoice_number == number)).first()
    else:
        try:
            public_id = uuid_module.UUID(reference)
        except ValueError:
            raise InvalidParameter(
                f"{reference!r} is neither an invoice number nor a UUID"
            ) from None
        found = db.scalars(select(Invoice).where(Invoice.uuid == public_id)).first()
    if found is None:
        raise NotFound(f"no invoice numbered or with UUID {reference!r}")
    return found


def kind_label(invoice: Invoice) -> str:
    return f"{invoice.kind} adjustment" if invoice.adjusts_invoice_id is not None else invoice.kind


# Not stored: an approved document whose due date has passed with money still owed.
OVERDUE = "overdue"
STATUS_FILTERS = (*InvoiceStatus, OVERDUE)


@dataclass(frozen=True)
class InvoiceRow:
    invoice: Invoice
    organisation: str
    adjusts_number: int | None
    lines: int
    sessions: int | None  # counted only when asked for
    replaces_number: int | None = None

    @property
    def due(self) -> Decimal:
        """What it asks for: nothing on a draft or a void document."""
        return amount_due(self.invoice)

    def shown_status(self, today: date) -> str:
        """Its status, `overdue` for an approved one past its due date and unpaid."""
        return OVERDUE if is_overdue(self.invoice, today) else self.invoice.status


def invoice_rows(
    db: Session,
    *,
    invoice_ids: Collection[int] | None = None,
    organisation_id: int | None = None,
    status: str | None = None,
    period: Period | None = None,
    count_sessions: bool = False,
    today: date | None = None,
) -> list[InvoiceRow]:
    """Documents with their organisation, what they adjust or replace, their line count
    and (when asked: it reads every link) their session count, ordered as numbered
    (drafts last). Status `overdue` selects approved documents owing money whose due
    date is before `today`."""
    if status is not None and status not in STATUS_FILTERS:
        raise InvalidParameter(
            f"status must be one of {', '.join(STATUS_FILTERS)}", parameter="status"
        )
    original = aliased(Invoice)
    replaced = aliased(Invoice)
    lines = (
        select(func.count())
        .where(InvoiceLineItem.invoice_id == Invoice.id)
        .correlate(Invoice)
        .scalar_subquery()
    )
    sessions = (
        select(func.count())
        .where(
            InvoiceSession.invoice_id
            == case(
                (Invoice.kind == "rcti", Invoice.accompanies_invoice_id),
                (Invoice.adjusts_invoice_id.is_(None), Invoice.id),
            )
        )
        .correlate(Invoice)
        .scalar_subquery()
        if count_sessions
        else literal(None, Integer)
    )
    query = (
        select(
            Invoice,
            Organisation.name,
            original.invoice_number,
            lines,
            sessions,
            replaced.invoice_number,
        )
        .join(Organisation, Organisation.id == Invoice.organisation_id)
        .outerjoin(original, original.id == Invoice.adjusts_invoice_id)
        .outerjoin(replaced, replaced.id == Invoice.replaces_invoice_id)
        .order_by(
            Invoice.invoice_number.is_(None),
            Invoice.invoice_number,
            Invoice.invoice_date,
            Invoice.organisation_id,
            Invoice.kind,
            Invoice.id,
        )
    )
    if invoice_ids is not None:
        query = query.where(Invoice.id.in_(set(invoice_ids)))
    if organisation_id is not None:
        query = query.where(Invoice.organisation_id == organisation_id)
    if status == OVERDUE:
        query = query.where(
            Invoice.status == InvoiceStatus.APPROVED,
            Invoice.due_date < (today or date.today()),
            Invoice.total_amount > Invoice.total_paid,
        )
    elif status is not None:
        query = query.where(Invoice.status == status)
    if period is not None:
        query = query.where(Invoice.period_start == period.first_day)
    return [InvoiceRow(*row) for row in db.execute(query)]


@dataclass(frozen=True)
class PaymentRow:
    paid_on: date
    amount: Decimal
    counterpart_number: int | None  # the other document, for an adjustment note's credit


def payments_of(db: Session, invoice: Invoice) -> list[PaymentRow]:
    counterpart = aliased(Invoice)
    query = (
        select(InvoicePayment.paid_on, InvoicePayment.amount, counterpart.invoice_number)
        .outerjoin(counterpart, counterpart.id == InvoicePayment.counterpart_invoice_id)
        .where(InvoicePayment.invoice_id == invoice.id)
        .order_by(InvoicePayment.paid_on, InvoicePayment.id)
    )
    return [PaymentRow(*row) for row in db.execute(query)]


def adjustments_of(db: Session, invoice: Invoice) -> list[Invoice]:
    query = (
        select(Invoice)
        .where(Invoice.adjusts_invoice_id == invoice.id)
        .order_by(Invoice.invoice_number.is_(None), Invoice.invoice_number, Invoice.id)
    )
    return list(db.scalars(query))


def billed_vehicle_count(db: Session, invoice: Invoice) -> int:
    query = select(func.count()).where(InvoiceVehicle.invoice_id == invoice.id)
    return db.scalar(query) or 0
