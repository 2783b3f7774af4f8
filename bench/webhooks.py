"""Benchmark: webhook delivery to a receiver on loopback.

(a) Throughput: 10,000 `session.completed` events already in the outbox, spread over
--subscriptions subscriptions (one organisation each), sent by one `fleetcharge webhooks
worker`: events delivered per second.
(b) Latency at a sustained rate: events committed one per transaction at --rate per second
for --seconds, as sessions completing would; commit-to-delivery latency p50 / p99 (target
p99 <= 1 s at 200 events/s), with the worker's default settings (poll every 0.2 s).

    .venv/bin/python bench/webhooks.py [--database-url postgresql://postgres@127.0.0.1:5432/fc_bench_webhooks]
        [--events 10000] [--subscriptions 10] [--rate 200] [--seconds 30]

The database is a scratch one (created, migrated, dropped). Bounded: each phase gives up
after --max-seconds.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from scratch_database import scratch_database
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from fleetcharge.models import Organisation
from fleetcharge.settings import get_settings
from fleetcharge.webhooks import event_types as types
from fleetcharge.webhooks.outbox import Event, emit_many
from fleetcharge.webhooks.sealing import generate_key
from fleetcharge.webhooks.service import create_subscription

PRODUCERS = 8
# Shaped like /usage's session (what `session.completed` carries).
SESSION = {
    "id": "7c6bd3a6-4c7a-4b6e-9a57-0a4f5d0e2f10",
    "start_date_time": "2026-12-04T09:12:44+11:00",
    "stop_date_time": "2026-12-04T10:03:17+11:00",
    "kwh": 41.25,
    "charging_duration": 3000,
    "cost_to_driver": 18.41,
    "currency": "AUD",
    "vehicle": {"id": "0b7f0d3e-8a0e-4b55-bd2e-64a2a77a5c11", "registration": "ABC123"},
    "location": {"id": "6d2d8c8a-1d7a-4e8b-a7a4-5b8d1f0e9c22", "name": "Depot"},
}


class Arrivals:
    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.requests = 0
        self.lock = threading.Lock()

    def receiver(self) -> ThreadingHTTPServer:
        arrivals = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            wbufsize = 65536
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                now = time.time()
                event_id = json.loads(body)["id"]
                with arrivals.lock:
                    arrivals.requests += 1
                    arrivals.at.setdefault(event_id, now)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    def wait_for(self, ids: set[str], max_seconds: float) -> bool:
        deadline = time.monotonic() + max_seconds
        while time.monotonic() < deadline:
            with self.lock:
                if ids <= self.at.keys():
                    return True
            time.sleep(0.01)
        return False


def organisations(engine: Engine, count: int, url: str) -> list[int]:
    with unit_of_work(engine) as db:
        ids = []
        for n in range(count):
            org = Organisation(name=f"Bench fleet {n}")
            db.add(org)
            db.flush()
            create_subscription(
                db, organisation=org, url=url, event_types=[types.SESSION_COMPLETED]
            )
            ids.append(org.id)
        return ids


def worker(database_url: str) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).parent / "fleetcharge"), "webhooks", "worker"]
    env = {**os.environ, "FLEETCHARGE_DATABASE_URL": database_url}
    return subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/fc_bench_webhooks"
    )
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--subscriptions", type=int, default=10)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    args = parser.parse_args()

    os.environ["FLEETCHARGE_WEBHOOKS_SECRET_KEY"] = generate_key()
    os.environ["FLEETCHARGE_WEBHOOKS_ALLOW_HTTP"] = "true"
    os.environ["FLEETCHARGE_WEBHOOKS_ALLOW_PRIVATE_TARGETS"] = "true"
    get_settings.cache_clear()
    arrivals = Arrivals()
    server = arrivals.receiver()
    url = f"http://127.0.0.1:{server.server_address[1]}/hooks"

    with scratch_database(args.database_url) as engine:
        orgs = organisations(engine, args.subscriptions, url)

        # (a) throughput from a full outbox
        ids: set[str] = set()
        with unit_of_work(engine) as db:
            for start in range(0, args.events, 1000):
                written = emit_many(
                    db,
                    [
                        Event(orgs[n % len(orgs)], types.SESSION_COMPLETED, {**SESSION, "n": n})
                        for n in range(start, min(args.events, start + 1000))
                    ],
                )
                ids |= {str(event.uuid) for event in written}
        process = worker(args.database_url)
        try:
            began = time.monotonic()
            complete = arrivals.wait_for(ids, args.max_seconds)
            took = time.monotonic() - began
            delivered = len(ids & arrivals.at.keys())
            print(
                f"(a) {delivered:,} of {len(ids):,} events to {len(orgs)} subscriptions in "
                f"{took:.1f} s (worker start-up included): {delivered / took:,.0f} delivered/s"
                + ("" if complete else "  [INCOMPLETE]")
            )

            # (b) commit-to-delivery latency at a sustained rate
            committed: dict[str, float] = {}
            total = int(args.rate * args.seconds)
            start_at = time.monotonic()

            def produce(first: int) -> None:
                # Sessions complete in many requests at once: several producers, one event
                # (and one commit) each time, together at --rate.
                for n in range(first, total, PRODUCERS):
                    pause = start_at + n / args.rate - time.monotonic()
                    if pause > 0:
                        time.sleep(pause)
                    with unit_of_work(engine) as db:
                        (event,) = emit_many(
                            db, [Event(orgs[n % len(orgs)], types.SESSION_COMPLETED, SESSION)]
                        )
                    committed[str(event.uuid)] = time.time()

            producers = [threading.Thread(target=produce, args=(i,)) for i in range(PRODUCERS)]
            for thread in producers:
                thread.start()
            for thread in producers:
                thread.join()
            achieved = total / (time.monotonic() - start_at)
            complete = arrivals.wait_for(set(committed), args.max_seconds)
            latencies = [
                (arrivals.at[i] - t) * 1000 for i, t in committed.items() if i in arrivals.at
            ]
            print(
                f"(b) {len(latencies):,} of {total:,} events committed at {achieved:.0f}/s: "
                f"commit-to-delivery p50 {statistics.median(latencies):.0f} ms, "
                f"p99 {percentile(latencies, 0.99):.0f} ms, max {max(latencies):.0f} ms"
                + ("" if complete else "  [INCOMPLETE]")
            )
            print(
                f"requests received: {arrivals.requests:,} (duplicates: "
                f"{arrivals.requests - len(arrivals.at):,})"
            )
        finally:
            process.terminate()
            process.wait(30)
            server.shutdown()


if __name__ == "__main__":
    main()
