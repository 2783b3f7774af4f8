"""Each time a document was emailed (or a payment reminder for it): to whom, when, by whom,
and what came of it."""

import uuid as uuid_module
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from fleetcharge.models.base import Base, PublicIdMixin, utcnow
from fleetcharge.models.types import JSONDocument, UTCDateTime


class SendingKind(StrEnum):
    SENDING = "sending"  # the document itself
    REMINDER = "reminder"  # a payment reminder for an overdue document, attaching it again


class SendingResult(StrEnum):
    # Claimed and committed before the relay is spoken to; it stays pending if the process
    # dies meanwhile, when nobody knows whether the message went out.
    PENDING = "pending"
    SENT = "sent"  # the relay accepted the message for every recipient
    FAILED = "failed"  # refused, unreachable or timed out: nothing was accepted


# A document is sent once unless a re-send is asked for (`forced`): a pending or sent
# ordinary sending is unique per invoice, so two concurrent senders cannot both claim one.
ONE_SENDING_WHERE = (
    f"kind = '{SendingKind.SENDING}' AND NOT forced AND result <> '{SendingResult.FAILED}'"
)


class InvoiceSending(PublicIdMixin, Base):
    __tablename__ = "invoice_sendings"
    __table_args__ = (
        Index("ix_invoice_sendings_invoice_id_id", "invoice_id", "id"),
        Index(
            "uq_invoice_sendings_sent_once",
            "invoice_id",
            unique=True,
            sqlite_where=text(ONE_SENDING_WHERE),
            postgresql_where=text(ONE_SENDING_WHERE),
        ),
        CheckConstraint(f"kind IN ('{SendingKind.SENDING}', '{SendingKind.REMINDER}')", "kind"),
        CheckConstraint(
            f"result IN ('{SendingResult.PENDING}', '{SendingResult.SENT}',"
            f" '{SendingResult.FAILED}')",
            "result",
        ),
        CheckConstraint(
            f"(result = '{SendingResult.SENT}') = (sent_at IS NOT NULL)", "sent_when_sent"
        ),
    )

    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    kind: Mapped[str] = mapped_column(String(16))
    forced: Mapped[bool] = mapped_column(Boolean, default=False)
    recipients: Mapped[list[str]] = mapped_column(JSONDocument)
    subject: Mapped[str] = mapped_column(String(300))
    # SHA-256 of the PDF attached: which rendering of the document went out.
    attachment_sha256: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(300))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str] = mapped_column(String(8), default=SendingResult.PENDING)
    error: Mapped[str | None] = mapped_column(Text)
    # Who asked: an admin account (its uuid) or the command line (`cli:user`).
    actor_uuid: Mapped[uuid_module.UUID | None] = mapped_column(Uuid)
    actor_name: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(24))
