"""Signing in to the console with an email and a password, the cookie session that follows,
signing out, and choosing a password through a one-time link. The console's pages call
these; they set the cookie `SESSION_COOKIE` to the secret `sign_in` returns."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.accounts.console_sessions import end_sessions, find_session, is_live, open_session
from fleetcharge.accounts.console_sessions import seen as session_seen
from fleetcharge.accounts.passwords import (
    MAX_LENGTH,
    check_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from fleetcharge.accounts.reset_tokens import live_reset_token
from fleetcharge.accounts.throttle import SignInThrottle
from fleetcharge.audit.service import record
from fleetcharge.errors import DomainError
from fleetcharge.models import Account, ConsoleSession
from fleetcharge.models.base import utcnow
from fleetcharge.permissions import Actor

SESSION_COOKIE = "fleetcharge_session"

__all__ = [
    "SESSION_COOKIE",
    "SignInRefused",
    "SignInThrottle",
    "SignInThrottled",
    "SignedIn",
    "actor_of",
    "reset_password",
    "reset_token_account",
    "sign_in",
    "sign_out",
    "signed_in",
]


class SignInRefused(DomainError):
    status_code = 401
    code = "sign_in_refused"

    def __init__(self) -> None:
        # The same for an unknown email, a wrong password and a disabled account.
        super().__init__("wrong email or password")


class SignInThrottled(DomainError):
    status_code = 429
    code = "sign_in_throttled"

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed sign-ins: try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class SignedIn:
    """Who a live console session belongs to."""

    actor: Actor
    session_id: int
    email: str
    name: str
    organisation_uuid: UUID | None
    organisation_name: str | None
    csrf_token: str
    expires_at: datetime  # the session's absolute end (it ends earlier after 2 idle hours)


def actor_of(account: Account) -> Actor:
    return Actor(
        name=account.name,
        role=account.role,
        account_id=account.id,
        account_uuid=account.uuid,
        organisation_id=account.organisation_id,
    )


def sign_in(
    db: Session,
    throttle: SignInThrottle,
    email: str,
    password: str,
    address: str,
    *,
    now: datetime | None = None,
) -> tuple[str, SignedIn]:
    """A new session for the person with this email and password: (cookie secret, who).
    SignInThrottled while the email or address has failed too often, else SignInRefused
    for any wrong email, password or disabled account alike."""
    moment = now or utcnow()
    email = email.strip().lower()
    wait = throttle.wait(email, address, moment.timestamp())
    if wait:
        raise SignInThrottled(wait)
    account = db.scalar(select(Account).where(Account.email == email)) if email else None
    usable = account is not None and account.disabled_at is None and account.revoked_at is None
    # Checked whatever was found, so that every refusal takes as long as a wrong password.
    encoded = account.password_hash if account is not None else None
    matches = verify_password(encoded, password if len(password) <= MAX_LENGTH else "")
    if account is None or not (usable and matches):
        throttle.failed(email, address, moment.timestamp())
        raise SignInRefused()
    throttle.succeeded(email)
    assert account.password_hash is not None  # it matched
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    row, secret = open_session(db, account, moment)
    return secret, _signed_in(row)


def signed_in(db: Session, secret: str | None, *, now: datetime | None = None) -> SignedIn | None:
    """Who the cookie's secret signed in, while the session is live (None: absent, unknown,
    expired, signed out, or the account disabled). Use keeps it from idling out."""
    moment = now or utcnow()
    row = find_session(db, secret)
    if row is None or not is_live(row, moment):
        return None
    session_seen(row, moment)
    db.flush()
    return _signed_in(row)


def sign_out(db: Session, secret: str | None) -> None:
    row = find_session(db, secret)
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
        db.flush()


def reset_token_account(db: Session, token: str, *, now: datetime | None = None) -> Account:
    """The account a password link is for; NotFound (one message) for an unknown, used or
    expired one."""
    row = live_reset_token(db, token, now or utcnow())
    return db.get_one(Account, row.account_id)


def reset_password(
    db: Session, token: str, password: str, *, now: datetime | None = None
) -> Account:
    """Set the account's password through its link: the link is used up and every session
    of the account ends. InvalidField naming `password` for one the policy refuses."""
    moment = now or utcnow()
    row = live_reset_token(db, token, moment)
    account = db.get_one(Account, row.account_id)
    check_password(password, account.email)
    account.password_hash = hash_password(password)
    row.ended_at = moment
    end_sessions(db, account, moment)
    db.flush()
    record(
        db,
        actor_of(account),
        "set_password",
        "account",
        account.uuid,
        account.organisation_id,
        None,
        None,
    )
    return account


def _signed_in(row: ConsoleSession) -> SignedIn:
    account = row.account
    organisation = account.organisation
    assert account.email is not None  # only people sign in
    return SignedIn(
        actor=actor_of(account),
        session_id=row.id,
        email=account.email,
        name=account.name,
        organisation_uuid=organisation.uuid if organisation else None,
        organisation_name=organisation.name if organisation else None,
        csrf_token=row.csrf_token,
        expires_at=row.expires_at,
    )
