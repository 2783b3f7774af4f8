"""Card pseudonyms: HMAC-SHA256 (the same in PostgreSQL as in Python), never colliding,
never the id tag, different for each viewer and key; the key read only when needed."""

import hashlib
import hmac
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from fleetcharge.charging.pseudonyms import ShownCardIds, pseudonym

PSEUDONYM = re.compile(r"anon-[0-9a-f]{20}")


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(key=st.binary(min_size=32, max_size=32), message=st.binary(max_size=200))
def test_hmac_from_the_database_pads_equals_the_standard_library(
    engine: Engine, key: bytes, message: bytes
) -> None:
    """`fc_hmac_pad` (migration 0015) with the built-in sha256() is HMAC-SHA256 (RFC 2104)."""
    statement = text(
        "SELECT sha256(fc_hmac_pad(:key, 92) || sha256(fc_hmac_pad(:key, 54) || :message))"
    )
    with engine.connect() as connection:
        digest = connection.scalar(statement, {"key": key, "message": message})
    assert digest == hmac.new(key, message, hashlib.sha256).digest()


ID_TAGS = st.text(st.characters(codec="utf-8"), min_size=1, max_size=64)


KEYS = st.lists(st.binary(min_size=32, max_size=32), min_size=2, max_size=2, unique=True)


@settings(max_examples=200)
@given(
    keys=KEYS,
    viewers=st.lists(st.integers(1, 2**63 - 1), min_size=2, max_size=2, unique=True),
    tags=st.lists(ID_TAGS, min_size=2, max_size=30, unique=True),
)
def test_pseudonyms_never_collide_nor_show_the_id(
    keys: list[bytes], viewers: list[int], tags: list[str]
) -> None:
    key = keys[0]
    first, second = ([pseudonym(key, viewer, tag) for tag in tags] for viewer in viewers)
    for shown in (first, second):
        assert len(set(shown)) == len(tags)
        assert all(PSEUDONYM.fullmatch(s) for s in shown)
        assert not set(shown) & set(tags)
    assert not set(first) & set(second)  # two hosts cannot match their records of a card
    assert first == [pseudonym(key, viewers[0], tag) for tag in tags]  # stable
    # Without the key nobody computes them: another key gives others.
    assert not set(first) & {pseudonym(keys[1], viewers[0], tag) for tag in tags}


def test_only_the_viewers_own_sessions_show_the_id_and_the_key_is_read_when_needed() -> None:
    reads: list[int] = []

    def read_key() -> bytes:
        reads.append(1)
        return b"k" * 32

    shown = ShownCardIds(7, read_key)
    assert shown.auth_id("OWN", 7) == "OWN"
    assert reads == []  # a page of the host's own charging never reads the key
    assert shown.auth_id("THEIRS", 8) == pseudonym(b"k" * 32, 7, "THEIRS")
    assert shown.auth_id("PUBLIC", None) == pseudonym(b"k" * 32, 7, "PUBLIC")
    assert reads == [1]
