"""Demo-loader fixtures: one loaded demo per backend and module, on a fresh database.

SQLite always; PostgreSQL when FLEETCHARGE_TEST_POSTGRES_URL names a server whose user
may create databases. Each PostgreSQL database is uniquely named and dropped afterwards.
"""

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from fleetcharge.db import make_engine, normalise_url
from fleetcharge.demo.loader import DemoResult, load_demo

POSTGRES_ENV = "FLEETCHARGE_TEST_POSTGRES_URL"
POSTGRES_SKIP = f"PostgreSQL demo tests skipped: set {POSTGRES_ENV} to run them"
# A window holding both Sydney clock changes (6 Oct 2024, 6 Apr 2025) and a 31 January.
DEMO_NOW = datetime(2025, 4, 20, 2, 0, tzinfo=UTC)
DEMO_SESSIONS = 600


@dataclass(frozen=True)
class LoadedDemo:
    engine: Engine
    result: DemoResult
    backend: str


@contextmanager
def postgres_database() -> Iterator[str]:
    """A freshly created, uniquely named PostgreSQL database, dropped afterwards."""
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(POSTGRES_SKIP)
    server = normalise_url(os.environ[POSTGRES_ENV])
    name = f"fleetcharge_demo_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Makes a new empty database for a backend ("sqlite" or "postgresql"); returns its URL."""
    with ExitStack() as cleanup:

        def make(backend: str) -> str:
            if backend == "sqlite":
                return f"sqlite:///{tmp_path / f'demo-{uuid.uuid4().hex[:8]}.db'}"
            return cleanup.enter_context(postgres_database())

        yield make


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def loaded_demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LoadedDemo]:
    """A demo of DEMO_SESSIONS sessions at DEMO_NOW, loaded once per module and backend."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("demo") / "demo.db"
        yield from _loaded(f"sqlite:///{path}", "sqlite")
        return
    with postgres_database() as url:
        yield from _loaded(url, "postgresql")


def _loaded(url: str, backend: str) -> Iterator[LoadedDemo]:
    engine = make_engine(url)
    try:
        result = load_demo(engine, sessions=DEMO_SESSIONS, now=DEMO_NOW, progress=False)
        yield LoadedDemo(engine, result, backend)
    finally:
        engine.dispose()
