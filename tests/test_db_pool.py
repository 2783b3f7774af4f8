"""Pooled PostgreSQL connections: one killed while idle is replaced before it is handed
out (the idle ping); one reused at once is not pinged, and a dead one then fails only its
own request and is discarded."""

import asyncio
import os

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.util import greenlet_spawn

from fleetcharge import db as database
from fleetcharge.db import make_loop_engine, normalise_url, read_only

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]


def backend_pid(engine: Engine) -> int:
    with read_only(engine) as connection:
        ((pid,),) = database.fetch_all(connection, PID, {})
        return int(pid)


PID = select(func.pg_backend_pid())


def terminate(pid: int) -> None:
    admin = create_engine(
        normalise_url(os.environ["FLEETCHARGE_TEST_POSTGRES_URL"]), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def test_a_connection_killed_while_idle_is_replaced(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = backend_pid(engine)
    terminate(first)
    monkeypatch.setattr(database, "IDLE_BEFORE_PING", 0.0)  # it has been idle long enough
    assert backend_pid(engine) != first


def test_a_connection_reused_at_once_is_not_pinged_and_a_dead_one_is_discarded(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "IDLE_BEFORE_PING", 3600.0)
    first = backend_pid(engine)
    terminate(first)
    with pytest.raises(psycopg.OperationalError):
        backend_pid(engine)
    assert backend_pid(engine) != first


def test_the_loop_engine_replaces_a_connection_killed_while_idle(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def on_the_loop() -> tuple[int, int]:
        loop_engine = make_loop_engine(engine)
        assert loop_engine is not None
        try:
            first = await greenlet_spawn(backend_pid, loop_engine.sync_engine)
            terminate(first)
            monkeypatch.setattr(database, "IDLE_BEFORE_PING", 0.0)
            return first, await greenlet_spawn(backend_pid, loop_engine.sync_engine)
        finally:
            await loop_engine.dispose()

    first, then = asyncio.run(on_the_loop())
    assert then != first
