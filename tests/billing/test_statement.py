"""Statements of account: closing = opening + issued - paid over any history, to the cent;
months chain; the statement read from the database, as CSV and PDF."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy.orm import Session

from fleetcharge.billing.adjustments import draft_adjustment_note
from fleetcharge.billing.documents import Party
from fleetcharge.billing.payments import record_payment, void_invoice
from fleetcharge.billing.period import Period
from fleetcharge.billing.service import approve_invoices, draft_invoices
from fleetcharge.billing.statement import StatementDocument, StatementPayment, build_statement
from fleetcharge.billing.statement_pdf import render_statement_pdf
from fleetcharge.billing.statements import (
    AccountStatement,
    account_statement,
    statement_csv,
    statement_span,
)
from fleetcharge.errors import InvalidParameter
from fleetcharge.models import Invoice, Organisation
from tests import factories as f

START = date(2024, 1, 1)
OPERATOR = Party("Fleetcharge Networks Pty Ltd", "51824753556")
NOW = datetime(2024, 9, 1, tzinfo=UTC)
SYDNEY = ZoneInfo("Australia/Sydney")
APPROVED = datetime(2024, 7, 1, 9, tzinfo=SYDNEY)

cents = st.integers(1, 10**8).map(lambda c: Decimal(c).scaleb(-2))
days = st.integers(0, 365).map(lambda n: START + timedelta(days=n))
documents = st.builds(
    lambda day, kind, total, note, void, number: StatementDocument(
        day, number, kind, "Tax invoice", "d", -total if note else total, void
    ),
    days,
    st.sampled_from(["fleet", "site_host", "rcti"]),
    cents,
    st.booleans(),
    st.booleans(),
    st.integers(10000001, 10009999),
)
payments = st.builds(
    lambda day, kind, note, amount, number: StatementPayment(
        day, number, kind, note, -amount if note else amount
    ),
    days,
    st.sampled_from(["fleet", "site_host", "rcti"]),
    st.booleans(),
    cents,
    st.integers(10000001, 10009999),
)


def owed(document: StatementDocument) -> Decimal:
    """Independently of the module: what the organisation owes for a document."""
    if document.void:
        return Decimal(0)
    return -document.total if document.kind == "rcti" else document.total


def settled(payment: StatementPayment) -> Decimal:
    """What a payment takes off its balance: money in from it, minus money out to it."""
    return -payment.amount if payment.kind == "rcti" else payment.amount


@given(
    st.lists(documents, max_size=30),
    st.lists(payments, max_size=30),
    days,
    st.integers(0, 120),
)
def test_closing_is_everything_issued_minus_everything_paid(
    history: list[StatementDocument], money: list[StatementPayment], first: date, length: int
) -> None:
    last = first + timedelta(days=length)
    statement = build_statement(history, money, first, last)

    issued = sum((owed(d) for d in history if d.issue_date <= last), Decimal(0))
    paid = sum((settled(p) for p in money if p.paid_on <= last), Decimal(0))
    assert statement.closing == issued - paid
    assert statement.closing == statement.opening + statement.issued - statement.paid
    assert statement.closing == (
        statement.entries[-1].balance if statement.entries else statement.opening
    )
    counted = [e for e in statement.entries if e.status != "void"]
    assert statement.opening + sum((e.amount for e in counted), Decimal(0)) == statement.closing
    assert len(statement.entries) == sum(first <= d.issue_date <= last for d in history) + sum(
        first <= p.paid_on <= last for p in money
    )
    # The next span opens where this one closed.
    following = build_statement(history, money, last + timedelta(days=1), last + timedelta(days=30))
    assert following.opening == statement.closing


def test_a_void_document_is_shown_not_counted() -> None:
    invoice = StatementDocument(
        date(2024, 6, 30), 1, "fleet", "Tax invoice", "x", Decimal("9.90"), True
    )
    statement = build_statement([invoice], [], date(2024, 6, 1), date(2024, 6, 30))
    (entry,) = statement.entries
    assert (entry.status, entry.amount, entry.balance) == ("void", Decimal("9.90"), Decimal(0))
    assert statement.closing == statement.issued == Decimal(0)


def billed_june(db: Session) -> dict[str, Invoice]:
    """June 2024 billed (as `billed_month`), approved on 1 July."""
    org = f.organisation(db, "Payer")
    vehicle = f.vehicle(db, f.fleet(db, org, "Vans"))
    site = f.site(db, f.organisation(db, "Host"))
    for day in (3, 4):
        f.charge(db, site, f.driver(db, vehicle), datetime(2024, 6, day, tzinfo=SYDNEY))
    draft_invoices(db, Period(2024, 6))
    return {i.kind: i for i in approve_invoices(db, now=APPROVED)}


def test_a_long_statement_runs_over_numbered_pages() -> None:
    day = date(2024, 7, 1)
    documents = [
        StatementDocument(day, n, "fleet", "Tax invoice", f"Invoice {n}", Decimal("1.10"), False)
        for n in range(1, 121)
    ]
    statement = build_statement(documents, [], day, day)
    account = AccountStatement(
        OPERATOR, Party("Many Co", None), "Australia/Sydney", day, "AUD", statement
    )
    pages = PdfReader(io.BytesIO(render_statement_pdf(account))).pages
    assert len(pages) >= 3
    last = pages[-1].extract_text()
    assert f"Page {len(pages)} of {len(pages)}" in last and "$132.00" in last
    assert "Page 1 of" in pages[0].extract_text()


def history(db: Session) -> Organisation:
    """The fleet invoice (10.95) issued on 1 July, credited 2.50 on 2 July, paid 5.00 on
    10 July and the rest (3.45) on 3 August."""
    fleet = billed_june(db)["fleet"]
    draft_adjustment_note(db, fleet, Decimal("-2.50"), "Faulty charger")
    (note,) = approve_invoices(db, now=APPROVED + timedelta(days=1))
    note.invoice_date = date(2024, 7, 2)  # its credit is applied, and dated, today
    record_payment(db, fleet, Decimal("5.00"), date(2024, 7, 10))
    record_payment(db, fleet, Decimal("3.45"), date(2024, 8, 3))
    return db.get_one(Organisation, fleet.organisation_id)


def test_the_statement_of_a_fleet(db: Session) -> None:
    org = history(db)
    june = account_statement(db, org, date(2024, 6, 1), date(2024, 6, 30), OPERATOR, NOW)
    july = account_statement(db, org, date(2024, 7, 1), date(2024, 7, 31), OPERATOR, NOW)
    august = account_statement(db, org, date(2024, 8, 1), date(2024, 8, 31), OPERATOR, NOW)
    assert june.statement.entries == () and june.statement.closing == 0
    s = july.statement
    assert (s.opening, s.issued, s.paid) == (0, Decimal("8.45"), Decimal("5.00"))
    assert s.closing == Decimal("3.45")
    s = august.statement
    assert (s.opening, s.paid, s.closing) == (Decimal("3.45"), Decimal("3.45"), 0)

    rows = list(csv.DictReader(io.StringIO(statement_csv(july))))
    assert [r["entry"] for r in rows] == ["opening", "document", "document", "payment", "closing"]
    assert [r["balance"] for r in rows] == ["0.00", "10.95", "8.45", "3.45", "3.45"]
    assert rows[2]["description"].startswith("Adjustment note") and rows[2]["amount"] == "-2.50"

    pdf = PdfReader(io.BytesIO(render_statement_pdf(july)))
    text = "".join(page.extract_text() for page in pdf.pages)
    for expected in ("Statement of account", "Payer", "$10.95", "-$2.50", "$3.45", "31 July 2024"):
        assert expected in text, expected


def test_a_host_is_owed_its_rcti_and_void_documents_do_not_count(db: Session) -> None:
    documents = billed_june(db)
    void_invoice(db, documents["rcti"])
    host = db.get_one(Organisation, documents["site_host"].organisation_id)
    account = account_statement(db, host, date(2024, 7, 1), date(2024, 7, 31), OPERATOR, NOW)
    statuses = sorted(e.status for e in account.statement.entries)
    assert statuses == ["issued", "void"]
    assert account.statement.closing == documents["site_host"].total_amount
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(render_statement_pdf(account))).pages
    )
    assert "VOID, not counted" in text


@pytest.mark.parametrize(
    ("period", "date_from", "date_to", "expected"),
    [
        ("2024-02", None, None, (date(2024, 2, 1), date(2024, 2, 29))),
        (None, "2024-02-10", "2024-03-05", (date(2024, 2, 10), date(2024, 3, 5))),
        (None, "2024-02-10", None, (date(2024, 2, 10), date(2024, 2, 29))),
        (None, None, None, (date(2024, 8, 1), date(2024, 8, 31))),
    ],
)
def test_spans(
    period: str | None, date_from: str | None, date_to: str | None, expected: tuple[date, date]
) -> None:
    assert statement_span(period, date_from, date_to, "Australia/Sydney", NOW) == expected


@pytest.mark.parametrize(
    ("period", "date_from", "date_to", "parameter"),
    [
        ("2024-13", None, None, "period"),
        ("2024-01", "2024-01-01", None, "period"),
        (None, "2024-02-30", None, "from"),
        (None, "2024-03-01", "2024-02-01", "from"),
        (None, None, "20240201", "to"),
    ],
)
def test_bad_spans_name_the_parameter(
    period: str | None, date_from: str | None, date_to: str | None, parameter: str
) -> None:
    with pytest.raises(InvalidParameter) as error:
        statement_span(period, date_from, date_to, "Australia/Sydney", NOW)
    assert error.value.parameter == parameter
