"""Adjustment notes: drafted against an approved document, numbered in the same sequence,
their credit settling the original; listed on /invoices within the contract."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.billing import Period, approve_invoices, draft_invoices
from fleetcharge.billing.adjustments import draft_adjustment_note
from fleetcharge.billing.payments import record_payment, void_invoice
from fleetcharge.errors import Conflict, InvalidParameter
from fleetcharge.models import Invoice, InvoicePayment
from tests import factories as f

from .readback import lines

SYDNEY = ZoneInfo("Australia/Sydney")
PAID_ON = datetime(2024, 7, 10).date()


def approved_fleet_invoice(db: Session) -> Invoice:
    """Fleet invoice of 4.95 + 3.00 + 3.00 = 10.95, number 10000001 (and the host's two)."""
    org = f.organisation(db, "Payer")
    vehicle = f.vehicle(db, f.fleet(db, org, "Vans"))
    site = f.site(db, f.organisation(db, "Host"))
    for day in (3, 4):
        f.charge(db, site, f.driver(db, vehicle), datetime(2024, 6, day, tzinfo=SYDNEY))
    draft_invoices(db, Period(2024, 6))
    approved = approve_invoices(db, now=datetime(2024, 7, 1, 23, tzinfo=UTC))  # 2 July in Sydney
    (fleet,) = [i for i in approved if i.kind == "fleet"]
    return fleet


def test_a_note_credits_the_unpaid_original(db: Session) -> None:
    original = approved_fleet_invoice(db)

    note = draft_adjustment_note(
        db, original, Decimal("-3.00"), "  Charge on 4 June  billed twice "
    )

    assert (note.status, note.invoice_number, note.kind) == ("draft", None, "fleet")
    assert (note.total_amount, note.total_tax) == (Decimal("-3.00"), Decimal("-0.27"))
    assert note.reference == "10000001"
    assert note.description == (
        "Adjustment note for invoice 10000001 of 2024-07-02: Charge on 4 June billed twice"
    )
    assert lines(db, note) == [
        (
            "Adjustment to invoice 10000001: Charge on 4 June billed twice",
            1,
            Decimal("-3.00"),
            Decimal("-3.00"),
        )
    ]
    assert original.total_paid == 0  # nothing happens before approval

    (approved,) = approve_invoices(db)

    assert (approved, approved.invoice_number) == (note, 10000004)
    assert (original.status, original.total_paid) == ("approved", Decimal("3.00"))
    assert (note.status, note.total_paid) == ("paid", Decimal("-3.00"))
    record_payment(db, original, Decimal("7.95"), PAID_ON)
    assert original.status == "paid"
    entries = db.scalars(select(InvoicePayment).order_by(InvoicePayment.id)).all()
    assert [(e.invoice_id, e.amount, e.counterpart_invoice_id) for e in entries] == [
        (original.id, Decimal("3.00"), note.id),
        (note.id, Decimal("-3.00"), original.id),
        (original.id, Decimal("7.95"), None),
    ]


def test_a_note_on_a_paid_invoice_is_refunded(db: Session) -> None:
    original = approved_fleet_invoice(db)
    record_payment(db, original, Decimal("10.95"), PAID_ON)
    note = draft_adjustment_note(db, original, Decimal("-10.95"), "Goodwill")
    approve_invoices(db)
    assert (note.status, note.total_paid) == ("approved", Decimal("0.00"))

    record_payment(db, note, Decimal("10.95"), PAID_ON)

    assert (note.status, note.total_paid) == ("paid", Decimal("-10.95"))
    assert original.status == "paid"


def test_credits_never_exceed_the_original(db: Session) -> None:
    original = approved_fleet_invoice(db)
    draft_adjustment_note(db, original, Decimal("-10.00"), "Most of it")
    with pytest.raises(Conflict, match=r"at most 0\.95 more"):
        draft_adjustment_note(db, original, Decimal("-1.00"), "Too much")
    draft_adjustment_note(db, original, Decimal("-0.95"), "The rest")
    approve_invoices(db)
    assert (original.status, original.total_paid) == ("paid", original.total_amount)


@pytest.mark.parametrize(
    ("amount", "reason", "error", "message"),
    [
        ("3.00", "Positive", InvalidParameter, "negative amount"),
        ("0.00", "Zero", InvalidParameter, "negative amount"),
        ("-1.00", "   ", InvalidParameter, "give a reason"),
        ("-1.00", "x" * 301, InvalidParameter, "give a reason"),
    ],
)
def test_bad_notes_are_refused(
    db: Session, amount: str, reason: str, error: type[Exception], message: str
) -> None:
    original = approved_fleet_invoice(db)
    with pytest.raises(error, match=message):
        draft_adjustment_note(db, original, Decimal(amount), reason)


def test_only_issued_originals_are_adjusted(db: Session) -> None:
    original = approved_fleet_invoice(db)
    note = draft_adjustment_note(db, original, Decimal("-1.00"), "Once")
    draft = f.invoice(db, f.organisation(db), status="draft")
    with pytest.raises(Conflict, match="only approved or paid documents"):
        draft_adjustment_note(db, draft, Decimal("-1.00"), "Draft")
    approve_invoices(db, [note.id])
    with pytest.raises(Conflict, match="is an adjustment note"):
        draft_adjustment_note(db, note, Decimal("-1.00"), "Note of a note")
    with pytest.raises(Conflict, match="cannot be voided"):
        void_invoice(db, original)  # credited
    other = f.invoice(db, f.organisation(db), status="void")
    with pytest.raises(Conflict, match="is void"):
        draft_adjustment_note(db, other, Decimal("-1.00"), "Void")


def test_an_invoice_with_a_pending_note_is_not_voided(db: Session) -> None:
    original = approved_fleet_invoice(db)
    note = draft_adjustment_note(db, original, Decimal("-1.00"), "Pending")
    with pytest.raises(Conflict, match="has adjustment notes"):
        void_invoice(db, original)
    assert void_invoice(db, note) is False  # discarded
    assert void_invoice(db, original)
