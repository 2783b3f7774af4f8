"""Engine and unit-of-work helpers shared by the API, the CLI and the tests."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from psycopg.rows import namedtuple_row
from sqlalchemy import Engine, Select, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session


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
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


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


class _CompiledStatement:
    """A statement's SQL and constant parameters, compiled once for one dialect."""

    def __init__(self, statement: "Select[*tuple[Any, ...]]", engine: Engine) -> None:
        compiled = statement.compile(dialect=engine.dialect)
        self.statement = statement  # held so its id() is not reused while cached
        self.sql = compiled.string
        # Literal values compiled into parameters; request values are merged over them.
        self.constants = dict(compiled.construct_params(_check=False))


# Keyed by statement identity: the statements passed here live in module-level caches.
_compiled: dict[int, _CompiledStatement] = {}


def fetch_all(
    db: Session, statement: "Select[*tuple[Any, ...]]", values: dict[str, Any]
) -> list[Any]:
    """Rows of a hot, read-only statement that is built once and reused.

    On PostgreSQL the statement runs straight on the driver's cursor (psycopg adapts
    our values natively and prepares repeated statements), skipping SQLAlchemy's
    per-execution work, which otherwise costs as much as a short query. Elsewhere it
    is an ordinary execute. Only for statements whose result columns need no type
    processing on PostgreSQL (ints, text, dates, timestamptz, json text).
    """
    engine = db.get_bind()
    if not isinstance(engine, Engine) or engine.dialect.name != "postgresql":
        return list(db.execute(statement, values))
    compiled = _compiled.get(id(statement))
    if compiled is None:
        compiled = _compiled[id(statement)] = _CompiledStatement(statement, engine)
    driver_connection = db.connection().connection.driver_connection
    assert driver_connection is not None
    with driver_connection.cursor(row_factory=namedtuple_row) as cursor:
        cursor.execute(compiled.sql, {**compiled.constants, **values})
        return cursor.fetchall()
