"""Engine and unit-of-work helpers shared by the API, the CLI and the tests."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
import sqlalchemy.exc
from psycopg.abc import Buffer
from psycopg.adapt import Loader
from psycopg.rows import namedtuple_row
from sqlalchemy import Engine, Select, create_engine, event
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.util import await_

# What `fetch_all` runs statements on: a Session, or on PostgreSQL a pooled driver
# connection (`read_only`), which is async on an event loop's engine (`make_loop_engine`).
Reader = Session | psycopg.Connection[Any] | psycopg.AsyncConnection[Any]
_POOL = {"pool_size": 10, "max_overflow": 20}
# A pooled connection idle this long is pinged before it is handed out again.
IDLE_BEFORE_PING = 1.0  # seconds
# Failures of the connection, not of the statement: the database is (briefly) unavailable
# (refused or lost connections, terminated backends, timeouts, deadlocks, a locked SQLite).
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return _pinging_idle_connections(create_engine(url, **_POOL))


def _pinging_idle_connections(engine: Engine) -> Engine:
    """Check a pooled connection is alive before reuse when it sat idle for a while.

    Like `pool_pre_ping`, which pings at every checkout, but a connection back in use
    within IDLE_BEFORE_PING is not pinged: on a busy API that ping was a third of the
    round trips of a page request. A dead connection is replaced (DisconnectionError
    makes the pool connect afresh); one that dies while busy fails its request (503) and
    is discarded.
    """

    def fresh(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("idle_since", 0.0) < IDLE_BEFORE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise DisconnectionError() from error
            raise

    event.listen(engine, "connect", fresh)
    event.listen(engine, "checkin", fresh)
    event.listen(engine, "checkout", checkout)
    return engine


def make_loop_engine(engine: Engine) -> AsyncEngine | None:
    """Async connections to `engine`'s PostgreSQL database for code that runs on an event
    loop, in a greenlet (`sqlalchemy.util.greenlet_spawn`), rather than in a worker
    thread; None for other databases. Its connections belong to the loop it is used on.
    """
    if engine.dialect.name != "postgresql":
        return None
    # Only `read_only` uses it, and in autocommit nothing is left to roll back on return.
    loop_engine = create_async_engine(
        engine.url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None, **_POOL
    )
    _pinging_idle_connections(loop_engine.sync_engine)
    return loop_engine


@lru_cache
def engine_for(url: str) -> Engine:
    return make_engine(url)


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction: commit when the block succeeds, roll back when it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_only(engine: Engine) -> Iterator[Reader]:
    """Where a request that only reads, and only through `fetch_all`, runs its statements.

    On PostgreSQL that is the pool's driver connection itself, in autocommit: no Session,
    no transaction. On the polled list endpoints SQLAlchemy's per-request session and
    transaction cost the API process more CPU than the driver's own work for the page
    (bench/usage_api.py). Elsewhere it is a unit of work. `engine` may be a loop engine's
    `sync_engine`, from within its greenlet.
    """
    if engine.dialect.name != "postgresql":
        with unit_of_work(engine) as session:
            yield session
        return
    pooled = engine.raw_connection()
    adapted = pooled.dbapi_connection  # the driver's connection, or SQLAlchemy's sync face of it
    connection = pooled.driver_connection
    assert adapted is not None and connection is not None
    switched = not adapted.autocommit  # a loop engine's connections always are
    if switched:
        adapted.autocommit = True
    try:
        yield connection
    finally:
        if adapted.broken or adapted.closed:
            pooled.invalidate()  # lost: the pool opens a new one
        elif switched:
            adapted.autocommit = False  # as the pool's other users expect it
        pooled.close()


def on_postgresql(db: Reader) -> bool:
    if isinstance(db, psycopg.Connection | psycopg.AsyncConnection):
        return True
    return db.get_bind().dialect.name == "postgresql"


def on_event_loop(db: Reader) -> bool:
    """Whether `db`'s statements are awaited on the event loop (a loop engine's connection):
    blocking calls do not belong in the same thread then."""
    return isinstance(db, psycopg.AsyncConnection)


# `fetch_all` compiles for PostgreSQL with the driver's dialect, engine or no engine.
_POSTGRESQL = PGDialect_psycopg()


class _CompiledStatement:
    """A statement's SQL and constant parameters, compiled once for PostgreSQL."""

    def __init__(self, statement: "Select[*tuple[Any, ...]]") -> None:
        compiled = statement.compile(dialect=_POSTGRESQL)
        self.statement = statement  # held so its id() is not reused while cached
        self.sql = compiled.string
        # Literal values compiled into parameters; request values are merged over them.
        self.constants = dict(compiled.construct_params(_check=False))


# Keyed by statement identity: the statements passed here live in module-level caches.
_compiled: dict[int, _CompiledStatement] = {}


def fetch_all(
    db: Reader, statement: "Select[*tuple[Any, ...]]", values: dict[str, Any]
) -> list[Any]:
    """Rows of a hot, read-only statement that is built once and reused.

    On PostgreSQL the statement runs straight on the driver's cursor (psycopg adapts
    our values natively and prepares repeated statements), skipping SQLAlchemy's
    per-execution work, which otherwise costs as much as a short query. Elsewhere it
    is an ordinary execute. Only for statements whose result columns need no type
    processing on PostgreSQL (ints, text, dates, timestamptz, jsonb; `json` arrives as
    bytes).
    """
    if isinstance(db, psycopg.Connection | psycopg.AsyncConnection):
        connection = db
    elif on_postgresql(db):
        connection = db.connection().connection.driver_connection  # type: ignore[assignment]
    else:
        return list(db.execute(statement, values))
    compiled = _compiled.get(id(statement))
    if compiled is None:
        compiled = _compiled[id(statement)] = _CompiledStatement(statement)
    parameters = {**compiled.constants, **values}
    if isinstance(connection, psycopg.AsyncConnection):
        return await_(_fetch_all_async(connection, compiled.sql, parameters))
    with connection.cursor(row_factory=namedtuple_row) as cursor:
        load_json_as_bytes(cursor)
        cursor.execute(compiled.sql, parameters)
        return cursor.fetchall()


async def _fetch_all_async(
    connection: psycopg.AsyncConnection[Any], sql: str, parameters: dict[str, Any]
) -> list[Any]:
    async with connection.cursor(row_factory=namedtuple_row) as cursor:
        load_json_as_bytes(cursor)
        await cursor.execute(sql, parameters)
        return await cursor.fetchall()


JSON_OID = psycopg.postgres.types["json"].oid


class _JsonBytes(Loader):
    def load(self, data: Buffer) -> bytes:
        return bytes(data)


def load_json_as_bytes(cursor: psycopg.Cursor[Any] | psycopg.AsyncCursor[Any]) -> None:
    """`json` values (the documents PostgreSQL renders) arrive as the bytes it sent, to go
    out as they are: neither parsed nor decoded to text. Stored JSON is `jsonb`, loaded
    as usual."""
    cursor.adapters.register_loader(JSON_OID, _JsonBytes)
