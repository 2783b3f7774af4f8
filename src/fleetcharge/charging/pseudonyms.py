"""What an organisation is shown of the cards that charged at the stations it hosts.

An id tag is what a station reads from an RFID card: whoever knows it can clone the card.
So a site host sees the real `auth_id` only of sessions its own fleets paid for (those its
/usage lists too); every other card, another organisation's or a public driver's, appears
as a pseudonym: HMAC-SHA256 under a secret of the database (`ServerKey`) over the viewing
organisation and the id tag, `anon-` and its first 80 bits in hex. It is stable (the same
card is the same pseudonym on every page, invoice and process), cannot be turned back into
the id tag without the key, and differs between viewers, so two hosts cannot match their
records of one card. The PostgreSQL rendering computes the same (`pg_render`).
"""

import hashlib
import hmac
from collections.abc import Callable

PREFIX = "anon-"
# 80 bits: among a million cards the chance that any two share a pseudonym is 4e-13.
DIGEST_BYTES = 10


def message(viewer_id: int, id_tag: str) -> bytes:
    """What is hashed: the viewing organisation (digits) and, after a colon, the id tag."""
    return f"{viewer_id}:{id_tag}".encode()


def pseudonym(key: bytes, viewer_id: int, id_tag: str) -> str:
    digest = hmac.new(key, message(viewer_id, id_tag), hashlib.sha256).digest()
    return PREFIX + digest[:DIGEST_BYTES].hex()


class ShownCardIds:
    """The `auth_id` one organisation is shown; the key is read when first needed."""

    def __init__(self, viewer_id: int, read_key: Callable[[], bytes]) -> None:
        self.viewer_id = viewer_id
        self._read_key = read_key
        self._key: bytes | None = None

    def auth_id(self, auth_id: str, payer_organisation_id: int | None) -> str:
        if payer_organisation_id == self.viewer_id:
            return auth_id
        if self._key is None:
            self._key = self._read_key()
        return pseudonym(self._key, self.viewer_id, auth_id)
