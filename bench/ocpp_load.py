"""Benchmark: the OCPP central system under load, over real WebSockets on loopback.

(a) Connections: one server process holds --stations stations (10,000) that boot and then send
    Heartbeats; prints the server's resident memory before and after, per station (target
    <= 30 KiB), and the Heartbeat round trip.
(b) MeterValues: --meter-stations stations, each with an open transaction, send MeterValues as
    fast as the answers come back for --meter-seconds; every sampled value is persisted. The
    same clients against a bare WebSocket echo server (websockets library), in alternating rounds
    of the same run, give the ceiling. Prints msgs/s of both, their ratio (target >= 0.25),
    the round trip p50/p99 (target p99 <= 50 ms) and the CPU time per message of the server
    and of PostgreSQL. The server runs as deployed, `serve --workers N` (--workers, default
    2: one per core of the machine this was written on); part (a) is always one process.

    .venv/bin/python bench/ocpp_load.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/fc_bench_ocpp \\
        [--stations 10000] [--clients 4] [--heartbeat 30] [--hold 40] \\
        [--meter-stations 64] [--meter-seconds 15] [--rounds 2] [--workers 2] [--skip-connections]

The load comes from separate client processes (asyncio + websockets). The database is created
(dropped first if it exists) and dropped at the end unless --keep-database. Everything runs on
127.0.0.1, each phase is bounded in time, and every process started is stopped at the end.
"""

import argparse
import json
import os
import resource
import select
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx

# bench/ is on the path when this runs as a script.
from ocpp_clients import STATION_PASSWORD, MeterJob, ScaleJob, free_port
from process_cpu import cpu_seconds, postgres_cpu_seconds
from sqlalchemy import create_engine, func, insert, text
from sqlalchemy import select as sql_select
from sqlalchemy.engine import make_url

from fleetcharge.db import make_engine, normalise_url, unit_of_work
from fleetcharge.migrate import upgrade
from fleetcharge.models import (
    Card,
    Location,
    OcppMeterValue,
    Organisation,
    Station,
)
from fleetcharge.network.password_hashing import hash_password

KIB_TARGET = 30
RATIO_TARGET = 0.25
P99_TARGET_MS = 50
SERVER_START_TIMEOUT_S = 60
CONNECT_TIMEOUT_S = 600
FD_MARGIN = 1000  # descriptors beyond one per station: database, logs, the listening socket
IDENTITY = "BENCH-{:06d}"
CLIENTS = Path(__file__).parent / "ocpp_clients.py"
T = TypeVar("T")


@dataclass
class Percentiles:
    samples: list[float] = field(default_factory=list)

    def at(self, p: float) -> float:
        ordered = sorted(self.samples)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def raise_fd_limit(needed: int) -> int:
    """Raise the soft limit on open files to the hard limit; children inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise SystemExit(f"ulimit -n allows {hard} open files; {needed} are needed")
    return int(resource.getrlimit(resource.RLIMIT_NOFILE)[0])


def create_database(url: str, stations: int, cards: int) -> None:
    """A fresh database with one site holding `stations` stations, and `cards` cards."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    engine = make_engine(url)
    upgrade(engine)
    with unit_of_work(engine) as db:
        host = Organisation(name="Bench host")
        db.add(host)
        db.flush()
        location = Location(
            host_organisation_id=host.id,
            name="Bench site",
            address="1 Loopback Road",
            timezone="Australia/Sydney",
        )
        db.add(location)
        db.flush()
        # Stations log in as deployed (one generated password for all: one hash to compute).
        password_hash = hash_password(STATION_PASSWORD, generated=True)
        db.execute(
            insert(Station),
            [
                {
                    "location_id": location.id,
                    "evse_id": IDENTITY.format(n),
                    "name": f"Bench {n}",
                    "ocpp_identity": IDENTITY.format(n),
                    "password_hash": password_hash,
                }
                for n in range(1, stations + 1)
            ],
        )
        if cards:
            db.execute(insert(Card), [{"id_tag": f"BENCH{n:06d}"} for n in range(1, cards + 1)])
    engine.dispose()


