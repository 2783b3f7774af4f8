"""What an organisation is shown of the cards that charged at the stations it hosts.

An id tag is what a station reads from an RFID card: whoever knows it can clone the card.
So a site host sees the real `auth_id` only of sessions its own fleets paid for (those its
/usage lists too); every other card, another organisation's or a public driver's, appears
as a pseudonym: HMAC-SHA256 under a secret of the database (`ServerKey`) over the viewing
organisation and the id tag, `anon-` and its first 80 bits in hex. It is stable (the same
card is the same pseudonym on every page, invoice and process), cannot be turned back into
the id tag without the key, and differs between viewers, so two hosts cannot match their
records of one card. `SHOWN_AUTH_ID` computes the same in PostgreSQL.
"""

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, LargeBinary, Text, case, cast, func, literal, select

from fleetcharge.kit.formats import Format
from fleetcharge.models import ServerKey
from fleetcharge.models.server_key import CARD_PSEUDONYMS

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


def _hmac_pad(pad_byte: int) -> ColumnElement[bytes]:
    """The card pseudonym key XOR ipad (0x36) or opad (0x5c), read once per statement;
    `fc_hmac_pad` comes from migration 0015."""
    key = select(func.fc_hmac_pad(ServerKey.key, pad_byte)).where(ServerKey.name == CARD_PSEUDONYMS)
    return key.scalar_subquery()


def shown_auth_id_sql(
    auth_id: Any, payer_organisation_id: Any, viewer_id: Any
) -> ColumnElement[str]:
    """`ShownCardIds.auth_id` in PostgreSQL: HMAC-SHA256 with the built-in sha256(), no
    extension needed."""
    message = func.convert_to(cast(viewer_id, Text) + ":" + auth_id, "UTF8")
    inner = func.sha256(_hmac_pad(0x36).op("||")(message), type_=LargeBinary())
    digest = func.sha256(_hmac_pad(0x5C).op("||")(inner), type_=LargeBinary())
    prefix = func.substring(digest, 1, DIGEST_BYTES, type_=LargeBinary())
    shown = literal(PREFIX) + func.encode(prefix, "hex", type_=Text())
    return case((payer_organisation_id == viewer_id, auth_id), else_=shown)


def _shown_auth_id(auth_id: str, payer_organisation_id: int | None, viewer: ShownCardIds) -> str:
    return viewer.auth_id(auth_id, payer_organisation_id)


# The `auth_id` a viewer is shown, from the session's id tag and paying organisation and the
# viewer: in SQL the viewing organisation's id, in Python its `ShownCardIds`.
SHOWN_AUTH_ID = Format(_shown_auth_id, shown_auth_id_sql)
