"""Accounts and their admin API tokens. Secrets are shown once and stored only as SHA-256
hashes (`kit.tokens`)."""

import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.audit.service import record
from fleetcharge.errors import InvalidField, NotFound, Unauthorized
from fleetcharge.kit import fields
from fleetcharge.kit.tokens import add_token, bearer_digest
from fleetcharge.models import Account, AdminToken, Organisation
from fleetcharge.models.account import OPERATOR_ROLES, ORGANISATION_ROLES
from fleetcharge.models.base import utcnow
from fleetcharge.permissions import Actor

ADMIN_TOKEN_PREFIX = "fca_"
_ADMIN_TOKEN = re.compile(r"^fca_[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class IssuedAdminToken:
    token: AdminToken
    secret: str


def account_view(account: Account) -> dict[str, Any]:
    organisation = account.organisation
    return {
        "uuid": str(account.uuid),
        "name": account.name,
        "role": account.role,
        "organisation": (
            {"uuid": str(organisation.uuid), "name": organisation.name} if organisation else None
        ),
        "created_at": account.created_at.isoformat(),
        "revoked_at": account.revoked_at.isoformat() if account.revoked_at else None,
    }


def create_account(
    db: Session,
    actor: Actor,
    name: str,
    role: str,
    organisation: Organisation | None = None,
    expires_in: timedelta | None = None,
) -> IssuedAdminToken:
    """A new account with its first admin token (the secret is in the result, once)."""
    actor.require("accounts", "create")
    name = fields.text(name, "name", max_length=200)
    check_role(role, organisation)
    account = Account(
        name=name, role=role, organisation_id=organisation.id if organisation else None
    )
    account.organisation = organisation
    db.add(account)
    db.flush()
    issued = issue_admin_token(db, account, expires_in)
    record(
        db,
        actor,
        "create",
        "account",
        account.uuid,
        account.organisation_id,
        None,
        account_view(account),
    )
    return issued


def check_role(role: str, organisation: Organisation | None) -> None:
    """InvalidField naming `role` unless it is a staff role (no organisation) or a member's."""
    roles = ORGANISATION_ROLES if organisation is not None else OPERATOR_ROLES
    if role not in roles:
        where = "an organisation's member" if organisation is not None else "operator staff"
        raise InvalidField(
            f"role must be one of {', '.join(roles)} for {where}, got {role!r}", field="role"
        )


def issue_admin_token(
    db: Session, account: Account, expires_in: timedelta | None = None, name: str | None = None
) -> IssuedAdminToken:
    token, secret = add_token(
        db, AdminToken, ADMIN_TOKEN_PREFIX, expires_in, account_id=account.id, name=name
    )
    return IssuedAdminToken(token, secret)


def find_account(db: Session, reference: str) -> Account:
    try:
        wanted = UUID(reference)
    except ValueError:
        found = list(db.scalars(select(Account).where(Account.name == reference).limit(2)))
        if len(found) != 1:
            raise NotFound(f"no single account named {reference!r}: use its UUID") from None
        return found[0]
    account = db.scalar(select(Account).where(Account.uuid == wanted))
    if account is None:
        raise NotFound(f"no account with UUID {reference}")
    return account


def list_accounts(db: Session, actor: Actor) -> list[Account]:
    actor.require("accounts", "read")
    return list(db.scalars(select(Account).order_by(Account.id)))


def revoke_account(db: Session, actor: Actor, account: Account) -> Account:
    """The account and all its tokens are refused from the next request on."""
    actor.require("accounts", "revoke")
    if account.revoked_at is None:
        before = account_view(account)
        now = utcnow()
        account.revoked_at = now
        for token in db.scalars(select(AdminToken).where(AdminToken.account_id == account.id)):
            token.revoked_at = token.revoked_at or now
        db.flush()
        record(
            db,
            actor,
            "revoke",
            "account",
            account.uuid,
            account.organisation_id,
            before,
            account_view(account),
        )
    return account


def authenticate_admin(
    db: Session, authorization: str | None, now: datetime | None = None
) -> Actor:
    """The account behind an admin token in an `Authorization: Bearer` header."""
    digest = bearer_digest(
        authorization,
        _ADMIN_TOKEN,
        "missing bearer token: the admin API needs an admin token (fca_...)",
        "invalid token: the admin API takes admin tokens (fca_...) only",
    )
    row = db.execute(
        select(AdminToken, Account)
        .join(Account, Account.id == AdminToken.account_id)
        .where(AdminToken.secret_sha256 == digest)
    ).one_or_none()
    if row is None or not hmac.compare_digest(row.AdminToken.secret_sha256, digest):
        raise Unauthorized("invalid token")
    token, account = row.AdminToken, row.Account
    moment = now or utcnow()
    if token.revoked_at is not None or account.revoked_at is not None:
        raise Unauthorized("token revoked")
    if token.expires_at is not None and token.expires_at <= moment:
        raise Unauthorized("token expired")
    return Actor(
        name=account.name,
        role=account.role,
        account_id=account.id,
        account_uuid=account.uuid,
        organisation_id=account.organisation_id,
    )
