"""Who may change the network: operator staff and organisation members (accounts), the
admin API tokens machines use on their behalf, and the console sessions and password reset
tokens of the people who sign in."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fleetcharge.models.base import Base, CreatedAtMixin, PublicIdMixin
from fleetcharge.models.organisation import Organisation
from fleetcharge.models.types import UTCDateTime

OPERATOR_ROLES = ("admin", "support", "billing")
ORGANISATION_ROLES = ("fleet_manager", "site_host", "read_only")
ROLES = OPERATOR_ROLES + ORGANISATION_ROLES


def _roles_check() -> str:
    operator = ", ".join(repr(r) for r in OPERATOR_ROLES)
    member = ", ".join(repr(r) for r in ORGANISATION_ROLES)
    return (
        f"(organisation_id IS NULL AND role IN ({operator}))"
        f" OR (organisation_id IS NOT NULL AND role IN ({member}))"
    )


class Account(PublicIdMixin, CreatedAtMixin, Base):
    """An operator's staff member (no organisation) or a member of one organisation. A
    person has an email (stored lower-cased) and signs in to the console with a password;
    a machine account only has admin tokens."""

    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint(_roles_check(), name="role_fits_scope"),)

    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(24))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(256))  # argon2id, PHC string
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation | None] = relationship()


class AdminToken(PublicIdMixin, CreatedAtMixin, Base):
    """A bearer token of the admin API, acting as its account; only the SHA-256 of the
    secret is stored."""

    __tablename__ = "admin_tokens"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    account: Mapped[Account] = relationship()


class ConsoleSession(CreatedAtMixin, Base):
    """A person signed in to the console. The cookie holds the secret; only its SHA-256 is
    stored. It ends at `expires_at`, after the idle time since `last_seen_at`, or when
    `ended_at` is set (signed out, password reset, account disabled)."""

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    account: Mapped[Account] = relationship()


class PasswordResetToken(CreatedAtMixin, Base):
    """A one-time link to choose a password: only the SHA-256 of its token is stored; it is
    ended when used, when a newer one is issued, or at `expires_at`."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
