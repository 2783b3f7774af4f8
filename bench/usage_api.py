"""Benchmark: /usage (or /sessions) throughput and latency against the SQL-only ceiling.

For page 1, page 10,000 and a one-month range of the largest organisation (the largest
payer on /usage, the largest site host with `--endpoint sessions`), it runs
(a) HTTP requests against `fleetcharge serve` and (b) the very SQL statements that
request executes, replayed straight into PostgreSQL with psycopg, both with the same
number of concurrent connections, and prints throughput, p50/p99 latency and ratios.
It also times the `total_entries` query for the largest and the smallest organisation.

    .venv/bin/python bench/usage_api.py --database-url postgresql://postgres@127.0.0.1/fc_bench \
        [--sessions 2000000] [--requests 400] [--rounds 3] [--concurrency 4] [--workers 2] \
        [--endpoint usage|sessions]

The database is created and loaded with the demo data first if it holds fewer sessions
than --sessions. Every load is bounded by --requests and --max-seconds.
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import psycopg
from demo_database import ensure_database
from process_cpu import cpu_seconds, postgres_cpu_seconds
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from fleetcharge.auth.service import authenticate, issue_token
from fleetcharge.charging.repository import VIEWS, sessions_per_utc_day
from fleetcharge.charging.service import site_host_page, usage_page
from fleetcharge.db import load_json_as_bytes, make_engine, normalise_url, read_only
from fleetcharge.kit.paging import parse_list_params
from fleetcharge.models import ChargeSession, Organisation


@dataclass
class Stats:
    latencies_ms: list[float]
    wall_s: float
    cpu_s: dict[str, float]  # CPU time spent in the run, by whom: server, postgres, client

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.wall_s

    def cpu_us(self, who: str) -> float:
        return self.cpu_s[who] / len(self.latencies_ms) * 1e6

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def pooled(runs: list[Stats]) -> Stats:
    return Stats(
        [ms for run in runs for ms in run.latencies_ms],
        sum(run.wall_s for run in runs),
        {who: sum(run.cpu_s[who] for run in runs) for who in runs[0].cpu_s},
    )


def cpu_now(server: int) -> dict[str, float]:
    return {
        "server": cpu_seconds(server),
        "postgres": postgres_cpu_seconds(),
        "client": time.process_time(),
    }


def run_load(
    make_worker: Callable[[], Callable[[], None]],
    concurrency: int,
    requests: int,
    max_seconds: float,
    server: int,
    warmup: int = 20,
) -> Stats:
    """`requests` calls spread over `concurrency` threads, each with its own connection."""
    remaining = [requests]
    lock = threading.Lock()
    latencies: list[float] = []
    deadline = time.monotonic() + max_seconds
    workers = [make_worker() for _ in range(concurrency)]
    for call in workers:
        for _ in range(max(1, warmup // concurrency)):
            call()

    def loop(call: Callable[[], None]) -> None:
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            call()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=loop, args=(call,)) for call in workers]
    cpu_before = cpu_now(server)
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu_after = cpu_now(server)
    return Stats(latencies, wall, {who: cpu_after[who] - cpu_before[who] for who in cpu_before})


def capture_statements(
    engine: Any, header: str, query: dict[str, str], endpoint: str
) -> list[tuple[str, Any]]:
    """The SQL one /usage (/sessions) request sends to PostgreSQL: authentication, then the page
    (after a liveness ping if the pooled connection was idle).

    Recorded at the driver, so it holds exactly what psycopg sent, whichever layer sent it.
    """
    captured: list[tuple[str, Any]] = []
    original = psycopg.Cursor.execute

    def recording(self: Any, statement: Any, parameters: Any = None, **kwargs: Any) -> Any:
        captured.append((statement, parameters))
        return original(self, statement, parameters, **kwargs)

    # A plain function in place of an overloaded method: mypy sees two faults in one.
    psycopg.Cursor.execute = recording  # type: ignore[method-assign, assignment]
    try:
        with read_only(engine) as db:
            principal = authenticate(db, header)
            params = parse_list_params(
                query.get("page"), query.get("date_from"), query.get("date_to")
            )
            if endpoint == "usage":
                total, items = usage_page(db, principal.organisation_id, params)
            else:
                total, items = site_host_page(db, principal.organisation_id, params, "Network")
            assert items, f"scenario {query} returned no rows (total {total})"
    finally:
        psycopg.Cursor.execute = original  # type: ignore[method-assign]
    return captured


def sql_worker(dsn: str, statements: list[tuple[str, Any]]) -> Callable[[], Callable[[], None]]:
    def make() -> Callable[[], None]:
        # In autocommit, as the API reads (`fleetcharge.db.read_only`).
        conn = psycopg.connect(dsn, autocommit=True)

        def call() -> None:
            with conn.cursor() as cur:
                load_json_as_bytes(cur)  # as `fetch_all` reads the page
                for statement, parameters in statements:
                    cur.execute(statement, parameters)
                    if cur.description:  # a liveness ping returns nothing
                        cur.fetchall()

        return call

    return make


def http_worker(port: int, path: str, header: str) -> Callable[[], Callable[[], None]]:
    # http.client keeps the load generator itself cheap, so the comparison measures the
    # server, not a heavyweight client competing with it for the same two cores.
    def make() -> Callable[[], None]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

        def call() -> None:
            connection.request("GET", path, headers={"Authorization": header})
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status} {body[:200]!r}")

        return call

    return make


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL URL")
    parser.add_argument("--sessions", type=int, default=2_000_000)
    parser.add_argument("--requests", type=int, default=400, help="per scenario and side")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--rounds", type=int, default=3, help="alternating API/SQL rounds")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="per load run")
    parser.add_argument("--endpoint", choices=sorted(VIEWS), default="usage")
    args = parser.parse_args()
    view = VIEWS[args.endpoint]

    url = normalise_url(args.database_url)
    ensure_database(url, args.sessions)
    engine = make_engine(url)
    with Session(engine) as db:
        per_org: dict[int, int] = dict(
            db.execute(
                select(view.owner, func.count()).where(view.owner.is_not(None)).group_by(view.owner)
            ).all()
        )
        biggest = max(per_org, key=per_org.__getitem__)
        smallest = min(per_org, key=per_org.__getitem__)
        organisation = db.get(Organisation, biggest)
        assert organisation is not None
        organisation_name = organisation.name
        secret = issue_token(db, organisation).secret
        last_stop = db.scalar(
            select(func.max(ChargeSession.stop_local_date)).where(view.owner == biggest)
        )
        assert last_stop is not None
        db.commit()
    total_sessions = sum(per_org.values())
    print(
        f"{total_sessions:,} sessions on /{args.endpoint}; largest organisation "
        f"{organisation_name!r} holds {per_org[biggest]:,}; smallest {per_org[smallest]:,}"
    )
    header = f"Bearer {secret}"
    month_end = date(last_stop.year, last_stop.month, 1) - timedelta(days=1)
    month_start = month_end.replace(day=1)
    # Page 10,000, or the last page of an organisation holding fewer sessions.
    deep_page = min(10_000, (per_org[biggest] + 99) // 100)
    deep_name = f"page {deep_page:,}"
    scenarios = {
        "page 1": {"page": "1"},
        deep_name: {"page": str(deep_page)},
        "one month": {"date_from": month_start.isoformat(), "date_to": month_end.isoformat()},
    }

    port = free_port()
    # Thousands of calls with one token: the published rate limits would refuse most of them.
    env = {
        **os.environ,
        "FLEETCHARGE_DATABASE_URL": url,
        "FLEETCHARGE_RATE_LIMITS_ENABLED": "false",
        "FLEETCHARGE_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "fleetcharge.web.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(f"{base}/api/fleets/v1/openapi.json", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        results: dict[str, tuple[list[Stats], list[Stats], int]] = {}
        for name, query in scenarios.items():
            # The second request's: its pooled connection was just used, as on a busy
            # server, so the pool does not ping it first (`fleetcharge.db.IDLE_BEFORE_PING`).
            capture_statements(engine, header, query, args.endpoint)
            statements = capture_statements(engine, header, query, args.endpoint)
            path = f"/api/fleets/v1/{args.endpoint}?" + "&".join(
                f"{k}={v}" for k, v in query.items()
            )
            api_runs: list[Stats] = []
            sql_runs: list[Stats] = []
            # Alternate the two sides so drift in the machine's speed hits both alike.
            for _ in range(args.rounds):
                sql_runs.append(
                    run_load(
                        sql_worker(dsn, statements),
                        args.concurrency,
                        args.requests,
                        args.max_seconds,
                        server.pid,
                    )
                )
                api_runs.append(
                    run_load(
                        http_worker(port, path, header),
                        args.concurrency,
                        args.requests,
                        args.max_seconds,
                        server.pid,
                    )
                )
            results[name] = (api_runs, sql_runs, len(statements))
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"\n/{args.endpoint} at {args.concurrency} concurrent connections; {args.rounds} "
        f"alternating rounds of {args.requests} requests per side (server: {args.workers} workers)"
    )
    print(
        f"{'scenario':<13}{'stmts':>6}{'API req/s':>11}{'SQL req/s':>11}{'ratio':>7}"
        f"{'(min-max)':>12}{'API p50':>9}{'API p99':>9}{'SQL p50':>9}{'SQL p99':>9}  (ms)"
    )
    summary = {}
    for name, (api_runs, sql_runs, n) in results.items():
        ratios = sorted(
            a.throughput / q.throughput for a, q in zip(api_runs, sql_runs, strict=True)
        )
        api, sql = pooled(api_runs), pooled(sql_runs)
        summary[name] = (statistics.median(ratios), api)
        print(
            f"{name:<13}{n:>6}{statistics.median(r.throughput for r in api_runs):>11.1f}"
            f"{statistics.median(r.throughput for r in sql_runs):>11.1f}"
            f"{statistics.median(ratios):>7.2f}{f'({ratios[0]:.2f}-{ratios[-1]:.2f})':>12}"
            f"{api.percentile(50):>9.2f}{api.percentile(99):>9.2f}"
            f"{sql.percentile(50):>9.2f}{sql.percentile(99):>9.2f}"
        )
    print("\nCPU per request (us), pooled over the rounds:")
    print(
        f"{'scenario':<13}{'API: server':>12}{'postgres':>10}{'client':>8}"
        f"{'SQL: postgres':>15}{'client':>8}"
    )
    for name, (api_runs, sql_runs, _) in results.items():
        api, sql = pooled(api_runs), pooled(sql_runs)
        print(
            f"{name:<13}{api.cpu_us('server'):>12.0f}{api.cpu_us('postgres'):>10.0f}"
            f"{api.cpu_us('client'):>8.0f}{sql.cpu_us('postgres'):>15.0f}"
            f"{sql.cpu_us('client'):>8.0f}"
        )
    print(
        "\npage-1 throughput / SQL-only ceiling (median of paired rounds): "
        f"{summary['page 1'][0]:.2f}  (target >= 0.85)"
    )
    page1, deep = summary["page 1"][1], summary[deep_name][1]
    print(
        f"{deep_name} p50 latency / page-1 p50 latency: "
        f"{deep.percentile(50) / page1.percentile(50):.2f}  (target <= 2)"
    )

    params = parse_list_params(None)
    for label, org_id in (("largest", biggest), ("smallest", smallest)):
        timings = []
        with Session(engine) as db:
            for _ in range(200):
                started = time.perf_counter()
                sum(n for _, n in sessions_per_utc_day(db, view, org_id, params))
                timings.append((time.perf_counter() - started) * 1000)
        print(
            f"total_entries for the {label} organisation ({per_org[org_id]:,} sessions): "
            f"median {statistics.median(timings):.2f} ms  (target <= 2 ms)"
        )
    engine.dispose()


if __name__ == "__main__":
    main()
