"""The tax document a PDF shows, built from an issued invoice (the rendering is `pdf`).

The ATO's requirements decide what goes in: the kind of document in words, the
supplier's identity and ABN, the issue date, what was supplied with quantity and price,
the GST and the extent each supply is taxable, and the recipient's identity and ABN
(required from $1,000; always shown here). On an RCTI the recipient, the network
operator, issues the document: the site host is the supplier.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fleetcharge.abn import parse_abn
from fleetcharge.billing.payments import describe
from fleetcharge.billing.service import GST_RATE
from fleetcharge.errors import Conflict
from fleetcharge.models import Invoice, InvoiceLineItem, InvoiceSession, Organisation
from fleetcharge.money import gst_included
from fleetcharge.settings import Settings


@dataclass(frozen=True)
class Party:
    name: str
    abn: str | None


@dataclass(frozen=True)
class DocumentLine:
    description: str
    units: int
    unit_price: Decimal  # GST-inclusive
    amount: Decimal  # GST-inclusive
    gst: Decimal


@dataclass(frozen=True)
class TaxDocument:
    title: str  # "Tax invoice", "Recipient-created tax invoice", "Adjustment note", ...
    number: int
    issue_date: date
    period_start: date
    period_end: date
    status: str
    supplier: Party
    recipient: Party
    description: str | None
    lines: tuple[DocumentLine, ...]
    currency: str
    total: Decimal
    gst: Decimal
    paid: Decimal
    sessions: int
    statements: tuple[str, ...]

    @property
    def due(self) -> Decimal:
        return self.total - self.paid


def operator_party(settings: Settings) -> Party:
    abn = parse_abn(settings.operator_abn) if settings.operator_abn else None
    return Party(settings.operator_legal_name or settings.operator_name, abn)


def document_title(invoice: Invoice) -> str:
    recipient_created = invoice.kind == "rcti"
    if invoice.adjusts_invoice_id is not None:
        return "Recipient-created adjustment note" if recipient_created else "Adjustment note"
    return "Recipient-created tax invoice" if recipient_created else "Tax invoice"


def tax_document(db: Session, invoice: Invoice, operator: Party) -> TaxDocument:
    """The document its PDF shows; refused while a party the ATO requires an ABN of has none."""
    document = shown_document(db, invoice, operator)
    if document.supplier.abn is None and invoice.kind == "rcti":
        name = document.supplier.name
        raise Conflict(
            f"{name} has no ABN, which its RCTI must show: set it with"
            f" `fleetcharge organisations set {name!r} --abn ...`"
        )
    if document.supplier.abn is None:
        raise Conflict(
            "the network operator's ABN, which a tax invoice must show, is not set:"
            " set FLEETCHARGE_OPERATOR_ABN (and FLEETCHARGE_OPERATOR_LEGAL_NAME)"
        )
    return document


def shown_document(db: Session, invoice: Invoice, operator: Party) -> TaxDocument:
    """What an issued document shows, line by line (the web console's page of it too); a
    party without an ABN is shown without one."""
    if invoice.invoice_number is None:
        raise Conflict(f"{describe(invoice)} is not issued: approve it to get its tax invoice")
    organisation = db.get_one(Organisation, invoice.organisation_id)
    customer = Party(organisation.name, organisation.abn)
    supplier, recipient = (customer, operator) if invoice.kind == "rcti" else (operator, customer)
    line_items = db.scalars(
        select(InvoiceLineItem)
        .where(InvoiceLineItem.invoice_id == invoice.id)
        .order_by(InvoiceLineItem.position)
    )
    sessions = db.scalar(
        select(func.count()).where(InvoiceSession.invoice_id == invoice.links_invoice_id)
    )
    return TaxDocument(
        title=document_title(invoice),
        number=invoice.invoice_number,
        issue_date=invoice.invoice_date,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        status=invoice.status,
        supplier=supplier,
        recipient=recipient,
        description=invoice.description,
        lines=tuple(
            DocumentLine(li.description, li.units, li.unit_price, li.amount, _gst(li.amount))
            for li in line_items
        ),
        currency=invoice.currency,
        total=invoice.total_amount,
        gst=invoice.total_tax,
        paid=invoice.total_paid,
        sessions=sessions or 0,
        statements=_statements(db, invoice, operator),
    )


def _gst(amount: Decimal) -> Decimal:
    return gst_included(amount, GST_RATE)


def _statements(db: Session, invoice: Invoice, operator: Party) -> tuple[str, ...]:
    rate = f"{GST_RATE * 100:.0f}%"
    statements = [
        f"All supplies on this document are taxable supplies at {rate} GST."
        " Prices and totals include GST."
    ]
    if invoice.adjusts_invoice_id is not None:
        original = db.get_one(Invoice, invoice.adjusts_invoice_id)
        statements.append(
            f"This note adjusts {document_title(original).lower()} {original.invoice_number}"
            f" of {original.invoice_date.isoformat()}: the price decreases by"
            f" {-invoice.total_amount} and the GST by {-invoice.total_tax}."
        )
    if invoice.kind == "rcti":
        statements.append(
            f"Issued by the recipient, {operator.name}, under a recipient-created tax invoice"
            " agreement with the supplier. The GST shown is payable by the supplier."
        )
    return tuple(statements)
