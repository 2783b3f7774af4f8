"""Benchmark: the console's operator and site-host pages at scale, on PostgreSQL.

(a) A scratch database (created, dropped at the end) with --stations stations (10,000) of two
    connectors each at 500 locations, and --history status notifications per connector: server
    time (median and p95 of --repeat runs) of the network overview (all stations and counts,
    one page of 100 rendered), one live-update poll ("changed since"), and a station's page;
    the transfer size of /network.
(b) With --host-database-url (an existing database, read only, e.g. the one usage_api.py
    loads): the month figures (`host_month`) of its largest site host, for its busiest month.

    .venv/bin/python bench/console_network.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/fc_bench_console \\
        [--host-database-url postgresql://postgres@127.0.0.1:5432/fc_bench]
"""

import argparse
import os
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from fastapi import Request
from fastapi.testclient import TestClient

# bench/ is on the path when this runs as a script.
from scratch_database import scratch_database
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from fleetcharge.charging.host_figures import host_month
from fleetcharge.console.member import Member
from fleetcharge.console.pages import MEMBER
from fleetcharge.console.security import optional_member
from fleetcharge.csms import network_view
from fleetcharge.db import make_engine, unit_of_work
from fleetcharge.models import (
    ChargeSession,
    Connector,
    ConnectorStatus,
    Location,
    Organisation,
    Station,
)
from fleetcharge.permissions import Actor
from fleetcharge.settings import Settings
from fleetcharge.web.app import create_app

# The test client names the host `testserver`.
os.environ.setdefault("FLEETCHARGE_ALLOWED_HOSTS", "testserver")
SUPPORT = Actor(name="bench", role="support")
STATUSES = ("Available", "Preparing", "Charging", "SuspendedEV", "Finishing", "Faulted")
START = datetime(2026, 10, 1, tzinfo=UTC)


def timed(work: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median and p95 milliseconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def load(db: Session, stations: int, history: int) -> None:
    hosts = [Organisation(name=f"Host {n}", abn="51824753556") for n in range(50)]
    db.add_all(hosts)
    db.flush()
    locations = [
        Location(
            host_organisation_id=hosts[n % 50].id,
            name=f"Location {n:03d}",
            address=f"{n} Bench St",
            timezone="Australia/Sydney",
        )
        for n in range(500)
    ]
    db.add_all(locations)
    db.flush()
    db.execute(
        insert(Station),
        [
            {
                "uuid": uuid.uuid4(),
                "location_id": locations[n % 500].id,
                "evse_id": f"AU*BEN*E{n:06d}",
                "name": f"Station {n:05d}",
                "ocpp_identity": f"BENCH-{n:06d}",
                "version": 1,
                "created_at": START,
            }
            for n in range(stations)
        ],
    )
    ids = list(db.scalars(select(Station.id).order_by(Station.id)))
    db.execute(
        insert(Connector),
        [{"station_id": s, "connector_id": c, "name": f"Port {c}"} for s in ids for c in (1, 2)],
    )
    rows = []
    for step in range(history):
        at = START + timedelta(minutes=7 * step)
        for index, s in enumerate(ids):
            for number in (0, 1, 2):
                status = STATUSES[(index + step + number) % len(STATUSES)]
                rows.append(
                    {
                        "station_id": s,
                        "connector_number": number,
                        "status": status,
                        "error_code": "NoError",
                        "status_at": at,
                        "received_at": at,
                    }
                )
        if len(rows) > 50_000 or step == history - 1:
            db.execute(insert(ConnectorStatus), rows)
            rows = []
    # Each connector's latest, as the central system keeps it (csms.repository.add_status).
    db.execute(
        text(
            "INSERT INTO connector_current_status (station_id, connector_number, status,"
            " error_code, status_at, history_id)"
            " SELECT DISTINCT ON (station_id, connector_number) station_id, connector_number,"
            " status, error_code, status_at, id FROM connector_status_history"
            " ORDER BY station_id, connector_number, status_at DESC, id DESC"
        )
    )


def part_a(args: argparse.Namespace) -> None:
    with scratch_database(args.database_url, keep=args.keep_database) as engine:
        started = time.perf_counter()
        with unit_of_work(engine) as db:
            load(db, args.stations, args.history)
        with engine.connect() as connection:
            connection.execute(text("COMMIT"))
            connection.execute(text("ANALYZE"))
        with unit_of_work(engine) as db:
            history_rows = db.scalar(select(func.count()).select_from(ConnectorStatus))
            ids = list(db.scalars(select(Station.id)))
            station_uuid = db.scalar(select(Station.uuid).limit(1))
        print(
            f"loaded {args.stations:,} stations, {history_rows:,} status rows "
            f"in {time.perf_counter() - started:.0f} s"
        )
        online = set(ids[: len(ids) // 2])

        def overview() -> None:
            with unit_of_work(engine) as db:
                network_view.network_overview(db, SUPPORT, online)

        def poll() -> None:
            with unit_of_work(engine) as db:
                start = network_view.watch_changes(db)
                network_view.changes_since(db, start.cursor, start.seen)

        def detail() -> None:
            with unit_of_work(engine) as db:
                assert station_uuid is not None
                network_view.station_detail(db, SUPPORT, station_uuid, online)

        for name, work in (
            ("network overview (service)", overview),
            ("live poll (changed since)", poll),
            ("station detail (service)", detail),
        ):
            median, p95 = timed(work, args.repeat)
            print(f"{name:<32} median {median:7.1f} ms   p95 {p95:7.1f} ms")

        app = create_app(engine, Settings(database_url=args.database_url))
        member = Member(SUPPORT, "bench", "bench@example.com", "x" * 32)

        def signed_in(request: Request) -> Member:
            setattr(request.state, MEMBER, member)
            return member

        app.dependency_overrides[optional_member] = signed_in
        with TestClient(app) as client:
            for path in ("/network", f"/network/stations/{station_uuid}"):
                response = client.get(path)
                assert response.status_code == 200, response.text[-1500:]
                median, p95 = timed(partial(client.get, path), args.repeat)
                print(
                    f"GET {path[:28]:<28} median {median:7.1f} ms   p95 {p95:7.1f} ms   "
                    f"{len(response.content) / 1024:.0f} KiB"
                )


def part_b(args: argparse.Namespace) -> None:
    engine = make_engine(args.host_database_url)
    with unit_of_work(engine) as db:
        host_id, sessions = db.execute(
            select(ChargeSession.host_organisation_id, func.count())
            .group_by(ChargeSession.host_organisation_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        truncated = func.date_trunc("month", ChargeSession.stop_local_date)
        month = db.execute(
            select(truncated, func.count())
            .where(ChargeSession.host_organisation_id == host_id)
            .group_by(truncated)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
    staff = Actor(name="bench", role="admin")
    first_day = month[0].date()

    def figures() -> None:
        with unit_of_work(engine) as db:
            host_month(db, staff, host_id, first_day)

    median, p95 = timed(figures, args.repeat)
    print(
        f"host month: host of {sessions:,} sessions, {first_day:%Y-%m} ({month[1]:,} sessions): "
        f"median {median:.0f} ms, p95 {p95:.0f} ms"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/fc_bench_console"
    )
    parser.add_argument("--host-database-url")
    parser.add_argument("--stations", type=int, default=10_000)
    parser.add_argument("--history", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    part_a(args)
    if args.host_database_url:
        part_b(args)


if __name__ == "__main__":
    main()
