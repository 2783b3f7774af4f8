"""Rows of the accounting imports (no I/O): Xero's and MYOB's sales-invoice, credit-note,
bill and payment CSV layouts, and fleetcharge's own invoice CSV. docs/accounting-export.md
is the column mapping.

Amounts are GST-inclusive (Xero: import with "Tax inclusive"; MYOB: `Inclusive` is X);
each line's GST is given so the importer keeps our GST to the cent. Xero and MYOB take
credit notes with positive amounts in their own import (Xero) or as negative sales (MYOB).
Void documents are never in an import: see `importable`.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from fleetcharge.billing.ledger import Group, LedgerDocument, LedgerLine, LedgerPayment
from fleetcharge.client.flatten import Cell, render
from fleetcharge.settings import Settings


class Format(StrEnum):
    CSV = "csv"
    XERO = "xero"
    MYOB = "myob"


@dataclass(frozen=True)
class Coding:
    """Account codes and tax types, as the accounting system names them."""

    sales_account: str
    rcti_account: str
    bank_account: str
    tax_gst: str
    tax_free: str
    rcti_tax_gst: str
    rcti_tax_free: str

    def account(self, group: Group) -> str:
        return self.rcti_account if group in _PURCHASES else self.sales_account

    def tax_type(self, group: Group, amount: Decimal) -> str:
        """Every supply billed is taxable; a line of nothing is coded GST-free (a line's
        GST rounding to 0.00 is still a taxable supply)."""
        if group in _PURCHASES:
            return self.rcti_tax_gst if amount else self.rcti_tax_free
        return self.tax_gst if amount else self.tax_free


# Xero's and MYOB's sample charts of accounts and tax rate names (Australia).
DEFAULT_CODING = {
    Format.XERO: Coding(
        "200",
        "310",
        "090",
        "GST on Income",
        "GST Free Income",
        "GST on Expenses",
        "GST Free Expenses",
    ),
    Format.MYOB: Coding("4-1000", "5-1000", "1-1110", "GST", "FRE", "GST", "FRE"),
}
_PURCHASES = (Group.RCTIS, Group.RCTI_CREDIT_NOTES)
_CREDITS = (Group.CREDIT_NOTES, Group.RCTI_CREDIT_NOTES)


def coding(settings: Settings, fmt: Format) -> Coding:
    default = DEFAULT_CODING[fmt]
    return Coding(
        settings.accounting_sales_account or default.sales_account,
        settings.accounting_rcti_account or default.rcti_account,
        settings.accounting_bank_account or default.bank_account,
        settings.accounting_tax_type_gst or default.tax_gst,
        settings.accounting_tax_type_free or default.tax_free,
        settings.accounting_rcti_tax_type_gst or default.rcti_tax_gst,
        settings.accounting_rcti_tax_type_free or default.rcti_tax_free,
    )


def importable(documents: Iterable[LedgerDocument], group: Group) -> list[LedgerDocument]:
    """The documents of one import. Void ones are left out: a document voided before it
    was imported must not be; one voided after is voided in the accounting system too."""
    return [d for d in documents if d.group is group and not d.void]


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")  # both systems read Australian dates


def _money(value: Decimal) -> str:
    return format(value, "f")


def _address_lines(address: str | None) -> list[str]:
    parts = [part.strip() for part in (address or "").splitlines() if part.strip()]
    lines = [*parts[:3], ", ".join(parts[3:])] if len(parts) > 4 else parts
    return lines + [""] * (4 - len(lines))


# --- Xero -----------------------------------------------------------------------------

_XERO_CONTACT = [
    "*ContactName",
    "EmailAddress",
    "POAddressLine1",
    "POAddressLine2",
    "POAddressLine3",
    "POAddressLine4",
    "POCity",
    "PORegion",
    "POPostalCode",
    "POCountry",
]
_XERO_LINE = [
    "InventoryItemCode",
    "*Description",
    "*Quantity",
    "*UnitAmount",
    "Discount",
    "*AccountCode",
    "*TaxType",
    "TaxAmount",
    "TrackingName1",
    "TrackingOption1",
    "TrackingName2",
    "TrackingOption2",
    "Currency",
]
XERO_INVOICE_COLUMNS = [
    *_XERO_CONTACT,
    "*InvoiceNumber",
    "Reference",
    "*InvoiceDate",
    "*DueDate",
    *_XERO_LINE,
]
XERO_CREDIT_NOTE_COLUMNS = [
    *_XERO_CONTACT,
    "*CreditNoteNumber",
    "Reference",
    "*CreditNoteDate",
    *_XERO_LINE,
]
XERO_PAYMENT_COLUMNS = ["*Date", "*Amount", "Payee", "Description", "Reference"]


def _reference(document: LedgerDocument) -> str:
    if document.adjusts_number is not None:
        return f"Adjusts {document.adjusts_number}"
    period = f"{document.period_start:%Y-%m}"
    return f"PO {document.purchase_order} {period}" if document.purchase_order else period


def xero_rows(
    documents: Iterable[LedgerDocument], group: Group, codes: Coding
) -> Iterator[list[str]]:
    """Header, then one row per line item; credit notes with positive amounts."""
    credit = group in _CREDITS
    yield XERO_CREDIT_NOTE_COLUMNS if credit else XERO_INVOICE_COLUMNS
    for document in importable(documents, group):
        head = [
            document.contact,
            document.email or "",
            *_address_lines(document.address),
            "",
            "",
            "",
            "",
            str(document.number),
            _reference(document),
            _day(document.issue_date),
        ]
        if not credit:
            head.append(_day(document.due_date))
        for line in document.lines:
            yield [*head, *_xero_line(line, group, codes, document.currency, credit)]


def _xero_line(
    line: LedgerLine, group: Group, codes: Coding, currency: str, credit: bool
) -> list[str]:
    sign = -1 if credit else 1
    return [
        "",
        line.description,
        str(line.units),
        _money(sign * line.unit_price),
        "",
        codes.account(group),
        codes.tax_type(group, line.amount),
        _money(sign * line.gst),
        "",
        "",
        "",
        "",
        currency,
    ]


def xero_payment_rows(payments: Iterable[LedgerPayment]) -> Iterator[list[str]]:
    """A bank statement to reconcile against the imported documents: money in positive,
    money out (refunds, revenue paid to hosts) negative; the reference is the document."""
    yield XERO_PAYMENT_COLUMNS
    for payment in payments:
        yield [
            _day(payment.paid_on),
            _money(_cash(payment)),
            payment.contact,
            _payment_text(payment),
            str(payment.number),
        ]


def _cash(payment: LedgerPayment) -> Decimal:
    """Money into the operator's bank account (negative: out of it)."""
    return -payment.amount if payment.kind == "rcti" else payment.amount


