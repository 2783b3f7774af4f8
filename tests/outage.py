"""A test's PostgreSQL database made unavailable as in an outage: it refuses new connections
(ALLOW_CONNECTIONS false) and its backends are terminated, from an admin connection to the
server's own database. Always accepting connections again when the test ends."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from fleetcharge.db import normalise_url


class DatabaseSwitch:
    def __init__(self, database_url: str) -> None:
        self.name = make_url(database_url).database
        self._admin = create_engine(
            normalise_url(os.environ["FLEETCHARGE_TEST_POSTGRES_URL"]),
            isolation_level="AUTOCOMMIT",
        )

    def refuse(self) -> None:
        self._allow(False)
        with self._admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": self.name},
            )

    def accept(self) -> None:
        self._allow(True)

    def _allow(self, accepting: bool) -> None:
        with self._admin.connect() as connection:
            connection.execute(
                text(
                    f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS {str(accepting).lower()}'
                )
            )

    def close(self) -> None:
        try:
            self.accept()
        finally:
            self._admin.dispose()


@contextmanager
def database_switch(database_url: str) -> Iterator[DatabaseSwitch]:
    switch = DatabaseSwitch(database_url)
    try:
        yield switch
    finally:
        switch.close()
