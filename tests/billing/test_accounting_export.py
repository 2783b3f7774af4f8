"""The Xero and MYOB imports read back with the csv module: every issued, non-void document
is there, line by line, and its lines add up to its total and its GST to the cent."""

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from fleetcharge.billing.accounting_formats import (
    DEFAULT_CODING,
    MYOB_SALE_COLUMNS,
    XERO_CREDIT_NOTE_COLUMNS,
    XERO_INVOICE_COLUMNS,
    Format,
    csv_rows,
    myob_payment_rows,
    myob_rows,
    xero_payment_rows,
    xero_rows,
)
from fleetcharge.billing.adjustments import draft_adjustment_note
from fleetcharge.billing.ledger import (
    Group,
    LedgerDocument,
    ledger_documents,
    ledger_payments,
    split_gst,
)
from fleetcharge.billing.payments import record_payment
from fleetcharge.billing.period import Period
from fleetcharge.billing.service import approve_invoices
from fleetcharge.money import gst_included
from tests import factories as f

from .test_payments import billed_month

XERO = DEFAULT_CODING[Format.XERO]
MYOB = DEFAULT_CODING[Format.MYOB]
# Lines whose own GST, rounded one by one, add up to a cent more than the document's GST.
ODD_LINES = (("Fee A", 1, "0.05"), ("Fee B", 1, "0.05"), ("Fee C", 3, "10.05"))


def read(rows: Iterable[Sequence[str]]) -> list[dict[str, str]]:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return list(csv.DictReader(io.StringIO(buffer.getvalue())))


def history(db: Session) -> list[LedgerDocument]:
    """June 2024 billed (fleet, site-host, RCTI), a credit on the fleet invoice, a partly
    paid invoice with odd roundings and a void one."""
    documents = billed_month(db)
    draft_adjustment_note(db, documents["fleet"], Decimal("-2.50"), "Faulty charger")
    approve_invoices(db)
    org = f.organisation(db, "Odd Co")
    org.address = "Level 2\n10 Market St\nSydney NSW 2000"
    odd = f.invoice(db, org, lines=ODD_LINES, invoice_date=date(2024, 7, 31))
    record_payment(db, odd, Decimal("10.00"), date(2024, 8, 2))
    f.invoice(db, org, status="void", invoice_date=date(2024, 7, 31), period_start=date(2024, 6, 1))
    return ledger_documents(db)


