"""Due dates, what is due and overdue: properties over any document state and dates."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetcharge.billing.due import amount_due, days_overdue, due_date, is_overdue
from fleetcharge.models.invoice import InvoiceStatus


@dataclass(frozen=True)
class Document:
    status: str
    total_amount: Decimal
    total_paid: Decimal
    due_date: date | None


cents = st.integers(min_value=0, max_value=10**10).map(lambda c: Decimal(c).scaleb(-2))
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@st.composite
def documents(draw: st.DrawFn) -> Document:
    status = draw(st.sampled_from(list(InvoiceStatus)))
    total = draw(cents)
    credit = draw(st.booleans())  # an adjustment note: negative total and payments
    paid = total if status == InvoiceStatus.PAID else draw(cents.filter(lambda p: p <= total))
    if status == InvoiceStatus.VOID:
        paid = Decimal("0.00")
    sign = -1 if credit else 1
    issued = status != InvoiceStatus.DRAFT
    return Document(status, sign * total, sign * paid, draw(days) if issued else None)


@given(days, st.integers(min_value=0, max_value=365))
def test_due_date_is_the_terms_after_issue(issued: date, terms: int) -> None:
    due = due_date(issued, terms)
    assert (due - issued).days == terms
    assert due >= issued


def test_negative_terms_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        due_date(date(2026, 1, 1), -1)


def test_due_across_a_month_and_year_end() -> None:
    assert due_date(date(2026, 12, 20), 14) == date(2027, 1, 3)
    assert due_date(date(2028, 2, 15), 14) == date(2028, 2, 29)


@given(documents())
def test_void_and_draft_documents_ask_for_nothing(document: Document) -> None:
    due = amount_due(document)
    if document.status in (InvoiceStatus.VOID, InvoiceStatus.DRAFT):
        assert due == 0
    else:
        assert due == document.total_amount - document.total_paid
    if document.status == InvoiceStatus.PAID:
        assert due == 0


@given(documents(), days)
def test_overdue_exactly_when_owed_after_the_due_date(document: Document, today: date) -> None:
    overdue = is_overdue(document, today)
    owed = document.status == InvoiceStatus.APPROVED and amount_due(document) > 0
    passed = document.due_date is not None and today > document.due_date
    assert overdue == (owed and passed)
    late = days_overdue(document, today)
    assert (late > 0) == overdue
    if overdue and document.due_date is not None:
        assert document.due_date + timedelta(days=late) == today


def test_overdue_starts_the_day_after_the_due_date() -> None:
    document = Document(
        InvoiceStatus.APPROVED, Decimal("10.00"), Decimal("0.00"), date(2026, 11, 14)
    )
    assert not is_overdue(document, date(2026, 11, 14))
    assert days_overdue(document, date(2026, 11, 15)) == 1
    part_paid = Document(
        InvoiceStatus.APPROVED, Decimal("10.00"), Decimal("9.99"), date(2026, 11, 14)
    )
    assert days_overdue(part_paid, date(2026, 12, 14)) == 30
    void = Document(InvoiceStatus.VOID, Decimal("10.00"), Decimal("0.00"), date(2026, 11, 14))
    assert amount_due(void) == 0 and not is_overdue(void, date(2027, 1, 1))