def drop_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def running_server(url: str, port: int, heartbeat_s: int, workers: int = 1) -> Iterator[int]:
    """`fleetcharge serve --workers N` on 127.0.0.1:port; yields its pid (with several
    workers, that of the process that supervises them)."""
    env = {
        **os.environ,
        "FLEETCHARGE_DATABASE_URL": url,
        "FLEETCHARGE_OCPP_HEARTBEAT_INTERVAL": str(heartbeat_s),
        "FLEETCHARGE_LOG_LEVEL": "WARNING",
        "FLEETCHARGE_LOG_FORMAT": "text",
        # Every load generator connects from 127.0.0.1, up to 100 handshakes at once each.
        "FLEETCHARGE_OCPP_MAX_HANDSHAKES_PER_ADDRESS": "1000",
    }
    command = [
        sys.executable,
        "-c",
        "from fleetcharge.cli.main import app; app()",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    server = subprocess.Popen(command, env=env)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            if server.poll() is not None:
                raise SystemExit(f"the server exited with status {server.returncode}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start in time")
            time.sleep(0.2)
        yield server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def split(items: list[T], parts: int) -> list[list[T]]:
    return [items[i::parts] for i in range(parts) if items[i::parts]]


class Client:
    """One load generator process (bench/ocpp_clients.py), talking in JSON lines."""

    def __init__(self, mode: str, *args: str, job: Any = None) -> None:
        self.mode = mode
        self.process = subprocess.Popen(
            [sys.executable, str(CLIENTS), mode, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if job is not None:
            self.send(json.dumps(asdict(job)))

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def receive(self, timeout_s: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout_s)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.stop()
            raise SystemExit(f"a {self.mode} client said nothing in {timeout_s:g} s")
        document: dict[str, Any] = json.loads(line)
        return document

    def results(self, timeout_s: float) -> dict[str, Any]:
        path = Path(self.receive(timeout_s)["results"])
        document: dict[str, Any] = json.loads(path.read_text())
        path.unlink()
        return document

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def results_file() -> str:
    handle, path = tempfile.mkstemp(prefix="ocpp-load-", suffix=".json")
    os.close(handle)
    return path


@contextmanager
def clients(mode: str, jobs: list[Any]) -> Iterator[list[Client]]:
    started = [Client(mode, job=job) for job in jobs]
    try:
        yield started
    finally:
        for client in started:
            client.stop()


def hold_stations(
    url: str, identities: list[str], processes: int, heartbeat_s: int, hold_s: float
) -> tuple[float, dict[str, Any]]:
    """Connect and boot every station from `processes` clients, keep them heartbeating for
    `hold_s`, then disconnect: (seconds until all were connected, merged results)."""
    jobs = [
        ScaleJob(url, part, heartbeat_s, results_file()) for part in split(identities, processes)
    ]
    with clients("scale", jobs) as running:
        connect_s = max(client.receive(CONNECT_TIMEOUT_S)["seconds"] for client in running)
        time.sleep(hold_s)
        for client in running:
            client.send("stop")
        results = [client.results(120) for client in running]
    merged = {
        "boot_ms": [ms for r in results for ms in r["boot_ms"]],
        "rtt_ms": [ms for r in results for ms in r["rtt_ms"]],
        "errors": sum(r["errors"] for r in results),
        "count": sum(r["count"] for r in results),
    }
    return connect_s, merged


@dataclass
class Round:
    msgs_per_s: float
    rtts: Percentiles
    errors: int
    server_cpu_us: float  # per message, in the timed window
    postgres_cpu_us: float


def pump_meter_values(
    url: str, identities: list[str], tags: list[str], processes: int, seconds: float, server: int
) -> Round:
    """One timed round, with the CPU time the server (pid) and PostgreSQL spent in it."""
    start_at = time.time() + 2 + 0.05 * len(identities)  # after every station has connected
    parts = split(list(zip(identities, tags, strict=True)), processes)
    jobs = [
        MeterJob(url, [i for i, _ in part], [t for _, t in part], start_at, seconds, results_file())
        for part in parts
    ]
    cpu: list[tuple[float, float]] = []

    def sample_window() -> None:
        for moment in (start_at, start_at + seconds):
            time.sleep(max(0.0, moment - time.time()))
            cpu.append((cpu_seconds(server), postgres_cpu_seconds()))

    sampler = threading.Thread(target=sample_window)
    sampler.start()
    with clients("meter", jobs) as running:
        results = [client.results(start_at - time.time() + seconds + 60) for client in running]
    sampler.join()
    rtts = Percentiles([ms for r in results for ms in r["rtt_ms"]])
    count = max(1, sum(r["count"] for r in results))
    (server_before, pg_before), (server_after, pg_after) = cpu
    return Round(
        count / seconds,
        rtts,
        sum(r["errors"] for r in results),
        (server_after - server_before) / count * 1e6,
        (pg_after - pg_before) / count * 1e6,
    )


@contextmanager
def echo_server() -> Iterator[tuple[str, int]]:
    """A bare websockets echo server in a process of its own: its OCPP URL and pid."""
    port = free_port()
    server = Client("echo", str(port))
    try:
        server.receive(30)
        yield f"ws://127.0.0.1:{port}/ocpp", server.process.pid
    finally:
        server.stop()


def load_line() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} cores"


def connections_benchmark(args: argparse.Namespace, url: str, port: int, pid: int) -> None:
    ws = f"ws://127.0.0.1:{port}/ocpp"
    warm = [IDENTITY.format(n) for n in range(1, 101)]
    hold_stations(ws, warm, 1, args.heartbeat, 1.0)  # pools, threads and caches warm
    time.sleep(2)
    before = rss_kib(pid)
    identities = [IDENTITY.format(n) for n in range(1, args.stations + 1)]
    print(f"\n(a) {args.stations:,} stations from {args.clients} client processes; {load_line()}")
    connect_s, results = hold_stations(ws, identities, args.clients, args.heartbeat, args.hold)
    after = rss_kib(pid)
    per_station = (after - before) / args.stations
    boots, beats = Percentiles(results["boot_ms"]), Percentiles(results["rtt_ms"])
    print(
        f"connected and booted {results['count']:,} stations in {connect_s:.1f} s "
        f"({results['count'] / connect_s:,.0f}/s); BootNotification p50 {boots.at(50):.1f} ms, "
        f"p99 {boots.at(99):.1f} ms"
    )
    print(
        f"held {args.hold:g} s with a Heartbeat every {args.heartbeat} s: "
        f"{len(beats.samples):,} Heartbeats, p50 {beats.at(50):.1f} ms, p99 {beats.at(99):.1f} ms, "
        f"{results['errors']} errors"
    )
    print(
        f"server RSS {before / 1024:,.1f} MiB before, {after / 1024:,.1f} MiB with every station "
        f"connected: {per_station:.1f} KiB per station (target <= {KIB_TARGET})"
    )


def throughput_benchmark(args: argparse.Namespace, url: str, port: int, pid: int) -> None:
    count = args.meter_stations
    identities = [IDENTITY.format(n) for n in range(args.stations + 1, args.stations + count + 1)]
    tags = [f"BENCH{n:06d}" for n in range(1, count + 1)]
    ours_url = f"ws://127.0.0.1:{port}/ocpp"
    engine = make_engine(url)
    print(
        f"\n(b) {count} stations, each sending MeterValues (4 sampled values) as fast as "
        f"answered, {args.rounds} alternating rounds of {args.meter_seconds:g} s; server "
        f"workers: {args.workers}; {load_line()}"
    )
    ours: list[Round] = []
    echo: list[Round] = []
    with echo_server() as (echo_url, echo_pid):
        for _ in range(args.rounds):
            echo.append(
                pump_meter_values(
                    echo_url, identities, tags, args.clients, args.meter_seconds, echo_pid
                )
            )
            with engine.connect() as conn:
                stored = conn.scalar(sql_select(func.count()).select_from(OcppMeterValue))
            ours.append(
                pump_meter_values(ours_url, identities, tags, args.clients, args.meter_seconds, pid)
            )
            with engine.connect() as conn:
                stored_after = conn.scalar(sql_select(func.count()).select_from(OcppMeterValue))
            print(
                f"  round: echo {echo[-1].msgs_per_s:,.0f} msgs/s, ours "
                f"{ours[-1].msgs_per_s:,.0f} msgs/s "
                f"({(stored_after or 0) - (stored or 0):,} sampled values stored)"
            )
    engine.dispose()
    ratios = [o.msgs_per_s / e.msgs_per_s for o, e in zip(ours, echo, strict=True)]
    ours_rtt = Percentiles([ms for r in ours for ms in r.rtts.samples])
    echo_rtt = Percentiles([ms for r in echo for ms in r.rtts.samples])
    print(
        f"echo server: {statistics.median(r.msgs_per_s for r in echo):,.0f} msgs/s, "
        f"round trip p50 {echo_rtt.at(50):.2f} ms, p99 {echo_rtt.at(99):.2f} ms; CPU per "
        f"message {statistics.median(r.server_cpu_us for r in echo):.0f} us"
    )
    print(
        f"fleetcharge: {statistics.median(r.msgs_per_s for r in ours):,.0f} msgs/s persisted, "
        f"round trip p50 {ours_rtt.at(50):.2f} ms, p99 {ours_rtt.at(99):.2f} ms "
        f"(target <= {P99_TARGET_MS}), {sum(r.errors for r in ours)} CallErrors; CPU per "
        f"message {statistics.median(r.server_cpu_us for r in ours):.0f} us in the server, "
        f"{statistics.median(r.postgres_cpu_us for r in ours):.0f} us in PostgreSQL"
    )
    print(
        f"throughput / echo (median of paired rounds): {statistics.median(ratios):.2f} "
        f"(rounds {', '.join(f'{r:.2f}' for r in ratios)}; target >= {RATIO_TARGET})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/fc_bench_ocpp",
        help="a PostgreSQL database to create and drop",
    )
    parser.add_argument("--stations", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=4, help="load generator processes")
    parser.add_argument("--heartbeat", type=int, default=30, help="Heartbeat interval (s)")
    parser.add_argument("--hold", type=float, default=40, help="seconds all stations stay")
    parser.add_argument("--meter-stations", type=int, default=64)
    parser.add_argument("--meter-seconds", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--workers", type=int, default=2, help="server worker processes in part (b)"
    )
    parser.add_argument("--skip-connections", action="store_true", help="no part (a)")
    parser.add_argument("--skip-meter-values", action="store_true", help="no part (b)")
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()

    limit = raise_fd_limit(args.stations + FD_MARGIN)
    url = normalise_url(args.database_url)
    print(f"open files allowed: {limit:,}; {load_line()}")
    print(
        f"creating {make_url(url).database} with {args.stations + args.meter_stations:,} stations"
    )
    create_database(url, args.stations + args.meter_stations, args.meter_stations)
    try:
        if not args.skip_connections:
            port = free_port()
            with running_server(url, port, args.heartbeat) as pid:
                connections_benchmark(args, url, port, pid)
        if not args.skip_meter_values:
            port = free_port()
            with running_server(url, port, args.heartbeat, args.workers) as pid:
                throughput_benchmark(args, url, port, pid)
    finally:
        if not args.keep_database:
            drop_database(url)
    print(f"\ndone at {datetime.now(UTC):%H:%M:%S} UTC; {load_line()}")


if __name__ == "__main__":
    main()
