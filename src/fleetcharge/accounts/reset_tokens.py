"""One-time tokens to choose a password (there is no mail server: the CLI prints the link).
Only their SHA-256 is stored; each lasts an hour, is used once, and a newer one ends the
older ones."""

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fleetcharge.errors import NotFound
from fleetcharge.kit.tokens import hash_secret, new_secret
from fleetcharge.models import Account, PasswordResetToken

SECRET_PREFIX = "fcr_"
LIFETIME = timedelta(hours=1)
MAX_TOKEN_CHARS = 100
RESET_PATH = "/reset-password/"
# One message for unknown, used, ended and expired tokens: a link does not tell which.
_UNUSABLE = "this password link is unknown, used or expired: ask for a new one"


def new_reset_token(db: Session, account: Account, now: datetime) -> str:
    """A fresh token of the account (its older ones end); shown once, in a link."""
    end_reset_tokens(db, account, now)
    token = new_secret(SECRET_PREFIX)
    db.add(
        PasswordResetToken(
            account_id=account.id,
            secret_sha256=hash_secret(token),
            created_at=now,
            expires_at=now + LIFETIME,
        )
    )
    db.flush()
    return token


def live_reset_token(db: Session, token: str, now: datetime) -> PasswordResetToken:
    """The unused, unexpired token row and its usable account, else NotFound."""
    row = None
    if token and len(token) <= MAX_TOKEN_CHARS:
        row = db.scalar(
            select(PasswordResetToken).where(PasswordResetToken.secret_sha256 == hash_secret(token))
        )
    if row is None or row.ended_at is not None or now >= row.expires_at:
        raise NotFound(_UNUSABLE)
    account = db.get_one(Account, row.account_id)
    if account.disabled_at is not None or account.revoked_at is not None:
        raise NotFound(_UNUSABLE)
    return row


def end_reset_tokens(db: Session, account: Account, now: datetime) -> None:
    db.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.account_id == account.id, PasswordResetToken.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session="fetch")
    )


def reset_link(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + RESET_PATH + token
