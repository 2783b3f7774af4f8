"""`load_demo`: migrate, create the demo network and its sessions once, count, analyse, invoice.

The network, the sessions and the per-day counters are written in one transaction,
so an interrupted load leaves nothing behind and the next run starts over.
"""

import logging
import time
import uuid as uuid_module
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy import Engine, select, text

from fleetcharge.charging.recording import rebuild_day_counts
from fleetcharge.db import unit_of_work
from fleetcharge.demo.bulk import (
    copy_postgres,
    insert_sqlite,
    next_free_session_id,
    reserve_session_ids,
)
from fleetcharge.demo.deferral import defer_constraints
from fleetcharge.demo.network import DEMO_SEED, build_network
from fleetcharge.demo.sessions import SessionPlan
from fleetcharge.demo.store import existing_demo_organisations, insert_network
from fleetcharge.demo.timing import demo_window
from fleetcharge.demo.world import build_world
from fleetcharge.migrate import upgrade
from fleetcharge.models import Invoice

DEFAULT_DEMO_SESSIONS = 20_000
# Tables that a bulk load changes wholesale; VACUUM sets their visibility maps so the
# API's paging indexes can be read with index-only scans.
BULK_TABLES = ("charge_sessions", "charging_periods", "session_day_counts", "invoice_sessions")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoOrganisation:
    id: int
    uuid: uuid_module.UUID
    name: str


@dataclass(frozen=True)
class DemoResult:
    organisations: tuple[DemoOrganisation, ...]
    created: bool  # False when the demo network was already there
    sessions: int  # sessions written by this run
    invoices: int  # invoices approved by this run
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step


def load_demo(
    engine: Engine,
    *,
    sessions: int = DEFAULT_DEMO_SESSIONS,
    now: datetime | None = None,
    progress: bool = True,
    seed: int = DEMO_SEED,
    workers: int | None = None,
) -> DemoResult:
    if sessions < 0:
        raise ValueError("sessions must not be negative")
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    timings: dict[str, float] = {}
    console = Console(stderr=True)
    with (
        _progress(console, enabled=progress) as bar,
        _step(bar, "Migrating the database"),
        _timed(timings, "migrate"),
    ):
        upgrade(engine)

    with unit_of_work(engine) as db:
        existing = existing_demo_organisations(db)
        if existing:
            invoiced = db.scalar(select(Invoice.id).limit(1)) is not None
            organisations = tuple(DemoOrganisation(o.id, o.uuid, o.name) for o in existing)
    if existing:
        approved = 0 if invoiced else _invoice(engine, now, console, progress, timings)
        return DemoResult(organisations, False, 0, approved, timings)

    with unit_of_work(engine) as db:
        with _timed(timings, "network"):
            network = build_network(seed, today=now.date())
            ids = insert_network(db, network)
            plan = SessionPlan.create(build_world(network, ids), sessions, now=now, seed=seed)
        connection = db.connection()
        deferred = None
        # No refresh thread while worker processes are forked: the bar redraws per chunk.
        with _progress(console, enabled=progress, live=False) as bar, _timed(timings, "sessions"):
            task = bar.add_task("Loading charge sessions", total=sessions)

            def advance(count: int) -> None:
                bar.advance(task, count)
                bar.refresh()

            if engine.dialect.name == "postgresql":
                first_id = reserve_session_ids(connection, sessions)
                deferred = defer_constraints(connection, sessions)
                copy_postgres(connection, plan, first_id, advance, workers=workers)
            else:
                first_id = next_free_session_id(connection)
                insert_sqlite(connection, plan, first_id, advance)
        with _progress(console, enabled=progress) as bar:
            if deferred is not None:
                with _step(bar, "Rebuilding indexes and foreign keys"), _timed(timings, "indexes"):
                    deferred.restore()
            with _step(bar, "Counting sessions per day"), _timed(timings, "day_counts"):
                rebuild_day_counts(db)
        organisations = tuple(
            DemoOrganisation(ids.organisations[spec.key], spec.uuid, spec.data.name)
            for spec in network.organisations
        )

    with _timed(timings, "analyze"):
        _analyze(engine, vacuum=False)
    approved = _invoice(engine, now, console, progress, timings)
    with _timed(timings, "vacuum"):
        _analyze(engine, vacuum=True)
    return DemoResult(organisations, True, sessions, approved, timings)


def _invoice(
    engine: Engine,
    now: datetime,
    console: Console,
    progress: bool,
    timings: dict[str, float],
) -> int:
    """Draft and approve invoices for each completed month, oldest first."""
    try:
        from fleetcharge.billing.period import Period
        from fleetcharge.billing.service import approve_invoices, draft_invoices
    except ImportError:
        log.warning("fleetcharge.billing is not available; the demo has no invoices")
        return 0
    months = demo_window(now).completed_months
    approved = 0
    with _progress(console, enabled=progress) as bar, _timed(timings, "invoices"):
        task = bar.add_task("Invoicing completed months", total=len(months))
        for month in months:
            with unit_of_work(engine) as db:
                draft_invoices(db, Period(month.year, month.month))
                approved += len(approve_invoices(db))
            bar.advance(task)
    return approved


def _analyze(engine: Engine, *, vacuum: bool) -> None:
    """Fresh planner statistics; on PostgreSQL optionally VACUUM for index-only scans."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name == "postgresql" and vacuum:
            for table in BULK_TABLES:
                connection.execute(text(f"VACUUM (ANALYZE) {table}"))
        connection.execute(text("ANALYZE"))


@contextmanager
def _progress(console: Console, *, enabled: bool, live: bool = True) -> Iterator[Progress]:
    bar = Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not enabled,
        auto_refresh=live,
    )
    with bar:
        yield bar


@contextmanager
def _step(bar: Progress, description: str) -> Iterator[None]:
    """A one-shot task: a spinner while it runs, complete when it is done."""
    task = bar.add_task(description, total=None)
    yield
    bar.update(task, total=1, completed=1)


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - started
