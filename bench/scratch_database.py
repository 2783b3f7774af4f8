"""A PostgreSQL database of a benchmark's own: created anew with the schema, dropped after."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from fleetcharge.db import make_engine, normalise_url
from fleetcharge.migrate import upgrade


@contextmanager
def scratch_database(url: str, keep: bool = False) -> Iterator[Engine]:
    """An engine on `url`'s database, dropped first if it exists and migrated; dropped
    again afterwards unless `keep`."""
    target = make_url(normalise_url(url))
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    drop = text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
    with admin.connect() as connection:
        connection.execute(drop)
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    engine = make_engine(url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        if not keep:
            with admin.connect() as connection:
                connection.execute(drop)
        admin.dispose()
