"""Issued documents and the money received or paid on them, as an accounting system books
them: what the accounting export (`accounting_formats`) and statements of account read.

A document's lines carry their GST, split so that the lines' GST adds up to the
document's GST to the cent (each line's own GST rounded, the rounding left over put on
the largest line), as an import that checks tax per line needs.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.billing.documents import document_title
from fleetcharge.billing.due import due_date
from fleetcharge.billing.period import Period
from fleetcharge.billing.service import GST_RATE
from fleetcharge.models import Invoice, InvoiceLineItem, InvoicePayment, Organisation
from fleetcharge.models.invoice import InvoiceStatus
from fleetcharge.money import ZERO, gst_included


class Group(StrEnum):
    """The four imports an accounting system keeps apart: sales invoices and their credit
    notes (fleet and site-host documents), bills and their credit notes (RCTIs: the
    operator is the recipient)."""

    INVOICES = "invoices"
    CREDIT_NOTES = "credit-notes"
    RCTIS = "rctis"
    RCTI_CREDIT_NOTES = "rcti-credit-notes"


@dataclass(frozen=True)
class LedgerLine:
    description: str
    units: int
    unit_price: Decimal  # GST-inclusive, with the document's sign
    amount: Decimal
    gst: Decimal


@dataclass(frozen=True)
class LedgerDocument:
    number: int
    uuid: str
    kind: str
    document_type: str  # "Tax invoice", "Adjustment note", ... as the PDF's title
    status: str
    contact: str
    email: str | None
    address: str | None
    purchase_order: str | None
    issue_date: date
    due_date: date
    period_start: date
    period_end: date
    adjusts_number: int | None
    description: str | None
    reference: str | None
    currency: str
    total: Decimal
    tax: Decimal
    paid: Decimal
    lines: tuple[LedgerLine, ...]

    @property
    def group(self) -> Group:
        credit = self.adjusts_number is not None
        if self.kind == "rcti":
            return Group.RCTI_CREDIT_NOTES if credit else Group.RCTIS
        return Group.CREDIT_NOTES if credit else Group.INVOICES

    @property
    def void(self) -> bool:
        return self.status == InvoiceStatus.VOID

    @property
    def due(self) -> Decimal:
        return ZERO if self.void else self.total - self.paid


def split_gst(amounts: list[Decimal], total_gst: Decimal) -> list[Decimal]:
    """Each amount's GST, adding up to `total_gst` exactly."""
    shares = [gst_included(amount, GST_RATE) for amount in amounts]
    if shares:
        largest = max(range(len(amounts)), key=lambda i: abs(amounts[i]))
        shares[largest] += total_gst - sum(shares, ZERO)
    return shares


def _due_date(invoice: Invoice, organisation: Organisation) -> date:
    """Set on approval; for a document issued before due dates were, from the terms."""
    if invoice.due_date is not None:
        return invoice.due_date
    return due_date(invoice.invoice_date, organisation.payment_terms_days)


def ledger_documents(
    db: Session,
    *,
    issued_in: Period | None = None,
    organisation_id: int | None = None,
    issued_from: date | None = None,
    issued_to: date | None = None,
) -> list[LedgerDocument]:
    """Issued documents (void ones included) by number, optionally only those dated in a
    month or between two days (inclusive), of one organisation."""
    original = select(Invoice.id, Invoice.invoice_number).subquery()
    query = (
        select(Invoice, Organisation, original.c.invoice_number)
        .join(Organisation, Organisation.id == Invoice.organisation_id)
        .outerjoin(original, original.c.id == Invoice.adjusts_invoice_id)
        .where(Invoice.status != InvoiceStatus.DRAFT)
        .order_by(Invoice.invoice_number)
    )
    if issued_in is not None:
        issued_from, issued_to = issued_in.first_day, issued_in.last_day
    if issued_from is not None:
        query = query.where(Invoice.invoice_date >= issued_from)
    if issued_to is not None:
        query = query.where(Invoice.invoice_date <= issued_to)
    if organisation_id is not None:
        query = query.where(Invoice.organisation_id == organisation_id)
    rows = db.execute(query).all()
    lines = _lines(db, [invoice.id for invoice, _, _ in rows])
    return [
        _document(invoice, organisation, adjusts, lines[invoice.id])
        for invoice, organisation, adjusts in rows
    ]


