"""The PostgreSQL COPY path writes exactly what the SQLite executemany path writes."""

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, text

from fleetcharge.db import make_engine
from fleetcharge.demo import bulk, deferral, sessions
from fleetcharge.demo.loader import load_demo
from fleetcharge.migrate import upgrade
from fleetcharge.models import Base
from tests.demo.conftest import DEMO_NOW
from tests.demo.helpers import PERIODS, SESSIONS, all_rows

NETWORK_TABLES = (
    "organisations",
    "fleets",
    "vehicles",
    "cards",
    "locations",
    "stations",
    "tariffs",
)


def _schema(engine: Engine) -> set[tuple[Any, ...]]:
    with engine.connect() as connection:
        constraints = connection.execute(
            text(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                " FROM pg_constraint WHERE conrelid IN"
                " ('charge_sessions'::regclass, 'charging_periods'::regclass)"
            )
        )
        indexes = connection.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes"
                " WHERE tablename IN ('charge_sessions', 'charging_periods')"
            )
        )
        return {tuple(row) for row in constraints} | {tuple(row) for row in indexes}


@pytest.mark.postgres
def test_copy_rows_equal_executemany_rows(
    fresh_database: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small chunks and no size threshold: the worker processes and the dropped-and-rebuilt
    # constraints of a multi-million-session load, on a few hundred sessions.
    monkeypatch.setattr(sessions, "TARGET_CHUNK_SESSIONS", 97)
    monkeypatch.setattr(bulk, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(deferral, "DEFER_THRESHOLD", 1)
    set_aside: list[object] = []
    drop = deferral.DeferredConstraints.drop

    def set_aside_and_drop(self: deferral.DeferredConstraints) -> None:
        set_aside.append(self)
        drop(self)

    monkeypatch.setattr(deferral.DeferredConstraints, "drop", set_aside_and_drop)
    postgres = make_engine(fresh_database("postgresql"))
    sqlite = make_engine(fresh_database("sqlite"))
    try:
        upgrade(postgres)
        schema = _schema(postgres)
        for engine in (postgres, sqlite):
            load_demo(engine, sessions=700, now=DEMO_NOW, progress=False, workers=2)

        assert len(set_aside) == 1 and _schema(postgres) == schema
        for table, order in ((SESSIONS, ("id",)), (PERIODS, ("session_id", "seq"))):
            copied = all_rows(postgres, table, *order)
            inserted = all_rows(sqlite, table, *order)
            assert len(copied) >= 700
            assert copied == inserted
        for name in NETWORK_TABLES:
            table = Base.metadata.tables[name]
            columns = [c for c in table.c if c.name != "created_at"]
            assert [
                {c.name: row[c.name] for c in columns} for row in all_rows(postgres, table, "id")
            ] == [{c.name: row[c.name] for c in columns} for row in all_rows(sqlite, table, "id")]
    finally:
        postgres.dispose()
        sqlite.dispose()


@pytest.mark.postgres
def test_session_ids_continue_the_sequence(fresh_database: Callable[[str], str]) -> None:
    engine = make_engine(fresh_database("postgresql"))
    try:
        load_demo(engine, sessions=50, now=DEMO_NOW, progress=False)
        with engine.begin() as connection:
            ids = [row[0] for row in connection.execute(text("SELECT id FROM charge_sessions"))]
            next_id = connection.scalar(
                text("SELECT nextval(pg_get_serial_sequence('charge_sessions', 'id'))")
            )
        assert sorted(ids) == list(range(min(ids), min(ids) + 50))
        assert next_id > max(ids)
    finally:
        engine.dispose()
