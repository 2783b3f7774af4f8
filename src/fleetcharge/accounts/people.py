"""People: accounts with an email that sign in to the console (`sign_in`). An operator
creates them, hands them a one-time link to choose a password, and disables them; each
change is audited like the other accounts'."""

from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.accounts.console_sessions import end_sessions
from fleetcharge.accounts.passwords import check_password, hash_password
from fleetcharge.accounts.reset_tokens import end_reset_tokens, new_reset_token
from fleetcharge.accounts.service import check_role
from fleetcharge.audit.service import record
from fleetcharge.errors import Conflict, NotFound
from fleetcharge.kit import fields
from fleetcharge.models import Account, Organisation
from fleetcharge.models.base import utcnow
from fleetcharge.permissions import Actor


def normalise_email(value: str, field: str = "email") -> str:
    """A valid email address, lower-cased (one person per address, however typed)."""
    return fields.email(value, field).lower()


def person_view(account: Account) -> dict[str, Any]:
    organisation = account.organisation
    return {
        "uuid": str(account.uuid),
        "email": account.email,
        "name": account.name,
        "role": account.role,
        "organisation": (
            {"uuid": str(organisation.uuid), "name": organisation.name} if organisation else None
        ),
        "created_at": account.created_at.isoformat(),
        "has_password": account.password_hash is not None,
        "disabled_at": account.disabled_at.isoformat() if account.disabled_at else None,
    }


def create_person(
    db: Session,
    actor: Actor,
    email: str,
    name: str,
    role: str,
    organisation: Organisation | None,
) -> tuple[Account, str]:
    """A new person without a password, and the one-time token to choose it with."""
    actor.require("accounts", "create")
    email = normalise_email(email)
    name = fields.text(name, "name", max_length=200)
    check_role(role, organisation)
    if db.scalar(select(Account.id).where(Account.email == email)) is not None:
        raise Conflict(f"an account with email {email} already exists", field="email")
    account = Account(
        email=email,
        name=name,
        role=role,
        organisation_id=organisation.id if organisation else None,
    )
    account.organisation = organisation
    db.add(account)
    db.flush()
    token = new_reset_token(db, account, utcnow())
    record(
        db,
        actor,
        "create",
        "account",
        account.uuid,
        account.organisation_id,
        None,
        person_view(account),
    )
    return account, token


def issue_reset_token(db: Session, actor: Actor, account: Account) -> str:
    """A new one-time token to choose a password (older ones end); the current password
    keeps working until it is used."""
    actor.require("accounts", "create")
    _require_usable(account)
    token = new_reset_token(db, account, utcnow())
    record(
        db,
        actor,
        "issue_password_link",
        "account",
        account.uuid,
        account.organisation_id,
        None,
        None,
    )
    return token


def set_password(db: Session, actor: Actor, account: Account, password: str) -> Account:
    """Set a person's password directly (scripts; people use their link): their sessions
    and password links end. InvalidField naming `password` for one the policy refuses."""
    actor.require("accounts", "create")
    _require_usable(account)
    check_password(password, account.email)
    now = utcnow()
    account.password_hash = hash_password(password)
    end_sessions(db, account, now)
    end_reset_tokens(db, account, now)
    db.flush()
    record(db, actor, "set_password", "account", account.uuid, account.organisation_id, None, None)
    return account


def disable_person(db: Session, actor: Actor, account: Account) -> Account:
    """The person can no longer sign in: their sessions and password links end now."""
    actor.require("accounts", "revoke")
    _require_person(account)
    if account.disabled_at is None:
        before = person_view(account)
        now = utcnow()
        account.disabled_at = now
        end_sessions(db, account, now)
        end_reset_tokens(db, account, now)
        db.flush()
        record(
            db,
            actor,
            "disable",
            "account",
            account.uuid,
            account.organisation_id,
            before,
            person_view(account),
        )
    return account


def find_person(db: Session, email_or_uuid: str) -> Account:
    """A person by email (any case) or account UUID (the CLI's way)."""
    try:
        wanted = UUID(email_or_uuid)
    except ValueError:
        email = email_or_uuid.strip().lower()
        found = db.scalar(select(Account).where(Account.email == email))
        if found is None:
            raise NotFound(f"no person with email {email_or_uuid!r}") from None
        return found
    found = db.scalar(select(Account).where(Account.uuid == wanted, Account.email.is_not(None)))
    if found is None:
        raise NotFound(f"no person with UUID {email_or_uuid}")
    return found


def list_people(db: Session, actor: Actor) -> list[Account]:
    """People (accounts with an email) the actor sees, by email."""
    actor.require("accounts", "read")
    query = select(Account).where(Account.email.is_not(None)).order_by(Account.email)
    if actor.organisation_id is not None:
        query = query.where(Account.organisation_id == actor.organisation_id)
    return list(db.scalars(query))


def _require_person(account: Account) -> None:
    if account.email is None:
        raise Conflict(f"account {account.name!r} is a machine account (no email): not a person")


def _require_usable(account: Account) -> None:
    _require_person(account)
    if account.disabled_at is not None or account.revoked_at is not None:
        raise Conflict(f"{account.email} is disabled: no password can be set")
