"""Hashing and checking station passwords (OCPP security profiles 1 and 2: HTTP Basic auth
on the WebSocket upgrade).

A password an operator chose may be guessable, so it gets a slow, salted hash
(`scrypt$<n>$<r>$<p>$<salt>$<hash>`). A generated one carries 192 random bits that no
guessing reaches, like an API token secret: its salted SHA-256 (`sha256$<salt>$<hash>`) is
as safe and costs microseconds instead of tens of milliseconds, which is what lets ten
thousand stations reconnect after a restart in seconds.
"""

import base64
import binascii
import hashlib
import hmac
import secrets

_N, _R, _P = 2**14, 8, 1
_LENGTH = 32
GENERATED_BYTES = 24  # 32 URL-safe characters
# OCPP 1.6 security: passwords of 16 to 40 characters are advised; 8 is what stations
# in the field accept at the least.
MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH = 8, 40


def generate_password() -> str:
    return secrets.token_urlsafe(GENERATED_BYTES)


def hash_password(password: str, *, generated: bool = False) -> str:
    salt = secrets.token_bytes(16)
    if generated:
        return "$".join(("sha256", _b64(salt), _b64(_sha256(salt, password))))
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_LENGTH)
    return "$".join(("scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)))


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, *fields = encoded.split("$")
        if scheme == "sha256":
            salt, digest = fields
            expected = base64.b64decode(digest)
            actual = _sha256(base64.b64decode(salt), password)
        elif scheme == "scrypt":
            n, r, p, salt, digest = fields
            expected = base64.b64decode(digest)
            actual = hashlib.scrypt(
                password.encode(),
                salt=base64.b64decode(salt),
                n=int(n),
                r=int(r),
                p=int(p),
                dklen=len(expected),
            )
        else:
            return False
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(actual, expected)


def _sha256(salt: bytes, password: str) -> bytes:
    return hashlib.sha256(salt + password.encode()).digest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
