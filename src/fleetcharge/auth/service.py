"""API token lifecycle. Secrets are shown once and stored only as SHA-256 hashes
(`kit.tokens`)."""

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import and_, bindparam, not_, or_, select
from sqlalchemy.orm import Session

from fleetcharge.audit.service import record
from fleetcharge.auth.schemas import TOKEN_STATES, ApiTokenCreate
from fleetcharge.db import Reader, fetch_all
from fleetcharge.errors import Forbidden, InvalidField, InvalidParameter, NotFound, Unauthorized
from fleetcharge.kit import fields
from fleetcharge.kit.cursors import Page, PageRequest, page_of
from fleetcharge.kit.tokens import add_token, bearer_digest
from fleetcharge.models import ApiToken, Organisation
from fleetcharge.models.base import utcnow
from fleetcharge.models.token import ENDPOINT_SCOPES
from fleetcharge.permissions import Actor

TOKEN_PREFIX = "fct_"
TOKEN_PATTERN = re.compile(r"^fct_[A-Za-z0-9_-]{43}$")
_DURATION = re.compile(r"^(\d{1,6})([hdwy])$")
_DURATION_UNITS = {
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
    "y": timedelta(days=365),
}


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


@dataclass(frozen=True)
class Principal:
    """Who is calling: the organisation a valid token belongs to."""

    token_id: int
    organisation_id: int
    organisation_name: str
    scopes: frozenset[str]
    rate_limits: Mapping[str, str] | None = None  # the organisation's own, if any


def parse_scopes(text: str) -> tuple[str, ...]:
    scopes = tuple(dict.fromkeys(s.strip() for s in text.split(",") if s.strip()))
    unknown = [s for s in scopes if s not in ENDPOINT_SCOPES]
    if unknown or not scopes:
        raise InvalidParameter(
            f"unknown scope(s) {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(ENDPOINT_SCOPES)}",
            parameter="scopes",
        )
    return scopes


def parse_duration(text: str) -> timedelta:
    match = _DURATION.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise InvalidParameter(
            f"invalid duration {text!r}; use a positive number and a unit, e.g. 12h, 90d, 8w or 1y",
            parameter="expires-in",
        )
    lifetime = int(match.group(1)) * _DURATION_UNITS[match.group(2)]
    try:
        utcnow() + lifetime
    except OverflowError:
        raise InvalidParameter(
            f"duration {text!r} reaches past the year 9999", parameter="expires-in"
        ) from None
    return lifetime


def issue_token(
    db: Session,
    organisation: Organisation,
    scopes: tuple[str, ...] = ENDPOINT_SCOPES,
    expires_in: timedelta | None = None,
    name: str | None = None,
) -> IssuedToken:
    token, secret = add_token(
        db,
        ApiToken,
        TOKEN_PREFIX,
        expires_in,
        organisation_id=organisation.id,
        name=name,
        scopes=",".join(scopes),
    )
    return IssuedToken(token, secret)


_TOKEN_BY_DIGEST = (
    select(
        ApiToken.id,
        ApiToken.secret_sha256,
        ApiToken.organisation_id,
        ApiToken.scopes,
        ApiToken.expires_at,
        ApiToken.revoked_at,
        Organisation.name,
        Organisation.rate_limits,
    )
    .join(Organisation, Organisation.id == ApiToken.organisation_id)
    .where(ApiToken.secret_sha256 == bindparam("digest"))
)


def authenticate(db: Reader, authorization: str | None, now: datetime | None = None) -> Principal:
    """Resolve an `Authorization` header to a Principal, or raise Unauthorized."""
    digest = bearer_digest(authorization, TOKEN_PATTERN, "missing bearer token", "invalid token")
    rows = fetch_all(db, _TOKEN_BY_DIGEST, {"digest": digest})
    row = rows[0] if rows else None
    if row is None or not hmac.compare_digest(row.secret_sha256, digest):
        raise Unauthorized("invalid token")
    if row.revoked_at is not None:
        raise Unauthorized("token revoked")
    if row.expires_at is not None and row.expires_at <= (now or utcnow()):
        raise Unauthorized("token expired")
    scopes = frozenset(s for s in row.scopes.split(",") if s)
    return Principal(row.id, row.organisation_id, row.name, scopes, row.rate_limits)


def require_scope(principal: Principal, scope: str) -> None:
    if scope not in principal.scopes:
        raise Forbidden(f"this token is not entitled to the {scope} endpoint")