def _payment_text(payment: LedgerPayment) -> str:
    if payment.kind == "rcti":
        noun = "Refund on RCTI adjustment note" if payment.credit_note else "Paid on RCTI"
    else:
        noun = "Refund on adjustment note" if payment.credit_note else "Payment of invoice"
    return f"{noun} {payment.number}"


# --- MYOB -----------------------------------------------------------------------------

_MYOB_CARD = [
    "Co./Last Name",
    "Addr 1 - Line 1",
    "           - Line 2",
    "           - Line 3",
    "           - Line 4",
    "Inclusive",
]
_MYOB_LINE = [
    "Description",
    "Account #",
    "Amount",
    "Inc-Tax Amount",
    "Tax Code",
    "Non-GST Amount",
    "GST Amount",
    "Journal Memo",
    "Comment",
]
_MYOB_TERMS = [
    "Currency Code",
    "Terms - Payment is Due",
    "           - Balance Due Days",
    "Amount Paid",
]
MYOB_SALE_COLUMNS = [
    *_MYOB_CARD[:5],
    _MYOB_CARD[5],
    "Invoice #",
    "Date",
    "Customer PO",
    *_MYOB_LINE,
    "Sale Status",
    *_MYOB_TERMS,
]
MYOB_PURCHASE_COLUMNS = [
    *_MYOB_CARD,
    "Purchase #",
    "Date",
    "Supplier Invoice #",
    *_MYOB_LINE,
    "Purchase Status",
    *_MYOB_TERMS,
]
MYOB_PAYMENT_COLUMNS = [
    "Co./Last Name",
    "Deposit Account #",
    "Receipt Date",
    "Invoice #",
    "Amount Applied",
    "Memo",
    "Currency Code",
]
_GIVEN_NUMBER_OF_DAYS = "2"  # MYOB's code for "in a given number of days"


