"""Benchmark: one page of 100 vehicles of the admin API, at page 1 and at the last page,
for an organisation of 100,000 vehicles among 500,000 on PostgreSQL.

    .venv/bin/python bench/admin_vehicle_list.py \
        [--database-url postgresql://postgres@127.0.0.1:5432/fc_bench_admin_list] \
        [--vehicles 100000] [--others 4] [--requests 200]

The database is created anew (dropped first if it exists) and loaded with SQL: the
organisation's vehicles interleaved with as many of each of `--others` organisations (so
its rows are spread over the whole table, as a network grows), each with one card. One
`fleetcharge serve` process on a free loopback port answers; the requests come one at a
time over one keep-alive connection, as a client paging a list makes them. Printed: p50,
p99 and the mean of page 1 and of the last page (reached by following `pagination.next`
from its cursor as the server issues it), the same statements replayed alone, and what
counting the organisation's vehicles would cost in place of the count the triggers keep.
The database is dropped at the end unless --keep-database.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from scratch_database import scratch_database
from sqlalchemy import Engine, select, text

from fleetcharge.accounts.service import create_account
from fleetcharge.db import unit_of_work
from fleetcharge.kit.cursors import encode_cursor
from fleetcharge.models import Organisation
from fleetcharge.permissions import Actor

FLEETCHARGE = Path(sys.executable).with_name("fleetcharge")
PAGE = 100


def load(engine: Engine, vehicles: int, others: int) -> None:
    """Organisations 1 (measured) to 1 + others, a fleet each, vehicles interleaved."""
    organisations = others + 1
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organisations (uuid, name, billing_timezone, vehicle_fee,"
                " station_subscription_fee, network_fee_per_kwh, created_at, version)"
                " SELECT gen_random_uuid(), 'Org ' || n, 'Australia/Sydney', 0, 0, 0, now(), 1"
                " FROM generate_series(1, :n) n"
            ),
            {"n": organisations},
        )
        conn.execute(
            text(
                "INSERT INTO fleets (uuid, organisation_id, name, created_at, version)"
                " SELECT gen_random_uuid(), id, 'Fleet', now(), 1 FROM organisations"
            )
        )
        conn.execute(
            text(
                "INSERT INTO vehicles (uuid, fleet_id, organisation_id, vin,"
                " registration_number, effective_from, created_at, version)"
                " SELECT gen_random_uuid(), f.id, f.organisation_id,"
                " 'B' || lpad(to_hex(n), 16, '0'), 'R' || n, DATE '2025-01-01', now(), 1"
                " FROM generate_series(0, :total - 1) n"
                " JOIN fleets f ON f.organisation_id = (SELECT min(id) FROM organisations)"
                "   + n % :orgs"
                " ORDER BY n"
            ),
            {"total": vehicles * organisations, "orgs": organisations},
        )
        conn.execute(
            text(
                "INSERT INTO cards (uuid, id_tag, vehicle_id, status, created_at, version)"
                " SELECT gen_random_uuid(), 'T' || id, id, 'active', now(), 1 FROM vehicles"
            )
        )
    # As autovacuum leaves a table that has settled: statistics, and a visibility map that
    # lets counts read the index alone.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE) vehicles, cards, fleets, organisations"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def timed(client: httpx.Client, url: str, headers: dict[str, str], n: int) -> list[float]:
    figures = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        figures.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
        assert len(response.json()["data"]) == PAGE
    return figures


def sql_alone(engine: Engine, organisation_id: int, after: int, n: int) -> list[float]:
    """The statements a page runs, replayed: the kept count, the rows left (up to a page
    and one), the page with its fleets and organisations, its cards."""
    statements = (
        "SELECT coalesce(sum(vehicles), 0) FROM vehicle_counts WHERE organisation_id = :org",
        "SELECT count(*) FROM (SELECT id FROM vehicles WHERE organisation_id = :org"
        " AND id > :after LIMIT 101) AS ahead",
        "SELECT v.*, f.uuid, f.name, o.uuid, o.name, o.billing_timezone FROM vehicles v"
        " JOIN fleets f ON f.id = v.fleet_id JOIN organisations o ON o.id = v.organisation_id"
        " WHERE v.organisation_id = :org AND v.id > :after ORDER BY v.id LIMIT 100",
        "SELECT vehicle_id, id_tag FROM cards WHERE vehicle_id IN (SELECT id FROM vehicles"
        " WHERE organisation_id = :org AND id > :after ORDER BY id LIMIT 100) ORDER BY id",
    )
    figures = []
    with engine.connect() as conn:
        for _ in range(n):
            started = time.perf_counter()
            for statement in statements:
                conn.execute(text(statement), {"org": organisation_id, "after": after}).all()
            figures.append((time.perf_counter() - started) * 1000)
    return figures


def counted(engine: Engine, organisation_id: int, n: int) -> list[float]:
    """What counting the organisation's vehicles would cost instead of the kept count."""
    figures = []
    with engine.connect() as conn:
        for _ in range(n):
            started = time.perf_counter()
            conn.execute(
                text("SELECT count(*) FROM vehicles WHERE organisation_id = :org"),
                {"org": organisation_id},
            ).all()
            figures.append((time.perf_counter() - started) * 1000)
    return figures


