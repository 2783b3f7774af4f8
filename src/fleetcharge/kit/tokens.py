"""Bearer token secrets: made once, stored only as SHA-256, read back from `Authorization`.

The secrets are 256-bit random values, so a fast hash is the right tool: there is
nothing to brute-force, and lookups stay a single indexed equality.
"""

import hashlib
import re
import secrets

from fleetcharge.errors import Unauthorized


def new_secret(prefix: str) -> str:
    """A token's secret: `prefix` and 43 URL-safe characters (256 random bits)."""
    return prefix + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


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
