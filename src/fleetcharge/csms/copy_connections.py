"""PostgreSQL connections on which a batch of MeterValues is one COPY, committed by itself.

Most MeterValues name a transaction their station is known to own, so they need no lookup.
In autocommit mode a COPY is its own transaction: such a batch costs PostgreSQL one
statement instead of the pool's liveness ping, BEGIN, COPY and COMMIT, which is most of
what a batch of a few messages used to cost it.
"""

import threading
from collections.abc import Iterable
from typing import Any

import psycopg
from sqlalchemy.engine import URL

from fleetcharge.csms import repository


class CopyConnections:
    """Autocommit connections for the writer's threads, opened when first needed; one that
    failed is closed (it may be broken) and replaced by a new one next time."""

    def __init__(self, url: URL) -> None:
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._idle: list[psycopg.Connection[Any]] = []
        self._lock = threading.Lock()
        self._closed = False

    def copy(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Store the rows (of `meter_value_rows`) and commit them, or raise and store none."""
        connection = self._take()
        try:
            repository.copy_meter_values(connection, rows)
        except BaseException:
            connection.close()
            raise
        self._give_back(connection)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def _take(self) -> psycopg.Connection[Any]:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return psycopg.connect(self._conninfo, autocommit=True)

    def _give_back(self, connection: psycopg.Connection[Any]) -> None:
        with self._lock:
            if not self._closed:
                self._idle.append(connection)
                return
        connection.close()