def revoke_token(db: Session, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.flush()


# --- managing tokens on someone's behalf (admin API and CLI) ---------------------------


def token_view(token: ApiToken, now: datetime | None = None) -> dict[str, Any]:
    """What may be shown of a token: never its secret nor the secret's hash."""
    organisation = token.organisation
    return {
        "uuid": str(token.uuid),
        "organisation": {"uuid": str(organisation.uuid), "name": organisation.name},
        "name": token.name,
        "prefix": token.prefix,
        "scopes": [scope for scope in token.scopes.split(",") if scope],
        "state": token_state(token, now),
        "created_at": token.created_at.isoformat(),
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= (now or utcnow()):
        return "expired"
    return "active"


def issue_api_token(db: Session, actor: Actor, data: ApiTokenCreate) -> IssuedToken:
    """A token for `data.organisation_uuid` (an organisation's member: its own only)."""
    actor.require("api_tokens", "create")
    organisation = _organisation_for(db, actor, data.organisation_uuid)
    scopes = _scopes(data.scopes)
    lifetime = None
    if data.expires_in is not None:
        try:
            lifetime = parse_duration(data.expires_in)
        except InvalidParameter as error:
            raise InvalidField(error.message, field="expires_in") from None
    name = fields.optional_text(data.name, "name", max_length=200)
    issued = issue_token(db, organisation, scopes, lifetime, name)
    token = issued.token
    token.organisation = organisation
    record(db, actor, "create", "api_token", token.uuid, organisation.id, None, token_view(token))
    return issued


def get_api_token(db: Session, actor: Actor, uuid: UUID) -> ApiToken:
    actor.require("api_tokens", "read")
    return _visible_token(db, actor, uuid)


def list_api_tokens(
    db: Session,
    actor: Actor,
    page: PageRequest,
    organisation_uuid: UUID | None = None,
    state: str | None = None,
) -> Page[ApiToken]:
    """Oldest first; an organisation's member lists only its own organisation's tokens."""
    actor.require("api_tokens", "read")
    query = select(ApiToken)
    if actor.organisation_id is not None:
        query = query.where(ApiToken.organisation_id == actor.organisation_id)
    if organisation_uuid is not None:
        organisation = db.scalar(select(Organisation).where(Organisation.uuid == organisation_uuid))
        if organisation is None or not actor.sees(organisation.id):
            raise NotFound(f"no organisation {organisation_uuid}", parameter="organisation_uuid")
        query = query.where(ApiToken.organisation_id == organisation.id)
    if state is not None:
        query = query.where(_in_state(state))
    return page_of(db, query, ApiToken.id, page)


def revoke_api_token(db: Session, actor: Actor, uuid: UUID) -> ApiToken:
    """Refused from the next request on; revoking twice changes nothing."""
    actor.require("api_tokens", "revoke")
    token = _visible_token(db, actor, uuid)
    if token.revoked_at is None:
        before = token_view(token)
        revoke_token(db, token)
        record(
            db,
            actor,
            "revoke",
            "api_token",
            token.uuid,
            token.organisation_id,
            before,
            token_view(token),
        )
    return token


def _visible_token(db: Session, actor: Actor, uuid: UUID) -> ApiToken:
    token = db.scalar(select(ApiToken).where(ApiToken.uuid == uuid))
    if token is None or not actor.sees(token.organisation_id):
        raise NotFound(f"no API token {uuid}")
    return token


def _organisation_for(db: Session, actor: Actor, uuid: UUID | None) -> Organisation:
    if uuid is None:
        if actor.organisation_id is None:
            raise InvalidField(
                "organisation_uuid is required: the organisation the token is for",
                field="organisation_uuid",
            )
        organisation = db.get(Organisation, actor.organisation_id)
    else:
        organisation = db.scalar(select(Organisation).where(Organisation.uuid == uuid))
    if organisation is None or not actor.sees(organisation.id):
        raise NotFound(f"no organisation {uuid}", field="organisation_uuid")
    return organisation


def _scopes(given: list[str] | None) -> tuple[str, ...]:
    if given is None:
        return ENDPOINT_SCOPES
    if not given:
        raise InvalidField(
            f"scopes must name at least one of {', '.join(ENDPOINT_SCOPES)}", field="scopes"
        )
    for index, scope in enumerate(given):
        if scope not in ENDPOINT_SCOPES:
            raise InvalidField(
                f"unknown scope {scope!r}; choose from {', '.join(ENDPOINT_SCOPES)}",
                field=f"scopes[{index}]",
            )
    return tuple(dict.fromkeys(given))


def _in_state(state: str) -> Any:
    now = utcnow()
    unexpired = or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now)
    if state == "revoked":
        return ApiToken.revoked_at.is_not(None)
    if state == "expired":
        return and_(ApiToken.revoked_at.is_(None), not_(unexpired))
    if state == "active":
        return and_(ApiToken.revoked_at.is_(None), unexpired)
    raise InvalidParameter(
        f"state must be one of {', '.join(TOKEN_STATES)}, got {state!r}", parameter="state"
    )
