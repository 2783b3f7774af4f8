"""`fleetcharge invoices send | remind` through a real SMTP server on loopback: the message
read back (recipients, subject, the PDF attached), each sending recorded, none twice by
accident, failures recorded and a non-zero exit."""

import hashlib
import re
import ssl
from datetime import timedelta
from pathlib import Path

import pytest
import trustme
from sqlalchemy import Engine, select

from fleetcharge.billing.documents import operator_party, tax_document
from fleetcharge.billing.pdf import render_pdf
from fleetcharge.db import unit_of_work
from fleetcharge.models import Invoice, InvoiceSending, Organisation
from fleetcharge.settings import get_settings
from tests.cli.conftest import Cli
from tests.cli.test_billing import june_network, ok, refused
from tests.mailbox import SENDER, Mailbox, serve
from tests.servers import free_port

CONTACTS = ["ap@fleetco.test", "finance@fleetco.test"]
# What differs between two renderings of one document: the time and the file id made of it.
_CREATED = re.compile(rb"/CreationDate \(D:[^)]*\)|/ID \[<[0-9A-F]+><[0-9A-F]+>\]")


def issued_june(cli: Cli, engine: Engine, contacts: list[str] | None = None) -> int:
    """June 2024 billed and approved; Fleet Co's billing contacts set. Its invoice number."""
    june_network(engine)
    ok(cli("billing", "run", "--period", "2024-06"))
    ok(cli("billing", "approve"))
    with unit_of_work(engine) as db:
        fleet_co = db.scalars(select(Organisation).where(Organisation.name == "Fleet Co")).one()
        fleet_co.billing_emails = CONTACTS if contacts is None else contacts
        invoice = db.scalars(select(Invoice).where(Invoice.organisation_id == fleet_co.id)).one()
        assert invoice.invoice_number is not None
        return invoice.invoice_number


def sendings(engine: Engine, number: int) -> list[InvoiceSending]:
    with unit_of_work(engine) as db:
        query = select(InvoiceSending).join(Invoice).where(Invoice.invoice_number == number)
        return list(db.scalars(query.order_by(InvoiceSending.id)))


def rendered(engine: Engine, number: int) -> bytes:
    with unit_of_work(engine) as db:
        invoice = db.scalars(select(Invoice).where(Invoice.invoice_number == number)).one()
        return render_pdf(tax_document(db, invoice, operator_party(get_settings())))


def test_a_document_is_emailed_with_its_pdf_once_unless_forced(
    cli: Cli, engine: Engine, mailbox: Mailbox, smtp_env: dict[str, str]
) -> None:
    number = issued_june(cli, engine)

    out = ok(cli("invoices", "send", str(number)))

    assert f"Sent {number} to {', '.join(CONTACTS)}." in out
    (envelope,) = mailbox.envelopes
    assert envelope.mail_from == SENDER and envelope.rcpt_tos == CONTACTS
    (message,) = mailbox.messages()
    assert message["To"] == ", ".join(CONTACTS)
    assert message["Subject"] == f"Tax invoice {number} from Fleetcharge Networks Pty Ltd"
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert f"tax invoice {number} for 1 June 2024 to 30 June 2024" in text
    assert "Total (incl. GST): $10.95" in text and "Due date: " in text
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"tax-invoice-{number}.pdf"
    pdf = attachment.get_content()
    assert pdf.startswith(b"%PDF")
    assert _CREATED.sub(b"", pdf) == _CREATED.sub(b"", rendered(engine, number))
    (sending,) = sendings(engine, number)
    assert (sending.kind, sending.result, sending.recipients) == ("sending", "sent", CONTACTS)
    assert sending.attachment_sha256 == hashlib.sha256(pdf).hexdigest()
    assert sending.message_id == message["Message-ID"].strip()
    assert sending.actor_name.startswith("cli:")

    # Never twice by accident: refused, nothing sent, nothing recorded.
    refused(cli("invoices", "send", str(number)), "already sent to ap@fleetco.test")
    assert len(mailbox.envelopes) == 1 and len(sendings(engine, number)) == 1

    ok(cli("invoices", "send", str(number), "--force"))
    assert len(mailbox.envelopes) == 2
    assert [s.forced for s in sendings(engine, number)] == [False, True]
    shown = " ".join(ok(cli("invoices", "show", str(number))).split())
    assert "sending (forced)" in shown and shown.count("ap@fleetco.test, finance@fleetco.test") == 2


def test_a_period_is_sent_skipping_void_documents_and_organisations_without_contacts(
    cli: Cli, engine: Engine, mailbox: Mailbox, smtp_env: dict[str, str]
) -> None:
    number = issued_june(cli, engine)

    dry = ok(cli("invoices", "send", "--period", "2024-06", "--dry-run"))
    assert "Dry run: 1 would be sent, 2 skipped." in dry
    assert "Host Co has no billing contacts" in " ".join(dry.split())
    assert mailbox.envelopes == [] and sendings(engine, number) == []

    out = ok(cli("invoices", "send", "--period", "2024-06"))
    assert "Sent 1, failed 0, skipped 2." in out
    assert mailbox.envelopes[0].rcpt_tos == CONTACTS
    # Sent documents are not sent again by the period's run; the unsent ones are tried again.
    again = ok(cli("invoices", "send", "--period", "2024-06"))
    assert "Sent 0, failed 0, skipped 2." in again and str(number) not in again

    ok(cli("invoices", "void", str(number)))
    refused(cli("invoices", "send", str(number), "--force"), "void documents are never sent")
    out = ok(cli("invoices", "send", "--period", "2024-06", "--force"))
    assert str(number) not in out and len(mailbox.envelopes) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no database behaviour
