"""Sending documents and payment reminders, each recorded in `invoice_sendings`.

Unlike other services this one runs its own transactions (it is given the engine): a
sending is claimed in one committed transaction before the relay is spoken to, and its
result recorded in another after. So a second sender, even a concurrent one, finds the
claim and stops (the partial unique index `uq_invoice_sendings_sent_once` backs that for
ordinary sendings), and no database transaction waits on a mail server.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Engine, Select, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fleetcharge.audit.service import record
from fleetcharge.billing.documents import operator_party, tax_document
from fleetcharge.billing.due import amount_due, is_overdue
from fleetcharge.billing.invoices import find_invoice
from fleetcharge.billing.payments import describe, lock
from fleetcharge.billing.period import Period
from fleetcharge.db import unit_of_work
from fleetcharge.errors import Conflict, DomainError, NotFound
from fleetcharge.invoice_sending.message import (
    DocumentFacts,
    Letter,
    attachment_name,
    document_letter,
    email_message,
    new_message_id,
    reminder_letter,
)
from fleetcharge.invoice_sending.smtp import DeliveryFailed, Relay, deliver, relay_from
from fleetcharge.kit.cursors import Page, PageRequest, page_of
from fleetcharge.models import Invoice, InvoiceSending, Organisation
from fleetcharge.models.base import utcnow
from fleetcharge.models.invoice import BILLED_STATUSES, InvoiceStatus
from fleetcharge.models.invoice_sending import SendingKind, SendingResult
from fleetcharge.money import ZERO
from fleetcharge.permissions import Actor
from fleetcharge.settings import Settings

RESOURCE = "invoices"
WOULD_SEND = "would send"
SKIPPED = "skipped"


class NotSendable(Conflict):
    code = "not_sendable"


class AlreadySent(Conflict):
    code = "already_sent"


class NoBillingContacts(Conflict):
    code = "no_billing_contacts"


@dataclass(frozen=True)
class Outcome:
    """What became of one document: sent, failed, would send (dry run) or skipped."""

    number: int | None
    organisation: str
    result: str
    recipients: tuple[str, ...] = ()
    detail: str = ""
    sending_uuid: UUID | None = None


@dataclass
class _Claim:
    invoice_id: int
    invoice_uuid: UUID
    organisation_id: int
    organisation: str
    number: int
    recipients: list[str]
    message_id: str
    letter: Letter
    pdf: bytes = field(repr=False)
    filename: str
    sending_id: int | None = None


def send_document(
    engine: Engine,
    actor: Actor,
    reference: str,
    settings: Settings,
    *,
    force: bool = False,
    dry_run: bool = False,
) -> Outcome:
    """Email an issued document to its organisation's billing contacts. Refused (a
    Conflict) for a draft, a void document, an organisation without billing contacts, and
    a document already sent or being sent, unless `force` (a re-send, recorded as such)."""
    actor.require(RESOURCE, "send")
    return _send(engine, actor, reference, settings, SendingKind.SENDING, force, dry_run, None)


def remind_document(
    engine: Engine,
    actor: Actor,
    reference: str,
    settings: Settings,
    *,
    as_of: date,
    dry_run: bool = False,
) -> Outcome:
    """Email a payment reminder (the document attached again) for an overdue document, at
    most one in `settings.invoice_reminder_days` days."""
    actor.require(RESOURCE, "send")
    return _send(engine, actor, reference, settings, SendingKind.REMINDER, False, dry_run, as_of)


def numbers_to_send(db: Session, period: Period, *, force: bool = False) -> list[int]:
    """The issued, live documents of `period` (by number), without those already sent or
    being sent unless `force`."""
    query = select(Invoice.invoice_number).where(
        Invoice.period_start == period.first_day,
        Invoice.status.in_(BILLED_STATUSES),
        Invoice.invoice_number.is_not(None),
    )
    if not force:
        query = query.where(~exists(_ordinary_sendings(Invoice.__table__.c.id)))
    return [number for number in db.scalars(query.order_by(Invoice.invoice_number)) if number]


def numbers_to_remind(db: Session, as_of: date) -> list[int]:
    """Documents owing money whose due date is before `as_of` (RCTIs, which the operator
    pays, and credits excepted), by number."""
    query = (
        select(Invoice)
        .where(
            Invoice.status == InvoiceStatus.APPROVED,
            Invoice.kind != "rcti",
            Invoice.adjusts_invoice_id.is_(None),
            Invoice.due_date < as_of,
        )
        .order_by(Invoice.invoice_number)
    )
    return [i.invoice_number for i in db.scalars(query) if i.invoice_number and _chased(i, as_of)]


def sendings_of(db: Session, invoice: Invoice) -> list[InvoiceSending]:
    query = select(InvoiceSending).where(InvoiceSending.invoice_id == invoice.id)
    return list(db.scalars(query.order_by(InvoiceSending.id)))


def _chased(invoice: Invoice, as_of: date) -> bool:
    return (
        invoice.kind != "rcti" and invoice.adjusts_invoice_id is None and is_overdue(invoice, as_of)
    )


def _ordinary_sendings(invoice_id: ColumnElement[int] | int) -> Select[Any]:
    return select(InvoiceSending.id).where(
        InvoiceSending.invoice_id == invoice_id,
        InvoiceSending.kind == SendingKind.SENDING,
        InvoiceSending.forced.is_(False),
        InvoiceSending.result != SendingResult.FAILED,
    )


def _send(
    engine: Engine,
    actor: Actor,
    reference: str,
    settings: Settings,
    kind: SendingKind,
    force: bool,
    dry_run: bool,
    as_of: date | None,
) -> Outcome:
    with unit_of_work(engine) as db:
        claim = _prepare(db, reference, settings, kind, force, as_of)
        if dry_run:
            return _outcome(claim, WOULD_SEND, "", None)
        relay = relay_from(settings)
        sending = InvoiceSending(
            invoice_id=claim.invoice_id,
            kind=kind,
            forced=force,
            recipients=claim.recipients,
            subject=claim.letter.subject,
            attachment_sha256=_sha256(claim.pdf),
            message_id=claim.message_id,
            result=SendingResult.PENDING,
            actor_uuid=actor.account_uuid,
            actor_name=actor.name,
            actor_role=actor.role,
        )
        with _claimed(db, claim):
            db.add(sending)
            db.flush()
        # With our claim written (SQLite: holding the write lock) or the invoice locked
        # (PostgreSQL), another sender's committed claim is visible now: look again.
        _refuse_repeat(db, sending.invoice_id, kind, force, settings, besides=sending.id)
        claim.sending_id = sending.id
        sending_uuid = sending.uuid
    message = email_message(
        relay.sender, claim.recipients, claim.letter, claim.pdf, claim.filename, claim.message_id
    )
    result, error = _deliver(relay, message)
    with unit_of_work(engine) as db:
        sending = db.get_one(InvoiceSending, claim.sending_id)
        sending.result = result
        sending.error = error
        sending.sent_at = utcnow() if result == SendingResult.SENT else None
        action = "send" if kind == SendingKind.SENDING else "remind"
        record(
            db,
            actor,
            action,
            RESOURCE,
            claim.invoice_uuid,
            claim.organisation_id,
            None,
            {
                "sending_uuid": str(sending_uuid),
                "kind": kind.value,
                "forced": force,
                "recipients": claim.recipients,
                "result": result,
                "error": error,
            },
        )
    return _outcome(claim, result, error or "", sending_uuid)


def _deliver(relay: Relay, message: EmailMessage) -> tuple[SendingResult, str | None]:
    try:
        refused = deliver(relay, message)
    except DeliveryFailed as failure:
        return SendingResult.FAILED, str(failure)
    return SendingResult.SENT, ("refused by the relay: " + "; ".join(refused)) if refused else None


def _prepare(
    db: Session,
    reference: str,
    settings: Settings,
    kind: SendingKind,
    force: bool,
    as_of: date | None,
) -> _Claim:
    found = find_invoice(db, reference)
    if found.status == InvoiceStatus.DRAFT:
        raise NotSendable(f"{describe(found)} is a draft: drafts are never sent; approve it first")
    invoice = lock(db, found.id)
    if invoice.status == InvoiceStatus.VOID:
        raise NotSendable(f"{describe(invoice)} is void: void documents are never sent")
    assert invoice.invoice_number is not None
    organisation = db.get_one(Organisation, invoice.organisation_id)
    if kind == SendingKind.REMINDER:
        assert as_of is not None
        if not _chased(invoice, as_of):
            raise NotSendable(f"{describe(invoice)} is not overdue on {as_of}: no reminder")
    _refuse_repeat(db, invoice.id, kind, force, settings)
    recipients = [address.strip() for address in organisation.billing_emails or [] if address]
    if not recipients:
        raise NoBillingContacts(
            f"{organisation.name} has no billing contacts to send {describe(invoice)} to:"
            " set its billing emails first"
        )
    operator = operator_party(settings)
    document = tax_document(db, invoice, operator)
    from fleetcharge.billing.pdf import render_pdf  # fpdf takes a while to import

    pdf = render_pdf(document)
    # An RCTI is the operator's to pay: its recipient owes nothing.
    owed = ZERO if invoice.kind == "rcti" else amount_due(invoice)
    facts = DocumentFacts(
        title=document.title,
        number=document.number,
        organisation=organisation.legal_name or organisation.name,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        currency=invoice.currency,
        total=invoice.total_amount,
        due=owed,
        due_date=invoice.due_date,
        operator=operator.name,
    )
    if kind == SendingKind.REMINDER:
        assert as_of is not None
        letter = reminder_letter(facts, as_of)
    else:
        letter = document_letter(facts)
    return _Claim(
        invoice_id=invoice.id,
        invoice_uuid=invoice.uuid,
        organisation_id=organisation.id,
        organisation=organisation.name,
        number=invoice.invoice_number,
        recipients=recipients,
        message_id=new_message_id(settings.smtp_from or ""),
        letter=letter,
        pdf=pdf,
        filename=attachment_name(facts),
    )


def _refuse_repeat(
    db: Session,
    invoice_id: int,
    kind: SendingKind,
    force: bool,
    settings: Settings,
    *,
    besides: int | None = None,
) -> None:
    """Refuse a sending already made or under way, or a reminder within the interval."""
    if kind == SendingKind.SENDING:
        if force:
            return
        query = select(InvoiceSending).where(InvoiceSending.id.in_(_ordinary_sendings(invoice_id)))
    else:
        # Days as they pass (not --as-of's): what the recipients see in their inbox.
        interval = timedelta(days=settings.invoice_reminder_days)
        query = select(InvoiceSending).where(
            InvoiceSending.invoice_id == invoice_id,
            InvoiceSending.kind == SendingKind.REMINDER,
            InvoiceSending.result != SendingResult.FAILED,
        )
        query = query.order_by(InvoiceSending.id.desc())
    if besides is not None:
        query = query.where(InvoiceSending.id != besides)
    earlier = db.scalars(query).first()
    if earlier is None:
        return
    when = earlier.attempted_at
    if kind == SendingKind.REMINDER:
        if when <= utcnow() - interval:
            return
        raise AlreadySent(
            f"a reminder was sent at {when:%Y-%m-%d %H:%M} UTC: the next one not before"
            f" {when + interval:%Y-%m-%d %H:%M} UTC"
        )
    to = ", ".join(earlier.recipients)
    if earlier.result == SendingResult.PENDING:
        raise AlreadySent(
            f"a sending to {to} started at {when:%Y-%m-%d %H:%M} UTC and its outcome is"
            " unknown (it may still be under way, or its process stopped): check with the"
            " recipients, then re-send with --force if they have nothing"
        )
    raise AlreadySent(f"already sent to {to} at {when:%Y-%m-%d %H:%M} UTC; re-send with --force")


@contextmanager
def _claimed(db: Session, claim: _Claim) -> Iterator[None]:
    try:
        yield
    except IntegrityError:
        raise AlreadySent(
            f"invoice {claim.number} is being sent by someone else right now"
        ) from None


def _outcome(claim: _Claim, result: str, detail: str, sending_uuid: UUID | None) -> Outcome:
    return Outcome(
        claim.number, claim.organisation, result, tuple(claim.recipients), detail, sending_uuid
    )


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class SendingFailed(DomainError):
    """The relay took the message for nobody (the sending is recorded as failed)."""

    status_code = 502
    code = "sending_failed"


def sending_by_uuid(db: Session, uuid: UUID) -> InvoiceSending:
    return db.scalars(select(InvoiceSending).where(InvoiceSending.uuid == uuid)).one()


def sendings_page(
    db: Session, actor: Actor, number: int, page: PageRequest
) -> Page[InvoiceSending]:
    """The sendings of the document numbered `number`, oldest first."""
    actor.require(RESOURCE, "read")
    invoice_id = db.scalar(select(Invoice.id).where(Invoice.invoice_number == number))
    if invoice_id is None:
        raise NotFound(f"no invoice numbered {number}")
    query = select(InvoiceSending).where(InvoiceSending.invoice_id == invoice_id)
    return page_of(db, query, InvoiceSending.id, page)
