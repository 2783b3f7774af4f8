"""The tax document a PDF shows, built from an issued invoice (the rendering is `pdf`).

The ATO's requirements decide what goes in: the kind of document in words, the
supplier's identity and ABN, the issue date, what was supplied with quantity and price,
the GST and the extent each supply is taxable, and the recipient's identity and ABN
(required from $1,000; always shown here). On an RCTI the recipient, the network
operator, issues the document: the site host is the supplier.

What makes it a bill one sends: both parties' legal names, addresses and contacts, the
due date and terms, the customer's purchase order, how to pay (bank account and/or BPAY,
with the document's payment reference), what it replaces or adjusts, and an appendix of
the sessions it bills. A void document keeps its amounts but asks for nothing.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from fleetcharge.abn import parse_abn
from fleetcharge.billing.appendix import Appendix, appendix
from fleetcharge.billing.payment_reference import payment_reference
from fleetcharge.billing.payments import describe
from fleetcharge.billing.service import GST_RATE
from fleetcharge.errors import Conflict
from fleetcharge.models import Invoice, InvoiceLineItem, InvoiceSession, Organisation
from fleetcharge.models.invoice import BILLED_STATUSES, InvoiceStatus
from fleetcharge.money import ZERO, gst_included, shown
from fleetcharge.settings import Settings


@dataclass(frozen=True)
class PaymentAccount:
    """Where customers pay the operator (settings); any part may be missing."""

    account_name: str | None = None
    bsb: str | None = None
    account_number: str | None = None
    bpay_biller_code: str | None = None

    @property
    def bank(self) -> bool:
        return bool(self.bsb and self.account_number)


@dataclass(frozen=True)
class Party:
    name: str
    abn: str | None
    address: str | None = None
    # Further lines under the address: attention of, phone, email.
    contact: tuple[str, ...] = ()
    # The operator's only: where its customers pay.
    payment: PaymentAccount | None = None


@dataclass(frozen=True)
class PaymentInstructions:
    account: PaymentAccount
    reference: str  # the invoice number with a check digit


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
    due_date: date | None = None
    payment_terms_days: int | None = None
    purchase_order: str | None = None
    payment: PaymentInstructions | None = None
    appendix: Appendix | None = None

    @property
    def due(self) -> Decimal:
        """Nothing on a void document; its original amounts stay readable."""
        return ZERO if self.status == InvoiceStatus.VOID else self.total - self.paid


def operator_party(settings: Settings) -> Party:
    abn = parse_abn(settings.operator_abn) if settings.operator_abn else None
    contact = tuple(
        line
        for line in (
            f"Phone {settings.operator_phone}" if settings.operator_phone else None,
            settings.operator_email,
        )
        if line
    )
    account = PaymentAccount(
        settings.payment_account_name,
        settings.payment_bsb,
        settings.payment_account_number,
        settings.payment_bpay_biller_code,
    )
    payable = account.bank or account.bpay_biller_code
    return Party(
        settings.operator_legal_name or settings.operator_name,
        abn,
        settings.operator_address,
        contact,
        account if payable else None,
    )


def organisation_party(organisation: Organisation) -> Party:
    contact = tuple(
        line
        for line in (
            f"Attention {organisation.contact_name}" if organisation.contact_name else None,
            f"Phone {organisation.contact_phone}" if organisation.contact_phone else None,
            organisation.contact_email,
        )
        if line
    )
    return Party(
        organisation.legal_name or organisation.name,
        organisation.abn,
        organisation.address,
        contact,
    )


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
    customer = organisation_party(organisation)
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
        due_date=invoice.due_date,
        payment_terms_days=_terms(invoice),
        purchase_order=organisation.purchase_order if invoice.kind != "rcti" else None,
        payment=_payment(invoice, operator),
        appendix=appendix(db, invoice, organisation.billing_timezone),
    )


def _terms(invoice: Invoice) -> int | None:
    if invoice.due_date is None:
        return None
    return (invoice.due_date - invoice.invoice_date).days


def _payment(invoice: Invoice, operator: Party) -> PaymentInstructions | None:
    """How to pay: on what the customer pays the operator (not an RCTI, which the
    operator pays, nor a credit note), while it asks for money."""
    charges = invoice.kind != "rcti" and invoice.adjusts_invoice_id is None
    if operator.payment is None or not charges or invoice.invoice_number is None:
        return None
    if invoice.status == InvoiceStatus.VOID:
        return None
    return PaymentInstructions(operator.payment, payment_reference(invoice.invoice_number))


def _gst(amount: Decimal) -> Decimal:
    return gst_included(amount, GST_RATE)


def _related(db: Session, condition: ColumnElement[bool]) -> list[Invoice]:
    """Issued, live documents meeting `condition`, by number."""
    query = (
        select(Invoice)
        .where(condition, Invoice.status.in_(BILLED_STATUSES))
        .order_by(Invoice.invoice_number)
    )
    return list(db.scalars(query))


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
    if invoice.replaces_invoice_id is not None:
        replaced = db.get_one(Invoice, invoice.replaces_invoice_id)
        statements.append(
            f"Replaces {document_title(replaced).lower()} {replaced.invoice_number}, which is void."
        )
    for later in _related(db, Invoice.replaces_invoice_id == invoice.id):
        statements.append(f"Replaced by {document_title(later).lower()} {later.invoice_number}.")
    for note in _related(db, Invoice.adjusts_invoice_id == invoice.id):
        statements.append(
            f"Adjusted by {document_title(note).lower()} {note.invoice_number}"
            f" of {note.invoice_date.isoformat()} ({shown(note.total_amount)})."
        )
    if invoice.status == InvoiceStatus.VOID:
        statements.append("This document is void: nothing is due on it.")
    if invoice.kind == "rcti":
        statements.append(
            f"Issued by the recipient, {operator.name}, under a recipient-created tax invoice"
            " agreement with the supplier. The GST shown is payable by the supplier."
        )
    return tuple(statements)