def _lines(db: Session, invoice_ids: list[int]) -> dict[int, list[InvoiceLineItem]]:
    found: dict[int, list[InvoiceLineItem]] = defaultdict(list)
    for start in range(0, len(invoice_ids), 500):
        chunk = invoice_ids[start : start + 500]
        query = (
            select(InvoiceLineItem)
            .where(InvoiceLineItem.invoice_id.in_(chunk))
            .order_by(InvoiceLineItem.invoice_id, InvoiceLineItem.position)
        )
        for item in db.scalars(query):
            found[item.invoice_id].append(item)
    return found


def _document(
    invoice: Invoice,
    organisation: Organisation,
    adjusts: int | None,
    items: list[InvoiceLineItem],
) -> LedgerDocument:
    assert invoice.invoice_number is not None
    if not items and invoice.total_amount != 0:
        # An adjustment note keeps no lines: its one line is its credit.
        reason = invoice.description or f"Adjustment to {adjusts}"
        items = [
            InvoiceLineItem(
                description=reason,
                units=1,
                unit_price=invoice.total_amount,
                amount=invoice.total_amount,
            )
        ]
    gst = split_gst([item.amount for item in items], invoice.total_tax)
    return LedgerDocument(
        number=invoice.invoice_number,
        uuid=str(invoice.uuid),
        kind=invoice.kind,
        document_type=document_title(invoice),
        status=invoice.status,
        contact=organisation.legal_name or organisation.name,
        email=_first_email(organisation),
        address=organisation.address,
        purchase_order=organisation.purchase_order,
        issue_date=invoice.invoice_date,
        due_date=_due_date(invoice, organisation),
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        adjusts_number=adjusts,
        description=invoice.description,
        reference=invoice.reference,
        currency=invoice.currency,
        total=invoice.total_amount,
        tax=invoice.total_tax,
        paid=invoice.total_paid,
        lines=tuple(
            LedgerLine(item.description, item.units, item.unit_price, item.amount, share)
            for item, share in zip(items, gst, strict=True)
        ),
    )


def _first_email(organisation: Organisation) -> str | None:
    """Xero keeps one email per contact: the first billing contact's."""
    if organisation.billing_emails:
        return organisation.billing_emails[0]
    return organisation.contact_email


@dataclass(frozen=True)
class LedgerPayment:
    """Money received on a document, or paid out on it (a refund of an adjustment note's
    credit, revenue paid to a host on an RCTI): never a credit applied between documents."""

    paid_on: date
    amount: Decimal  # with the document's sign
    number: int
    kind: str
    credit_note: bool
    contact: str
    currency: str

    @property
    def received(self) -> bool:
        """Money in (customers paying) rather than out (refunds, RCTIs)."""
        return self.kind != "rcti" and self.amount > 0


def ledger_payments(
    db: Session,
    *,
    paid_in: Period | None = None,
    organisation_id: int | None = None,
    paid_from: date | None = None,
    paid_to: date | None = None,
) -> list[LedgerPayment]:
    query = (
        select(InvoicePayment, Invoice, Organisation)
        .join(Invoice, Invoice.id == InvoicePayment.invoice_id)
        .join(Organisation, Organisation.id == Invoice.organisation_id)
        .where(InvoicePayment.counterpart_invoice_id.is_(None))
        .order_by(InvoicePayment.paid_on, InvoicePayment.id)
    )
    if paid_in is not None:
        paid_from, paid_to = paid_in.first_day, paid_in.last_day
    if paid_from is not None:
        query = query.where(InvoicePayment.paid_on >= paid_from)
    if paid_to is not None:
        query = query.where(InvoicePayment.paid_on <= paid_to)
    if organisation_id is not None:
        query = query.where(Invoice.organisation_id == organisation_id)
    return [
        LedgerPayment(
            paid_on=payment.paid_on,
            amount=payment.amount,
            number=invoice.invoice_number or 0,  # payments are on issued documents only
            kind=invoice.kind,
            credit_note=invoice.adjusts_invoice_id is not None,
            contact=organisation.legal_name or organisation.name,
            currency=invoice.currency,
        )
        for payment, invoice, organisation in db.execute(query)
    ]
