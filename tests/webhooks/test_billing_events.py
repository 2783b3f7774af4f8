"""invoice.approved / paid / voided and session.invoiced: written with the billing change,
to the invoice's organisation only, the invoice as its /invoices shows it."""

from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fleetcharge.billing import Period, approve_invoices, draft_invoices
from fleetcharge.billing.adjustments import draft_adjustment_note
from fleetcharge.billing.listing import invoices_page
from fleetcharge.billing.payments import record_payment, void_invoice
from fleetcharge.kit.paging import parse_list_params
from fleetcharge.models import Invoice, Organisation
from fleetcharge.webhooks import event_types as types
from tests import factories as f
from tests.webhooks.events import events, recipients
from tests.webhooks.factories import subscription

SYDNEY = ZoneInfo("Australia/Sydney")
PAID_ON = date(2024, 7, 10)


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.rollback()


def _billed_month(db: Session, sessions: int = 2) -> tuple[Organisation, Organisation]:
    """A payer whose vehicle charged `sessions` times in June 2024 at a host's station,
    both subscribed to everything, and a bystander subscribed too."""
    payer, host = f.organisation(db, "Payer"), f.organisation(db, "Host")
    for org in (payer, host, f.organisation(db, "Bystander")):
        subscription(db, org)
    vehicle = f.vehicle(db, f.fleet(db, payer, "Vans"))
    site = f.site(db, host)
    for day in range(sessions):
        stop = datetime(2024, 6, 3 + day % 20, 10, day // 20, tzinfo=SYDNEY)
        f.charge(db, site, f.driver(db, vehicle), stop)
    draft_invoices(db, Period(2024, 6))
    return payer, host


def _shown(db: Session, invoice: Invoice) -> dict:
    """The invoice as /invoices lists it to its organisation."""
    _, items = invoices_page(db, invoice.organisation_id, parse_list_params(None, None, None))
    (item,) = [item for item in items if item["uuid"] == str(invoice.uuid)]
    return item


def test_approval_tells_each_organisation_its_documents_and_their_sessions(
    db: Session,
) -> None:
    payer, host = _billed_month(db)
    approved = approve_invoices(db)

    told = events(db, types.INVOICE_APPROVED)
    assert sorted(e["data"]["invoice"]["uuid"] for e in told) == sorted(
        str(i.uuid) for i in approved
    )
    for invoice in approved:
        (event,) = [e for e in told if e["data"]["invoice"]["uuid"] == str(invoice.uuid)]
        assert event["data"]["invoice"] == _shown(db, invoice)
    assert set(recipients(db, types.INVOICE_APPROVED)) == {payer.id, host.id}

    (fleet,) = [i for i in approved if i.kind == "fleet"]
    usage = _shown(db, fleet)["charge_sessions"]
    (invoiced,) = events(db, types.SESSION_INVOICED, payer.id)
    assert invoiced["data"] == {
        "invoice": {
            "uuid": str(fleet.uuid),
            "invoice_number": fleet.invoice_number,
            "kind": "fleet",
        },
        "session_uuids": [s["uuid"] for s in usage],
        "part": 1,
        "parts": 1,
    }
    # The host's site-host invoice and its RCTI bill the same two sessions.
    host_parts = events(db, types.SESSION_INVOICED, host.id)
    assert sorted(e["data"]["invoice"]["kind"] for e in host_parts) == ["rcti", "site_host"]
    assert all(len(e["data"]["session_uuids"]) == 2 for e in host_parts)


def test_session_invoiced_comes_in_parts_of_at_most_the_limit(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(types, "MAX_SESSIONS_PER_EVENT", 2)
    payer, _ = _billed_month(db, sessions=5)
    (fleet,) = [i for i in approve_invoices(db) if i.kind == "fleet"]

    parts = events(db, types.SESSION_INVOICED, payer.id)
    assert [(e["data"]["part"], e["data"]["parts"]) for e in parts] == [(1, 3), (2, 3), (3, 3)]
    billed = [uuid for e in parts for uuid in e["data"]["session_uuids"]]
    assert [len(e["data"]["session_uuids"]) for e in parts] == [2, 2, 1]
    assert billed == [s["uuid"] for s in _shown(db, fleet)["charge_sessions"]]


def test_payment_in_full_tells_paid_once(db: Session) -> None:
    payer, _ = _billed_month(db)
    (fleet,) = [i for i in approve_invoices(db) if i.kind == "fleet"]
    half = (fleet.total_amount / 2).quantize(fleet.total_amount)

    record_payment(db, fleet, half, PAID_ON)
    assert events(db, types.INVOICE_PAID) == []
    record_payment(db, fleet, fleet.total_amount - half, PAID_ON)

    (paid,) = events(db, types.INVOICE_PAID)
    assert recipients(db, types.INVOICE_PAID) == [payer.id]
    assert paid["data"]["invoice"] == _shown(db, fleet)
    assert paid["data"]["invoice"]["status"] == "paid"


def test_an_adjustment_note_settling_an_invoice_tells_approved_and_paid(db: Session) -> None:
    _billed_month(db)
    (fleet,) = [i for i in approve_invoices(db) if i.kind == "fleet"]
    note = draft_adjustment_note(db, fleet, -fleet.total_amount, "waived")
    approve_invoices(db, [note.id])

    (paid,) = events(db, types.INVOICE_PAID)
    assert paid["data"]["invoice"]["uuid"] == str(fleet.uuid)
    approved = [e["data"]["invoice"]["uuid"] for e in events(db, types.INVOICE_APPROVED)]
    assert approved[-1] == str(note.uuid)
    assert events(db, types.INVOICE_APPROVED)[-1]["data"]["invoice"] == _shown(db, note)


def test_voiding_tells_voided(db: Session) -> None:
    payer, _ = _billed_month(db)
    (fleet,) = [i for i in approve_invoices(db) if i.kind == "fleet"]
    void_invoice(db, fleet)

    (voided,) = events(db, types.INVOICE_VOIDED)
    assert recipients(db, types.INVOICE_VOIDED) == [payer.id]
    assert voided["data"]["invoice"] == _shown(db, fleet)
    assert voided["data"]["invoice"]["status"] == "void"


def test_discarding_a_draft_tells_nothing(db: Session) -> None:
    _billed_month(db)
    (draft,) = db.scalars(select(Invoice).where(Invoice.status == "draft", Invoice.kind == "fleet"))
    assert void_invoice(db, draft) is False
    assert events(db) == []


def test_a_rolled_back_approval_leaves_no_event(engine: Engine) -> None:
    with Session(engine) as db:
        _billed_month(db)
        db.commit()
        approve_invoices(db)
        assert len(events(db, types.INVOICE_APPROVED)) == 3  # written, in the transaction
        db.rollback()
    with Session(engine) as db:
        assert events(db) == []
        assert db.scalars(select(Invoice.status)).all() == ["draft"] * 3
