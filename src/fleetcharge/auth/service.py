"""API token lifecycle. Secrets are shown once and stored only as SHA-256 hashes.

The secrets are 256-bit random values, so a fast hash is the right tool: there is
nothing to brute-force, and lookups stay a single indexed equality.
"""

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from fleetcharge.db import Reader, fetch_all
from fleetcharge.errors import Forbidden, InvalidParameter, Unauthorized
from fleetcharge.models import ApiToken, Organisation
from fleetcharge.models.base import utcnow
from fleetcharge.models.token import ENDPOINT_SCOPES

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


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


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
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        organisation_id=organisation.id,
        name=name,
        prefix=secret[:10],
        secret_sha256=hash_secret(secret),
        scopes=",".join(scopes),
        expires_at=utcnow() + expires_in if expires_in is not None else None,
    )
    db.add(token)
    db.flush()
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
    if not authorization:
        raise Unauthorized("missing bearer token")
    scheme, _, secret = authorization.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    if not TOKEN_PATTERN.match(secret):
        raise Unauthorized("invalid token")
    digest = hash_secret(secret)
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


def list_tokens(db: Session, organisation: Organisation | None = None) -> list[ApiToken]:
    query = select(ApiToken).order_by(ApiToken.id)
    if organisation is not None:
        query = query.where(ApiToken.organisation_id == organisation.id)
    return list(db.scalars(query))


def revoke_token(db: Session, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.flush()