def test_a_failed_sending_is_recorded_exits_non_zero_and_may_be_retried(
    cli: Cli,
    engine: Engine,
    mailbox: Mailbox,
    smtp_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    number = issued_june(cli, engine)
    monkeypatch.setenv("FLEETCHARGE_SMTP_PORT", str(free_port()))  # nothing listens there
    get_settings.cache_clear()

    result = cli("invoices", "send", str(number))

    assert result.exit_code == 1 and "failed: cannot reach the relay 127.0.0.1" in result.output
    (failed,) = sendings(engine, number)
    assert failed.result == "failed" and failed.sent_at is None and failed.error

    monkeypatch.setenv("FLEETCHARGE_SMTP_PORT", str(mailbox.port))
    get_settings.cache_clear()
    mailbox.refused.update(CONTACTS)  # the relay takes it for nobody
    assert cli("invoices", "send", str(number)).exit_code == 1
    assert "every recipient refused" in (sendings(engine, number)[-1].error or "")

    mailbox.refused.clear()
    ok(cli("invoices", "send", str(number)))  # a failure did not count as sent
    assert [s.result for s in sendings(engine, number)] == ["failed", "failed", "sent"]


def test_reminders_for_overdue_documents_at_most_one_a_week(
    cli: Cli, engine: Engine, mailbox: Mailbox, smtp_env: dict[str, str]
) -> None:
    number = issued_june(cli, engine)
    with unit_of_work(engine) as db:
        invoice = db.scalars(select(Invoice).where(Invoice.invoice_number == number)).one()
        assert invoice.due_date is not None
        due = invoice.due_date

    assert "No overdue documents" in ok(cli("invoices", "remind", "--as-of", due.isoformat()))
    late = due + timedelta(days=3)
    assert "1 would be sent" in ok(
        cli("invoices", "remind", "--as-of", late.isoformat(), "--dry-run")
    )

    # Host Co's site-host invoice is overdue too, but Host Co has no billing contacts.
    assert "Sent 1, failed 0, skipped 1." in ok(
        cli("invoices", "remind", "--as-of", late.isoformat())
    )
    (message,) = mailbox.messages()
    assert message["Subject"] == f"Payment reminder: tax invoice {number} is overdue"
    assert [a.get_content_type() for a in message.iter_attachments()] == ["application/pdf"]

    again = ok(cli("invoices", "remind", "--as-of", (late + timedelta(days=1)).isoformat()))
    assert "Sent 0, failed 0, skipped 2." in again and "a reminder was sent at" in again
    with unit_of_work(engine) as db:  # a week passes
        for sending in db.scalars(select(InvoiceSending)):
            sending.attempted_at -= timedelta(days=7)
            sending.sent_at = sending.attempted_at
    ok(cli("invoices", "remind", "--as-of", (late + timedelta(days=7)).isoformat()))
    assert len(mailbox.envelopes) == 2
    assert [s.kind for s in sendings(engine, number)] == ["reminder", "reminder"]

    ok(cli("invoices", "pay", str(number), "--amount", "10.95"))
    far = (late + timedelta(days=60)).isoformat()
    assert str(number) not in ok(cli("invoices", "remind", "--as-of", far))
    assert len(mailbox.envelopes) == 2


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no database behaviour
def test_without_a_relay_or_for_a_draft_nothing_is_sent(
    cli: Cli, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    june_network(engine)
    ok(cli("billing", "run", "--period", "2024-06"))
    monkeypatch.delenv("FLEETCHARGE_SMTP_HOST", raising=False)
    get_settings.cache_clear()
    try:
        refused(cli("invoices", "send", "10000001"), "set FLEETCHARGE_SMTP_HOST")
        with unit_of_work(engine) as db:
            draft = db.scalars(select(Invoice)).first()
            assert draft is not None
            uuid = str(draft.uuid)
        refused(cli("invoices", "send", uuid, "--dry-run"), "drafts are never sent")
        refused(cli("invoices", "send"), "give an invoice NUMBER or --period YYYY-MM")
        refused(cli("invoices", "send", "--period", "2024-13", "--dry-run"), "2024-13")
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_starttls_with_the_relays_certificate_verified(
    cli: Cli,
    engine: Engine,
    smtp_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    number = issued_june(cli, engine)
    ca = trustme.CA()
    secure = Mailbox("127.0.0.1", free_port())
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    controller = serve(secure, tls_context=server_context, require_starttls=True)
    try:
        ca_file = tmp_path / "relay-ca.pem"
        ca.cert_pem.write_to_path(str(ca_file))
        monkeypatch.setenv("FLEETCHARGE_SMTP_PORT", str(secure.port))
        monkeypatch.setenv("FLEETCHARGE_SMTP_TLS", "starttls")
        get_settings.cache_clear()
        # A certificate from a CA it does not trust: nothing sent.
        assert cli("invoices", "send", str(number)).exit_code == 1
        assert "certificate" in (sendings(engine, number)[0].error or "").lower()
        monkeypatch.setenv("FLEETCHARGE_SMTP_CA_FILE", str(ca_file))
        get_settings.cache_clear()
        ok(cli("invoices", "send", str(number)))
        assert secure.envelopes[0].rcpt_tos == CONTACTS
    finally:
        controller.stop()
