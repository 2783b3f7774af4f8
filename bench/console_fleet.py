"""Benchmark: the console's fleet pages for the largest paying organisation.

Server time (p50/p95) and transfer size of the fleet overview (/fleet?month=...), of the
sessions table (/fleet/sessions) at page 1, at a deep page (half way through the
organisation's sessions), sorted by cost at that depth and filtered (a month and a fleet;
a vehicle), of a session's page, and of the largest site host's table (/site/sessions).
The pages are requested from the whole application in this process (routing, services,
templates; no network), signed in as a fleet manager of that organisation; the
overview's service alone is timed too.

    .venv/bin/python bench/console_fleet.py \
        --database-url postgresql://postgres@127.0.0.1/fc_bench [--sessions 2000000] [--requests 60]

The database is created and loaded with the demo data first if it holds fewer sessions
than --sessions, and migrated to the newest revision (the console's indexes).
Targets: overview <= 300 ms p95, any sessions page <= 100 ms p95, each page <= 500 KB.
"""

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import date

from demo_database import ensure_database
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from starlette.requests import Request

from fleetcharge.charging.overview import fleet_overview
from fleetcharge.charging.repository import SITE_HOST, USAGE
from fleetcharge.charging.table import PAGE_ROWS, sort_column
from fleetcharge.charging.table_query import Cursor, Direction, Sort
from fleetcharge.console.member import Member, member_for
from fleetcharge.console.pages import MEMBER
from fleetcharge.console.security import optional_member
from fleetcharge.db import make_engine, unit_of_work
from fleetcharge.kit.months import Month
from fleetcharge.migrate import upgrade
from fleetcharge.models import ChargeSession, Fleet, SessionDayCount, Vehicle
from fleetcharge.permissions import FLEET_MANAGER, Actor
from fleetcharge.settings import Settings
from fleetcharge.web.app import create_app, served

OVERVIEW_TARGET_MS = 300
TABLE_TARGET_MS = 100
PAGE_TARGET_BYTES = 500 * 1024


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(call: Callable[[], int], requests: int, warmup: int = 3) -> tuple[list[float], int]:
    """Latencies in ms of `requests` calls after `warmup`, and the bytes the last returned."""
    size = 0
    for _ in range(warmup):
        call()
    latencies = []
    for _ in range(requests):
        started = time.perf_counter()
        size = call()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies, size


def largest(engine_url: str, view: str) -> int:
    engine = make_engine(engine_url)
    with unit_of_work(engine) as db:
        organisation_id = db.execute(
            select(SessionDayCount.organisation_id)
            .where(SessionDayCount.view == view)
            .group_by(SessionDayCount.organisation_id)
            .order_by(func.sum(SessionDayCount.sessions).desc())
            .limit(1)
        ).scalar_one()
    engine.dispose()
    return int(organisation_id)


