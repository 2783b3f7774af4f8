"""The rows behind console sign-ins: opened with a random secret (the cookie's value, stored
only as its SHA-256), found again by it while live, and ended."""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fleetcharge.kit.tokens import hash_secret, new_secret
from fleetcharge.models import Account, ConsoleSession

SECRET_PREFIX = "fcs_"
LIFETIME = timedelta(hours=12)  # from sign-in, however busy
IDLE = timedelta(hours=2)  # without a request
# last_seen_at is written at most this often, so that reading a page does not always write.
SEEN_EVERY = timedelta(minutes=1)
MAX_SECRET_CHARS = 100  # a longer cookie is no secret of ours; not even hashed


def open_session(db: Session, account: Account, now: datetime) -> tuple[ConsoleSession, str]:
    """A new session of `account` and its secret (for the cookie, never stored)."""
    secret = new_secret(SECRET_PREFIX)
    row = ConsoleSession(
        account_id=account.id,
        secret_sha256=hash_secret(secret),
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + LIFETIME,
    )
    row.account = account
    db.add(row)
    db.flush()
    return row, secret


def find_session(db: Session, secret: str | None) -> ConsoleSession | None:
    """The session a cookie's secret opened, live or not."""
    if not secret or len(secret) > MAX_SECRET_CHARS:
        return None
    return db.scalar(
        select(ConsoleSession).where(ConsoleSession.secret_sha256 == hash_secret(secret))
    )


def is_live(row: ConsoleSession, now: datetime) -> bool:
    account = row.account
    return (
        row.ended_at is None
        and now < row.expires_at
        and now < row.last_seen_at + IDLE
        and account.disabled_at is None
        and account.revoked_at is None
    )


def seen(row: ConsoleSession, now: datetime) -> None:
    """Keep an idle session alive: a request at `now` (written once a minute at most)."""
    if now - row.last_seen_at >= SEEN_EVERY:
        row.last_seen_at = now


def end_sessions(db: Session, account: Account, now: datetime) -> None:
    """Every open session of the account ends (password reset, account disabled)."""
    db.execute(
        update(ConsoleSession)
        .where(ConsoleSession.account_id == account.id, ConsoleSession.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session="fetch")
    )
