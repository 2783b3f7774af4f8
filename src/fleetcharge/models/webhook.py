"""Webhooks: an organisation's subscriptions, the outbox of events, and their deliveries
(one per event and subscription) with every attempt made. Written by `fleetcharge.webhooks`."""

import uuid as uuid_module
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fleetcharge.models.base import Base, CreatedAtMixin, PublicIdMixin, VersionedMixin, utcnow
from fleetcharge.models.types import JSONDocument, UTCDateTime

DELIVERY_STATUSES = ("pending", "delivered", "failed")
_PENDING = text("status = 'pending'")


class WebhookSubscription(PublicIdMixin, VersionedMixin, CreatedAtMixin, Base):
    """Where an organisation wants to be told of events, and which ones.

    The signing secret is sealed (Fernet, keys from FLEETCHARGE_WEBHOOKS_SECRET_KEY), not
    hashed: the server must recover it to sign every delivery."""

    __tablename__ = "webhook_subscriptions"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(200))
    # Event type names (`fleetcharge.webhooks.event_types`); ["*"]: all of them.
    event_types: Mapped[list[str]] = mapped_column(JSONDocument)
    secret_sealed: Mapped[str] = mapped_column(Text)
    # During a rotation, the secret replaced, still signing until it expires.
    previous_secret_sealed: Mapped[str | None] = mapped_column(Text)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    # Since when every attempt to this subscription failed (None: the last one succeeded).
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_webhook_subscriptions_organisation", "organisation_id", "enabled"),)


class WebhookEvent(CreatedAtMixin, Base):
    """The outbox: an event written in the transaction of the change it tells of."""

    __tablename__ = "webhook_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The event id receivers deduplicate by.
    uuid: Mapped[uuid_module.UUID] = mapped_column(Uuid, unique=True, default=uuid_module.uuid4)
    type: Mapped[str] = mapped_column(String(64))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    api_version: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict[str, Any]] = mapped_column(JSONDocument)


class WebhookDelivery(CreatedAtMixin, Base):
    """One event owed to one subscription, until delivered or given up on."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_events.id"))
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id"))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The retry window runs from here (not from the event: a delivery waits behind the
    # earlier ones of its subscription).
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A dispatcher's claim: who holds the delivery and until when (a crashed one's lapses).
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))

    event: Mapped[WebhookEvent] = relationship()
    subscription: Mapped[WebhookSubscription] = relationship()

    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in DELIVERY_STATUSES) + ")", name="status"
        ),
        UniqueConstraint("event_id", "subscription_id", name="uq_webhook_deliveries_event"),
        # Due deliveries, and the head of each subscription's queue (its oldest pending).
        Index(
            "ix_webhook_deliveries_due",
            "next_attempt_at",
            postgresql_where=_PENDING,
            sqlite_where=_PENDING,
        ),
        Index(
            "ix_webhook_deliveries_queue",
            "subscription_id",
            "id",
            postgresql_where=_PENDING,
            sqlite_where=_PENDING,
        ),
        # A subscription's delivery log, newest first.
        Index("ix_webhook_deliveries_subscription", "subscription_id", "created_at"),
    )


class WebhookAttempt(Base):
    """One HTTP request made for a delivery, and what came of it."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int] = mapped_column(Integer)
    response_excerpt: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(String(500))
