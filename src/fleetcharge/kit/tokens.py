"""Bearer token secrets: made once, stored only as SHA-256, read back from `Authorization`.

The secrets are 256-bit random values, so a fast hash is the right tool: there is
nothing to brute-force, and lookups stay a single indexed equality.
"""

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from fleetcharge.errors import Unauthorized

Token = TypeVar("Token")


def new_secret(prefix: str) -> str:
    """A token's secret: `prefix` and 43 URL-safe characters (256 random bits)."""
    return prefix + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def add_token(
    db: Session,
    model: Callable[..., Token],
    prefix: str,
    expires_in: timedelta | None,
    **columns: Any,
) -> tuple[Token, str]:
    """A new token row of `model` (added and flushed) and its secret, to be shown once. The
    row keeps the secret's first characters, to tell tokens apart, and its hash."""
    secret = new_secret(prefix)
    expires_at = datetime.now(UTC) + expires_in if expires_in is not None else None
    token = model(
        prefix=secret[:10], secret_sha256=hash_secret(secret), expires_at=expires_at, **columns
    )
    db.add(token)
    db.flush()
    return token, secret


def bearer_digest(
    authorization: str | None, pattern: re.Pattern[str], missing: str, invalid: str
) -> str:
    """The hash of the secret in an `Authorization: Bearer <secret>` header; Unauthorized
    with `missing` without a header, with `invalid` for a secret not of `pattern`."""
    if not authorization:
        raise Unauthorized(missing)
    scheme, _, secret = authorization.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    if not pattern.match(secret):
        raise Unauthorized(invalid)
    return hash_secret(secret)
