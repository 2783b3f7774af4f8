"""server_keys: secrets generated once per database; the key of card pseudonyms

Site hosts see other organisations' card ids as HMAC-SHA256 pseudonyms
(`charging.pseudonyms`). The key is generated here, once, so that every process on the
database shares it and no restart changes it. On PostgreSQL `fc_hmac_pad` gives the
padded forms of a 32-byte key that HMAC hashes with (key XOR ipad / opad, RFC 2104), so
that the /sessions page PostgreSQL renders computes pseudonyms with the built-in
`sha256()` (pgcrypto is not needed).

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-04 09:00:00.000000
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A 32-byte key XOR `pad_byte` repeated, then `pad_byte` 32 times: the 64-byte block HMAC
# hashes in front of the message (pad_byte 54 = 0x36) and of the inner digest (92 = 0x5c).
# XOR eight bytes at a time, as bigints.
_HMAC_PAD = """
CREATE OR REPLACE FUNCTION fc_hmac_pad(key bytea, pad_byte integer) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT decode(
    {chunks} || repeat(lpad(to_hex(pad_byte), 2, '0'), 32),
    'hex')
$$
"""
_CHUNK = (
    "lpad(to_hex(('x' || encode(substring(key from {start} for 8), 'hex'))::bit(64)::bigint"
    " # (pad_byte * x'0101010101010101'::bigint)), 16, '0')"
)


def upgrade() -> None:
    keys = op.create_table(
        "server_keys",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("key", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("length(key) = 32", name=op.f("ck_server_keys_key_length")),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_server_keys")),
    )
    op.bulk_insert(keys, [{"name": "card_pseudonyms", "key": secrets.token_bytes(32)}])
    if op.get_bind().dialect.name == "postgresql":
        chunks = " || ".join(_CHUNK.format(start=start) for start in (1, 9, 17, 25))
        op.execute(_HMAC_PAD.format(chunks=chunks))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS fc_hmac_pad(bytea, integer)")
    op.drop_table("server_keys")
