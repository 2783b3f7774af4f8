"""Never the same document twice by accident: the database keeps one ordinary sending per
document, and concurrent senders find each other's claim."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from email.message import EmailMessage

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from fleetcharge.db import unit_of_work
from fleetcharge.invoice_sending import service
from fleetcharge.invoice_sending.service import (
    AlreadySent,
    Outcome,
    remind_document,
    send_document,
)
from fleetcharge.invoice_sending.smtp import Relay
from fleetcharge.models import InvoiceSending
from fleetcharge.models.base import utcnow
from fleetcharge.permissions import Actor
from fleetcharge.settings import get_settings
from tests import factories as f
from tests.mailbox import Mailbox

ACTOR = Actor.command_line()


def issued(engine: Engine) -> tuple[int, int]:
    with unit_of_work(engine) as db:
        organisation = f.organisation(db, "Fleet Co")
        organisation.billing_emails = ["ap@fleetco.test"]
        invoice = f.invoice(db, organisation)
        invoice.due_date = date(2024, 7, 14)
        assert invoice.invoice_number is not None
        return invoice.id, invoice.invoice_number


def sending(invoice_id: int, **changes: object) -> InvoiceSending:
    fields: dict[str, object] = {
        "invoice_id": invoice_id,
        "kind": "sending",
        "forced": False,
        "recipients": ["ap@fleetco.test"],
        "subject": "Tax invoice",
        "attachment_sha256": "0" * 64,
        "message_id": "<1@fleetco.test>",
        "result": "sent",
        "sent_at": utcnow(),
        "actor_name": "test",
        "actor_role": "admin",
    }
    return InvoiceSending(**(fields | changes))


def test_the_database_refuses_a_second_ordinary_sending(engine: Engine) -> None:
    invoice_id, _ = issued(engine)
    with unit_of_work(engine) as db:
        # Beside one ordinary sending: failed ones, forced re-sends and reminders.
        db.add_all(
            [
                sending(invoice_id, result="failed", sent_at=None),
                sending(invoice_id, forced=True),
                sending(invoice_id, kind="reminder"),
                sending(invoice_id, kind="reminder"),
                sending(invoice_id),
            ]
        )
    for second in ({"result": "pending", "sent_at": None}, {}):
        with pytest.raises(IntegrityError), unit_of_work(engine) as db:
            db.add(sending(invoice_id, **second))
    with pytest.raises(IntegrityError), unit_of_work(engine) as db:  # sent means sent_at
        db.add(sending(invoice_id, forced=True, sent_at=None))


def test_a_sender_finds_the_claim_of_one_still_talking_to_the_relay(
    engine: Engine, mailbox: Mailbox, smtp_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, number = issued(engine)
    deliver = service.deliver
    refusals = []

    def meanwhile(relay: Relay, message: EmailMessage) -> list[str]:
        with pytest.raises(AlreadySent) as refused:
            send_document(engine, ACTOR, str(number), get_settings())
        refusals.append(str(refused.value))
        return deliver(relay, message)

    monkeypatch.setattr(service, "deliver", meanwhile)

    assert send_document(engine, ACTOR, str(number), get_settings()).result == "sent"

    assert len(mailbox.envelopes) == 1
    assert "its outcome is unknown" in refusals[0]


@pytest.mark.parametrize("kind", ["sending", "reminder"])
def test_concurrent_senders_send_once(
    engine: Engine, mailbox: Mailbox, smtp_env: dict[str, str], kind: str
) -> None:
    _, number = issued(engine)
    start = threading.Barrier(4)
    overdue = date(2024, 8, 1)

    def race() -> Outcome | str:
        start.wait()
        try:
            if kind == "reminder":
                return remind_document(engine, ACTOR, str(number), get_settings(), as_of=overdue)
            return send_document(engine, ACTOR, str(number), get_settings())
        except AlreadySent as refused:
            return refused.message

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: race(), range(4)))

    assert sum(isinstance(r, Outcome) and r.result == "sent" for r in results) == 1
    assert len(mailbox.envelopes) == 1
    with unit_of_work(engine) as db:
        assert len(db.scalars(select(InvoiceSending)).all()) == 1
