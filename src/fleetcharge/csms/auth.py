"""Station passwords for OCPP security profile 1 (HTTP Basic auth on the WebSocket upgrade).

Stored as `scrypt$<n>$<r>$<p>$<salt>$<hash>` (base64): operators choose these passwords,
so they get a slow, salted hash, unlike the random API token secrets.
"""

import base64
import binascii
import hashlib
import hmac
import secrets

_N, _R, _P = 2**14, 8, 1
_LENGTH = 32


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_LENGTH)
    return "$".join(("scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)))


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(actual, expected)


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(username, password) from an `Authorization: Basic ...` header, else None."""
    if header is None:
        return None
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (ValueError, binascii.Error):
        return None
    username, colon, password = decoded.partition(":")
    return (username, password) if colon else None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