def myob_rows(
    documents: Iterable[LedgerDocument], group: Group, codes: Coding
) -> Iterator[list[str]]:
    """Header, then each document's lines, documents apart by a blank row as MYOB's
    import wants; credit notes are sales (purchases) with negative amounts."""
    purchase = group in _PURCHASES
    yield MYOB_PURCHASE_COLUMNS if purchase else MYOB_SALE_COLUMNS
    for index, document in enumerate(importable(documents, group)):
        if index:
            yield []
        second_reference = str(document.number) if purchase else (document.purchase_order or "")
        terms = (document.due_date - document.issue_date).days
        for line in document.lines:
            yield [
                document.contact,
                *_address_lines(document.address),
                "X",
                str(document.number),
                _day(document.issue_date),
                second_reference,
                line.description,
                codes.account(group),
                _money(line.amount - line.gst),
                _money(line.amount),
                codes.tax_type(group, line.amount),
                "0.00",  # every supply is taxable
                _money(line.gst),
                f"{document.document_type} {document.number}",
                _reference(document),
                "B" if purchase else "I",
                document.currency,
                _GIVEN_NUMBER_OF_DAYS,
                str(terms),
                "0.00",
            ]


def myob_payment_rows(payments: Iterable[LedgerPayment], codes: Coding) -> Iterator[list[str]]:
    """Customer payments (receipts); money paid out is not a receipt (`skipped_payments`)."""
    yield MYOB_PAYMENT_COLUMNS
    for payment in payments:
        if payment.received:
            yield [
                payment.contact,
                codes.bank_account,
                _day(payment.paid_on),
                str(payment.number),
                _money(payment.amount),
                _payment_text(payment),
                payment.currency,
            ]


# --- fleetcharge's CSV ----------------------------------------------------------------

INVOICE_CSV_COLUMNS = [
    "uuid",
    "invoice_number",
    "invoice_date",
    "status",
    "description",
    "reference",
    "currency",
    "total_tax",
    "total_amount_incl_tax",
    "total_paid_incl_tax",
    "total_due_incl_tax",
    "line_item_count",
    "organisation_name",
    "document_type",
    "kind",
    "period_start",
    "period_end",
    "due_date",
    "adjusts_invoice_number",
]
PAYMENT_CSV_COLUMNS = [
    "paid_on",
    "invoice_number",
    "organisation_name",
    "kind",
    "amount_incl_tax",
    "cash_amount",
    "currency",
    "description",
]


def csv_rows(documents: Iterable[LedgerDocument], groups: Sequence[Group]) -> Iterator[list[str]]:
    """One row per document, void ones included (nothing due on them); text guarded
    against spreadsheet formulas as every fleetcharge CSV is."""
    yield INVOICE_CSV_COLUMNS
    for d in documents:
        if d.group not in groups:
            continue
        cells: list[Cell] = [
            d.uuid,
            d.number,
            d.issue_date,
            d.status,
            d.description,
            d.reference,
            d.currency,
            d.tax,
            d.total,
            d.paid,
            d.due,
            len(d.lines),
            d.contact,
            d.document_type,
            d.kind,
            d.period_start,
            d.period_end,
            d.due_date,
            d.adjusts_number,
        ]
        yield [render(cell) for cell in cells]


def payment_csv_rows(payments: Iterable[LedgerPayment]) -> Iterator[list[str]]:
    yield PAYMENT_CSV_COLUMNS
    for p in payments:
        cells: list[Cell] = [
            p.paid_on,
            p.number,
            p.contact,
            p.kind,
            p.amount,
            _cash(p),
            p.currency,
            _payment_text(p),
        ]
        yield [render(cell) for cell in cells]
