"""Secrets in remembered answers, readable only by whoever made the request.

A create with an `Idempotency-Key` is remembered so a retry gets the first answer; when
that answer holds a newly issued secret, the database must not hold it in clear. It is
sealed with a key derived from the caller's own bearer secret (of which the database keeps
only a hash) and the idempotency key: only a retry by the same caller can open it.

Each derived key seals exactly one value (one remembered answer per caller and key), so a
keystream from HMAC-SHA256 in counter mode needs no nonce; an HMAC tag over the
ciphertext (encrypt-then-MAC) detects the wrong key or tampering.
"""

import base64
import hashlib
import hmac

_TAG_BYTES = 32


def _keys(credential: str, context: str) -> tuple[bytes, bytes]:
    root = hmac.new(
        credential.encode(), b"fleetcharge sealed answer\0" + context.encode(), "sha256"
    )
    material = root.digest()
    return (
        hmac.new(material, b"encrypt", hashlib.sha256).digest(),
        hmac.new(material, b"authenticate", hashlib.sha256).digest(),
    )


def _keystream(key: bytes, length: int) -> bytes:
    blocks = (
        hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha256).digest()
        for counter in range(-(-length // 32))
    )
    return b"".join(blocks)[:length]


def seal(value: str, credential: str, context: str) -> str:
    encrypt, authenticate = _keys(credential, context)
    plain = value.encode()
    cipher = bytes(a ^ b for a, b in zip(plain, _keystream(encrypt, len(plain)), strict=True))
    tag = hmac.new(authenticate, cipher, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(cipher + tag).decode()


def unseal(sealed: str, credential: str, context: str) -> str | None:
    """The value, or None when `credential` or `context` is not the one it was sealed with."""
    encrypt, authenticate = _keys(credential, context)
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
    except ValueError:
        return None
    cipher, tag = raw[:-_TAG_BYTES], raw[-_TAG_BYTES:]
    if len(tag) != _TAG_BYTES or not hmac.compare_digest(
        tag, hmac.new(authenticate, cipher, hashlib.sha256).digest()
    ):
        return None
    plain = bytes(a ^ b for a, b in zip(cipher, _keystream(encrypt, len(cipher)), strict=True))
    return plain.decode()