def by_number(rows: list[dict[str, str]], column: str) -> dict[int, list[dict[str, str]]]:
    found: dict[int, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        found[int(row[column])].append(row)
    return found


def test_the_gst_of_the_lines_adds_up_to_the_documents() -> None:
    amounts = [Decimal("0.05"), Decimal("0.05"), Decimal("30.15")]
    assert sum(gst_included(a, Decimal("0.10")) for a in amounts) != gst_included(
        sum(amounts, Decimal(0)), Decimal("0.10")
    )
    assert sum(split_gst(amounts, Decimal("2.75"))) == Decimal("2.75")


@given(st.lists(st.integers(-(10**7), 10**7), min_size=1, max_size=8))
def test_split_gst_always_adds_up(cents: list[int]) -> None:
    amounts = [Decimal(c).scaleb(-2) for c in cents]
    total_gst = gst_included(sum(amounts, Decimal("0.00")), Decimal("0.10"))
    assert sum(split_gst(amounts, total_gst), Decimal(0)) == total_gst


def test_xero_invoices_add_up_to_the_documents(db: Session) -> None:
    documents = history(db)
    rows = read(xero_rows(documents, Group.INVOICES, XERO))
    assert list(rows[0]) == XERO_INVOICE_COLUMNS
    found = by_number(rows, "*InvoiceNumber")
    expected = [d for d in documents if d.group is Group.INVOICES and not d.void]
    assert sorted(found) == sorted(d.number for d in expected)
    assert len(expected) == 3  # fleet, site-host, odd; not the void one
    for document in expected:
        lines = found[document.number]
        assert len(lines) == len(document.lines)
        total = sum(Decimal(r["*Quantity"]) * Decimal(r["*UnitAmount"]) for r in lines)
        assert total == document.total
        assert sum(Decimal(r["TaxAmount"]) for r in lines) == document.tax
        assert {r["*AccountCode"] for r in lines} == {"200"}
        assert {r["*TaxType"] for r in lines} == {"GST on Income"}
        assert {r["*InvoiceDate"] for r in lines} == {document.issue_date.strftime("%d/%m/%Y")}
        assert {r["*ContactName"] for r in lines} == {document.contact}
    odd = next(d for d in expected if d.contact == "Odd Co")
    assert found[odd.number][0]["POAddressLine3"] == "Sydney NSW 2000"


def test_xero_credit_notes_and_bills(db: Session) -> None:
    documents = history(db)
    notes = read(xero_rows(documents, Group.CREDIT_NOTES, XERO))
    assert list(notes[0]) == XERO_CREDIT_NOTE_COLUMNS
    (note,) = notes
    original = next(d for d in documents if d.group is Group.CREDIT_NOTES)
    assert Decimal(note["*UnitAmount"]) == Decimal("2.50") == -original.total
    assert Decimal(note["TaxAmount"]) == -original.tax == Decimal("0.23")
    assert note["Reference"] == f"Adjusts {original.adjusts_number}"

    bills = read(xero_rows(documents, Group.RCTIS, XERO))
    (rcti,) = [d for d in documents if d.group is Group.RCTIS]
    assert sum(Decimal(r["*Quantity"]) * Decimal(r["*UnitAmount"]) for r in bills) == rcti.total
    assert {r["*AccountCode"] for r in bills} == {"310"}
    assert {r["*TaxType"] for r in bills} == {"GST on Expenses"}


def test_myob_sales_add_up_and_are_apart(db: Session) -> None:
    documents = history(db)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(myob_rows(documents, Group.INVOICES, MYOB))
    raw = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert raw[0] == MYOB_SALE_COLUMNS
    assert raw.count([]) == 2  # three sales, a blank record between each
    found = by_number(read(myob_rows(documents, Group.INVOICES, MYOB)), "Invoice #")
    for document in (d for d in documents if d.group is Group.INVOICES and not d.void):
        lines = found[document.number]
        assert sum(Decimal(r["Inc-Tax Amount"]) for r in lines) == document.total
        assert sum(Decimal(r["GST Amount"]) for r in lines) == document.tax
        assert all(
            Decimal(r["Amount"]) + Decimal(r["GST Amount"]) == Decimal(r["Inc-Tax Amount"])
            for r in lines
        )
        assert {(r["Inclusive"], r["Tax Code"], r["Account #"]) for r in lines} == {
            ("X", "GST", "4-1000")
        }
    credit = read(myob_rows(documents, Group.CREDIT_NOTES, MYOB))
    assert [Decimal(r["Inc-Tax Amount"]) for r in credit] == [Decimal("-2.50")]
    purchases = read(myob_rows(documents, Group.RCTIS, MYOB))
    assert {r["Purchase Status"] for r in purchases} == {"B"}


def test_fleetcharge_csv_has_type_period_and_due_date(db: Session) -> None:
    documents = history(db)
    rows = read(csv_rows(documents, list(Group)))
    assert len(rows) == len(documents) == 6
    void = next(r for r in rows if r["status"] == "void")
    assert (void["total_due_incl_tax"], void["period_start"]) == ("0.00", "2024-06-01")
    types = {r["document_type"] for r in rows}
    assert types == {"Tax invoice", "Recipient-created tax invoice", "Adjustment note"}
    assert all(r["due_date"] and r["period_end"] for r in rows)


def test_payments_exports(db: Session) -> None:
    history(db)
    payments = ledger_payments(db, paid_in=Period(2024, 8))
    assert [p.amount for p in payments] == [Decimal("10.00")]  # credits applied are not money
    xero = read(xero_payment_rows(payments))
    assert [(r["*Date"], r["*Amount"]) for r in xero] == [("02/08/2024", "10.00")]
    myob = read(myob_payment_rows(payments, MYOB))
    assert [(r["Amount Applied"], r["Deposit Account #"]) for r in myob] == [("10.00", "1-1110")]
    assert ledger_payments(db, paid_in=Period(2024, 9)) == []
