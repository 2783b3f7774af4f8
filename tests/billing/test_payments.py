"""Payments, voids and what the database refuses: paid means paid in full, void means
unpaid, and a voided document's sessions go on the next run's documents, once."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fleetcharge.billing import Period, approve_invoices, draft_invoices
from fleetcharge.billing.lines import PRIOR_PERIOD
from fleetcharge.billing.payments import record_payment, void_invoice
from fleetcharge.errors import Conflict, InvalidParameter
from fleetcharge.models import Invoice, InvoicePayment
from tests import factories as f

from .readback import active_links_per_session, billed_sessions, lines

SYDNEY = ZoneInfo("Australia/Sydney")
JUNE, JULY = Period(2024, 6), Period(2024, 7)
PAID_ON = date(2024, 7, 10)


def billed_month(db: Session) -> dict[str, Invoice]:
    """A fleet organisation charging twice in June at a host's station, billed and approved:
    fleet 4.95 + 2 x 3.00, site-host 2 x 1.75 network fees, RCTI 2 x 3.00 revenue."""
    org = f.organisation(db, "Payer")
    vehicle = f.vehicle(db, f.fleet(db, org, "Vans"))
    site = f.site(db, f.organisation(db, "Host"))
    for day in (3, 4):
        f.charge(db, site, f.driver(db, vehicle), datetime(2024, 6, day, tzinfo=SYDNEY))
    draft_invoices(db, JUNE)
    return {invoice.kind: invoice for invoice in approve_invoices(db)}


def test_partial_then_full_payment(db: Session) -> None:
    fleet = billed_month(db)["fleet"]
    assert fleet.total_amount == Decimal("10.95")

    record_payment(db, fleet, Decimal("5.00"), PAID_ON)
    assert (fleet.status, fleet.total_paid) == ("approved", Decimal("5.00"))
    record_payment(db, fleet, Decimal("5.95"), date(2024, 7, 20))

    assert (fleet.status, fleet.total_paid) == ("paid", Decimal("10.95"))
    entries = db.scalars(select(InvoicePayment).where(InvoicePayment.invoice_id == fleet.id))
    assert [(p.paid_on, p.amount) for p in entries] == [
        (PAID_ON, Decimal("5.00")),
        (date(2024, 7, 20), Decimal("5.95")),
    ]


@pytest.mark.parametrize(
    ("setup", "amount", "error", "message"),
    [
        ("none", "10.96", Conflict, "more than the 10.95 due"),
        ("none", "0", InvalidParameter, "must be positive"),
        ("paid", "1.00", Conflict, "already paid in full"),
        ("void", "1.00", Conflict, "is void"),
    ],
)
def test_payments_that_are_refused(
    db: Session, setup: str, amount: str, error: type[Exception], message: str
) -> None:
    fleet = billed_month(db)["fleet"]
    if setup == "paid":
        record_payment(db, fleet, Decimal("10.95"), PAID_ON)
    if setup == "void":
        void_invoice(db, fleet)
    paid = fleet.total_paid
    with pytest.raises(error, match=message):
        record_payment(db, fleet, Decimal(amount), PAID_ON)
    assert fleet.total_paid == paid


def test_only_an_unpaid_document_is_voided(db: Session) -> None:
    fleet = billed_month(db)["fleet"]
    record_payment(db, fleet, Decimal("1.00"), PAID_ON)
    with pytest.raises(Conflict, match="cannot be voided"):
        void_invoice(db, fleet)
    record_payment(db, fleet, Decimal("9.95"), PAID_ON)
    with pytest.raises(Conflict, match="cannot be voided"):
        void_invoice(db, fleet)
    assert fleet.status == "paid"


def test_the_database_refuses_impossible_states(db: Session) -> None:
    fleet = billed_month(db)["fleet"]
    impossible: list[dict[str, Any]] = [
        {"status": "paid"},  # not paid in full
        {"total_paid": Decimal("11.00")},  # more than the total
        {"status": "void", "total_paid": Decimal("1.00")},  # void but paid
        {"status": "draft"},  # a numbered draft
        {"status": "refunded"},
    ]
    for values in impossible:
        with pytest.raises(IntegrityError), db.begin_nested():
            db.execute(update(Invoice).where(Invoice.id == fleet.id).values(**values))


def test_a_site_host_invoice_is_voided_after_its_rcti(db: Session) -> None:
    documents = billed_month(db)
    with pytest.raises(Conflict, match="void \\(or discard\\) it first"):
        void_invoice(db, documents["site_host"])
    assert void_invoice(db, documents["rcti"])
    assert void_invoice(db, documents["site_host"])


def test_voided_sessions_go_on_the_next_run_once(db: Session) -> None:
    documents = billed_month(db)
    june_sessions = billed_sessions(db, documents["fleet"])
    for kind in ("rcti", "site_host", "fleet"):
        assert void_invoice(db, documents[kind])
    for kind in ("fleet", "site_host", "rcti"):
        assert active_links_per_session(db, kind) == {}

    july = {i.kind: i for i in draft_invoices(db, JULY)}

    for kind in ("fleet", "site_host", "rcti"):
        assert billed_sessions(db, july[kind]) == june_sessions
        assert active_links_per_session(db, kind) == dict.fromkeys(june_sessions, 1)
    (charging,) = [line for line in lines(db, july["fleet"]) if PRIOR_PERIOD in line[0]]
    assert charging[3] == Decimal("6.00")
    assert draft_invoices(db, JULY) == []


def test_a_voided_rcti_is_reissued_for_its_month_by_the_next_run(db: Session) -> None:
    documents = billed_month(db)
    void_invoice(db, documents["rcti"])
    assert active_links_per_session(db, "rcti") == {}

    # July bills only the vehicle fee; June gets its RCTI again.
    july = {(i.kind, i.period_start.month): i for i in draft_invoices(db, JULY)}
    assert set(july) == {("fleet", 7), ("rcti", 6)}
    reissued = july["rcti", 6]

    assert (reissued.kind, reissued.period_start) == ("rcti", date(2024, 6, 1))
    assert reissued.accompanies_invoice_id == documents["site_host"].id
    assert reissued.total_amount == documents["rcti"].total_amount == Decimal("6.00")
    assert set(active_links_per_session(db, "rcti").values()) == {1}


def test_voiding_a_draft_discards_it(db: Session) -> None:
    org = f.organisation(db)
    vehicle = f.vehicle(db, f.fleet(db, org))
    f.charge(db, f.site(db, org), f.driver(db, vehicle), datetime(2024, 6, 3, tzinfo=SYDNEY))
    drafts = {i.kind: i for i in draft_invoices(db, JUNE)}
    draft_id = drafts["fleet"].id

    assert void_invoice(db, drafts["fleet"]) is False

    assert db.get(Invoice, draft_id) is None
    assert active_links_per_session(db, "fleet") == {}
    assert {i.kind for i in draft_invoices(db, JUNE)} == {"fleet"}
