"""Every database test runs twice: on SQLite and on PostgreSQL.

PostgreSQL runs when FLEETCHARGE_TEST_POSTGRES_URL points at a server whose user may
create databases (for example postgresql://postgres@127.0.0.1:5432/postgres). Each test
gets its own database, copied from a template migrated once per run, and dropped after.

Tests of processes sharing Redis run when FLEETCHARGE_TEST_REDIS_URL is set; each uses
keys under a prefix of its own, deleted afterwards.
"""

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from argon2 import PasswordHasher
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from fleetcharge.accounts import passwords
from fleetcharge.db import make_engine, normalise_url
from fleetcharge.migrate import upgrade

# Test clients name the host `testserver`; the apps tests build answer to it.
os.environ.setdefault("FLEETCHARGE_ALLOWED_HOSTS", "testserver")
# The central systems tests start keep their outage journals out of the working tree.
if "FLEETCHARGE_OCPP_JOURNAL_DIR" not in os.environ:
    os.environ["FLEETCHARGE_OCPP_JOURNAL_DIR"] = tempfile.mkdtemp(prefix="fc-journal-")
    atexit.register(shutil.rmtree, os.environ["FLEETCHARGE_OCPP_JOURNAL_DIR"], True)

# Webhooks: a fixed key sealing signing secrets; receivers on loopback over http; no
# dispatcher in the servers tests start (tests that deliver run one themselves).
os.environ.setdefault(
    "FLEETCHARGE_WEBHOOKS_SECRET_KEY", "dGVzdHMtb25seS13ZWJob29rLXNlYWxpbmcta2V5MzI="
)
os.environ.setdefault("FLEETCHARGE_WEBHOOKS_ALLOW_HTTP", "true")
os.environ.setdefault("FLEETCHARGE_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "true")
os.environ.setdefault("FLEETCHARGE_WEBHOOKS_DISPATCHER_ENABLED", "false")

# People's passwords are hashed at argon2's production cost (64 MiB, ~0.1 s); hundreds of
# sign-ins in the console tests make that a minute of the suite. A cheaper argon2id in tests:
# still not the 8 KiB one tests/accounts use to stand for outdated parameters.
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
passwords._DUMMY_HASH = passwords._hasher.hash("not anyone's password")

# The tests' PostgreSQL sessions (theirs and their child processes') commit without waiting
# for the WAL to reach the disk: what other sessions see is the same, and no test crashes
# the server, the one case where such a commit could be lost.
if "synchronous_commit" not in os.environ.get("PGOPTIONS", ""):
    os.environ["PGOPTIONS"] = f"{os.environ.get('PGOPTIONS', '')} -c synchronous_commit=off"

POSTGRES_ENV = "FLEETCHARGE_TEST_POSTGRES_URL"
REDIS_ENV = "FLEETCHARGE_TEST_REDIS_URL"
POSTGRES_SKIP = (
    f"PostgreSQL tests skipped: set {POSTGRES_ENV} "
    "(e.g. postgresql://postgres@127.0.0.1:5432/postgres) to run them"
)


def _admin_engine() -> Engine:
    url = normalise_url(os.environ[POSTGRES_ENV])
    return create_engine(url, isolation_level="AUTOCOMMIT")


def _database_url(name: str) -> str:
    base = make_url(normalise_url(os.environ[POSTGRES_ENV]))
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    if not os.environ.get(POSTGRES_ENV):
        if os.environ.get("FLEETCHARGE_TEST_REQUIRE_POSTGRES"):
            pytest.fail(f"FLEETCHARGE_TEST_REQUIRE_POSTGRES is set but {POSTGRES_ENV} is not")
        pytest.skip(POSTGRES_SKIP)
    name = f"fleetcharge_test_tpl_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(_database_url(name))
    upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, empty database for one test."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    template_name: str = request.getfixturevalue("postgres_template")
    name = f"fleetcharge_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
    try:
        yield _database_url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get(REDIS_ENV)
    if not url:
        if os.environ.get("FLEETCHARGE_TEST_REQUIRE_POSTGRES"):
            pytest.fail(f"CI must run the Redis tests: set {REDIS_ENV}")
        pytest.skip(f"Redis tests skipped: set {REDIS_ENV} (e.g. redis://127.0.0.1:6379/0)")
    return url


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A Redis key prefix of the test's own; its keys are deleted afterwards."""
    prefix = f"fleetcharge-test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


# Skips reported as one summary line each, whichever tests they skip.
SUMMARISED_SKIPS = (
    "Skipped: PostgreSQL tests skipped",
    "Skipped: Redis tests",
    "Skipped: browser tests skipped",
)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium, for the browser tests."""
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("FLEETCHARGE_TEST_REQUIRE_BROWSER"):
            pytest.fail("FLEETCHARGE_TEST_REQUIRE_BROWSER is set but chromium is not installed")
        pytest.skip("browser tests skipped: Debian's chromium is not installed")
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Skips for a missing database, Redis or browser reported as one line each in the summary
    (`SKIPPED [173] tests/conftest.py: ...`), not one line per test file."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.skipped and isinstance(report.longrepr, tuple):
        reason = str(report.longrepr[2])
        if reason.startswith(SUMMARISED_SKIPS):
            report.longrepr = ("tests/conftest.py", 0, reason)


# Tests that take tens of seconds each (real servers, outages, fuzzing) run first, longest
# first: xdist hands the rest out as workers free up, so that no worker is left running one
# of these after the other has finished. Only the order changes.
LONG_RUNNING = (
    "tests/csms/test_outage_loopback.py",
    "tests/admin/test_fuzz.py",
    "tests/docs/test_demo_commands.py",
    "tests/docs/test_readme_walkthrough.py",
    "tests/demo/test_station_line.py",
    "tests/csms/test_guessing_load.py",
    "tests/api/test_shared_limits.py",
    "tests/csms/test_redis_routing.py",
    "tests/billing/test_concurrency.py",
    "tests/demo/test_live.py",
    "tests/api/test_card_pseudonyms.py",
    "tests/api/test_pagination.py",
    "tests/csms/test_loopback.py",
    "tests/csms/test_transaction_outcomes_loopback.py",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        for n, prefix in enumerate(LONG_RUNNING):
            if item.nodeid.startswith(prefix):
                return n
        return len(LONG_RUNNING)

    items.sort(key=rank)  # stable: the order within each file, and of the rest, is kept
