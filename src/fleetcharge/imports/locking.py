"""One import of a kind at a time on the network, so that two imports of one file cannot
both find a VIN, id tag or station identity absent and both create it. VINs, id tags and
identities are unique network-wide, hence one lock per kind rather than per organisation.
The importer reads what exists only once it holds the lock."""

import zlib

from sqlalchemy import text
from sqlalchemy.orm import Session


def serialize(db: Session, kind: str) -> None:
    """Wait for any other import of `kind` to commit or roll back; held until this
    transaction ends."""
    if db.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"fleetcharge import {kind}".encode())
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    else:
        # SQLite has one writer at a time: an empty write takes the lock (waiting for it up
        # to the busy timeout) before anything is read.
        db.execute(text("UPDATE organisations SET id = id WHERE 0 = 1"))
