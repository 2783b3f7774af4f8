"""The audit log (every change to the network's data: who, what, when, before and after) and
the admin API's remembered answers to retried creates."""

import uuid as uuid_module
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from fleetcharge.models.base import Base, CreatedAtMixin, utcnow
from fleetcharge.models.session import BigId
from fleetcharge.models.types import JSONDocument, UTCDateTime


class AuditEvent(Base):
    """One change. `organisation_id` is the organisation the changed object belongs to
    (None for network-wide objects), so an organisation's members read only their own."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_resource", "resource", "resource_uuid", "id"),
        Index("ix_audit_events_organisation", "organisation_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uuid: Mapped[uuid_module.UUID] = mapped_column(
        Uuid, unique=True, default=uuid_module.uuid4, nullable=False
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_uuid: Mapped[uuid_module.UUID | None] = mapped_column(Uuid)
    actor_name: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(24))
    action: Mapped[str] = mapped_column(String(40))
    resource: Mapped[str] = mapped_column(String(40))
    resource_uuid: Mapped[uuid_module.UUID] = mapped_column(Uuid)
    organisation_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    request_id: Mapped[str | None] = mapped_column(String(64))


class IdempotentRequest(CreatedAtMixin, Base):
    """A POST made with an `Idempotency-Key`: written in the same transaction as what it
    created, so a retry (even a concurrent one) gets the first answer instead of a twin."""

    __tablename__ = "idempotent_requests"
    __table_args__ = (UniqueConstraint("account_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    key: Mapped[str] = mapped_column(String(200))
    # Method, path and a digest of the body: the same key with another request is an error.
    request_sha256: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