def as_member(member: Member) -> Callable[[Request], Member]:
    def override(request: Request) -> Member:
        setattr(request.state, MEMBER, member)
        return member

    return override


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/fc_bench")
    parser.add_argument("--sessions", type=int, default=2_000_000)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    ensure_database(args.database_url, args.sessions)
    engine = make_engine(args.database_url)
    upgrade(engine)
    payer_id = largest(args.database_url, USAGE.name)
    host_id = largest(args.database_url, SITE_HOST.name)

    with unit_of_work(engine) as db:
        sessions = db.scalar(
            select(func.count()).where(ChargeSession.payer_organisation_id == payer_id)
        )
        last_day: date = db.execute(
            select(func.max(ChargeSession.stop_local_date)).where(
                ChargeSession.payer_organisation_id == payer_id
            )
        ).scalar_one()
        month = Month.of(last_day).previous()  # the latest complete month
        fleet_uuid = db.scalar(select(Fleet.uuid).where(Fleet.organisation_id == payer_id))
        vehicle_uuid = db.scalar(select(Vehicle.uuid).where(Vehicle.organisation_id == payer_id))
        # A deep page: the session half way through, newest first and by cost.
        deep: dict[str, str] = {}
        for sort in (Sort("stop", True), Sort("cost", True)):
            column = sort_column(USAGE, sort.key)
            row = db.execute(
                text(
                    f"SELECT {column.key}, id FROM charge_sessions"
                    " WHERE payer_organisation_id = :payer"
                    f" ORDER BY {column.key} DESC, id DESC OFFSET :half LIMIT 1"
                ),
                {"payer": payer_id, "half": (sessions or 0) // 2},
            ).one()
            number = (sessions or 0) // 2 // PAGE_ROWS + 1
            deep[sort.key] = Cursor(sort, row[0], row[1], Direction.AFTER, number).encode()
        session_uuid = db.scalar(
            select(ChargeSession.uuid)
            .where(ChargeSession.payer_organisation_id == payer_id)
            .order_by(ChargeSession.stop_date_time.desc())
            .limit(1)
        )
        payer = member_for(
            db,
            Actor("bench", FLEET_MANAGER, organisation_id=payer_id),
            name="bench",
            email="bench@example.com",
            csrf_token="bench",
        )
        host = member_for(
            db,
            Actor("bench", FLEET_MANAGER, organisation_id=host_id),
            name="bench",
            email="bench@example.com",
            csrf_token="bench",
        )

    os.environ.setdefault("FLEETCHARGE_ALLOWED_HOSTS", "testserver")
    app = create_app(engine, Settings(rate_limits_enabled=False))
    client = TestClient(served(app))
    print(f"organisation {payer_id}: {sessions:,} sessions; month {month}; host {host_id}")
    print(f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'what':44} {'p50 ms':>8} {'p95 ms':>8} {'KB':>7}  target")

    def report(label: str, latencies: list[float], size: int, target_ms: float | None) -> None:
        p95 = percentile(latencies, 95)
        verdict = ""
        if target_ms is not None:
            ok = p95 <= target_ms and size <= PAGE_TARGET_BYTES
            verdict = f"<= {target_ms:.0f} ms, <= 500 KB: {'met' if ok else 'MISSED'}"
        print(
            f"{label:44} {statistics.median(latencies):8.1f} {p95:8.1f} {size / 1024:7.1f}  "
            f"{verdict}"
        )

    def service() -> int:
        with unit_of_work(engine) as db:
            fleet_overview(db, payer.actor, payer_id, month)
        return 0

    latencies, _ = timed(service, args.requests)
    report("overview service (fleet_overview)", latencies, 0, None)

    def page(member: Member, path: str, params: dict[str, str] | None = None) -> Callable[[], int]:
        def call() -> int:
            app.dependency_overrides[optional_member] = as_member(member)
            response = client.get(path, params=params or {})
            assert response.status_code == 200, (path, response.status_code, response.text[:300])
            return len(response.content)

        return call

    month_filter = {"date_from": str(month.first_day), "date_to": str(month.last_day)}
    pages: list[tuple[str, Callable[[], int], float]] = [
        ("/fleet overview", page(payer, "/fleet", {"month": str(month)}), OVERVIEW_TARGET_MS),
        ("/fleet/sessions page 1", page(payer, "/fleet/sessions"), TABLE_TARGET_MS),
        (
            "/fleet/sessions deep page (half way)",
            page(payer, "/fleet/sessions", {"cursor": deep["stop"]}),
            TABLE_TARGET_MS,
        ),
        (
            "/fleet/sessions by cost, deep page",
            page(payer, "/fleet/sessions", {"sort": "-cost", "cursor": deep["cost"]}),
            TABLE_TARGET_MS,
        ),
        (
            "/fleet/sessions a month and a fleet",
            page(payer, "/fleet/sessions", {**month_filter, "fleet": str(fleet_uuid)}),
            TABLE_TARGET_MS,
        ),
        (
            "/fleet/sessions a vehicle, by energy",
            page(payer, "/fleet/sessions", {"vehicle": str(vehicle_uuid), "sort": "energy"}),
            TABLE_TARGET_MS,
        ),
        ("/fleet/sessions/{uuid}", page(payer, f"/fleet/sessions/{session_uuid}"), TABLE_TARGET_MS),
        ("/site/sessions page 1 (largest host)", page(host, "/site/sessions"), TABLE_TARGET_MS),
        (
            "/site/sessions a month, by revenue",
            page(host, "/site/sessions", {**month_filter, "sort": "-cost"}),
            TABLE_TARGET_MS,
        ),
    ]
    for label, call, target in pages:
        latencies, size = timed(call, args.requests)
        report(label, latencies, size, target)
    print(f"load average {os.getloadavg()[0]:.2f}")
    client.close()
    engine.dispose()


if __name__ == "__main__":
    main()