def line(name: str, figures: list[float]) -> str:
    ordered = sorted(figures)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"{name:<28} p50 {statistics.median(figures):6.1f} ms   p99 {p99:6.1f} ms"
        f"   mean {statistics.fmean(figures):6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/fc_bench_admin_list"
    )
    parser.add_argument("--vehicles", type=int, default=100_000)
    parser.add_argument("--others", type=int, default=4)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()

    with scratch_database(args.database_url, args.keep_database) as engine:
        measure(engine, args)


def measure(engine: Engine, args: argparse.Namespace) -> None:
    server = None
    try:
        started = time.perf_counter()
        load(engine, args.vehicles, args.others)
        print(
            f"loaded {args.vehicles * (args.others + 1):,} vehicles in "
            f"{time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        with unit_of_work(engine) as db:
            organisation = db.scalars(select(Organisation).order_by(Organisation.id)).first()
            assert organisation is not None
            org_uuid, org_id = str(organisation.uuid), organisation.id
            token = create_account(db, Actor.command_line(), "bench", "admin").secret
        with engine.connect() as conn:
            ids = conn.scalars(
                text(
                    "SELECT id FROM vehicles WHERE organisation_id = :org ORDER BY id DESC LIMIT :n"
                ),
                {"org": org_id, "n": PAGE + 1},
            ).all()
        last_after = ids[-1]  # the cursor `next` holds for the last page

        port = free_port()
        env = {
            **os.environ,
            "FLEETCHARGE_DATABASE_URL": args.database_url,
            "FLEETCHARGE_RATE_LIMITS_ENABLED": "false",
        }
        server = subprocess.Popen(
            [str(FLEETCHARGE), "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not start within 60 s")
                time.sleep(0.2)
            headers = {"Authorization": f"Bearer {token}"}
            path = f"/api/admin/v1/vehicles?organisation_uuid={org_uuid}&limit={PAGE}"
            last = f"{path}&cursor={encode_cursor(last_after)}"
            body = client.get(last, headers=headers).json()
            assert body["pagination"]["total_entries"] == args.vehicles, body["pagination"]
            assert "next" not in body["pagination"], "the last page offers a next page"
            timed(client, path, headers, 20)  # warm up
            first_page = timed(client, path, headers, args.requests)
            last_page = timed(client, last, headers, args.requests)
        print(
            f"admin API /vehicles, {PAGE} of {args.vehicles:,} vehicles of one "
            f"organisation among {args.vehicles * (args.others + 1):,}, "
            f"{args.requests} requests each"
        )
        print(line("page 1 (HTTP)", first_page))
        print(line("last page (HTTP)", last_page))
        print(line("page 1 (SQL alone)", sql_alone(engine, org_id, 0, args.requests)))
        print(line("last page (SQL alone)", sql_alone(engine, org_id, last_after, args.requests)))
        print(line("count(*) instead (SQL)", counted(engine, org_id, args.requests)))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
