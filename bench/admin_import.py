"""Benchmark: `fleetcharge import vehicles` of 10,000 vehicles with 12,000 cards into
PostgreSQL, then the same file again (everything unchanged).

    .venv/bin/python bench/admin_import.py \
        [--database-url postgresql://postgres@127.0.0.1:5432/fc_bench_import] [--vehicles 10000]

The database is created afresh (dropped first if it exists) and dropped at the end
(`--keep-database` keeps it). Timed: the import service as the CLI and the API run it,
from the file's bytes to the commit, validation included; the process's start is not.
Printed: seconds for the first load and for the re-import, rows written, and the
counts the import reports.
"""

import argparse
import time

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from fleetcharge.accounts.permissions import Actor
from fleetcharge.db import make_engine, normalise_url, unit_of_work
from fleetcharge.imports.summary import Summary
from fleetcharge.imports.vehicles import import_vehicles
from fleetcharge.migrate import upgrade
from fleetcharge.models import AuditEvent, Card, CardAssignment, Organisation, Vehicle

TARGET_S = 10.0


def vehicles_file(count: int) -> bytes:
    """`count` vehicles in 20 fleets, every fifth with a second card: 1.2 cards each."""
    lines = ["vin,registration_number,fleet,contract_number,effective_from,cards"]
    for n in range(count):
        cards = f"C{n:07d}" + (f";D{n:07d}" if n % 5 == 0 else "")
        lines.append(f"1FCVH{n:012d},R{n:06d},Fleet {n % 20},K-{n},2025-01-01,{cards}")
    return ("\r\n".join(lines) + "\r\n").encode()


def timed_import(engine: Engine, organisation_id: int, data: bytes) -> tuple[float, Summary]:
    started = time.perf_counter()
    with unit_of_work(engine) as db:
        organisation = db.get(Organisation, organisation_id)
        assert organisation is not None
        summary = import_vehicles(db, Actor.command_line(), organisation, data)
    return time.perf_counter() - started, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/fc_bench_import"
    )
    parser.add_argument("--vehicles", type=int, default=10_000)
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()

    target = make_url(normalise_url(args.database_url))
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    engine = make_engine(args.database_url)
    try:
        upgrade(engine)
        with unit_of_work(engine) as db:
            organisation = Organisation(name="Bench Fleets")
            db.add(organisation)
            db.flush()
            organisation_id = organisation.id
        data = vehicles_file(args.vehicles)
        first_s, first = timed_import(engine, organisation_id, data)
        with engine.connect() as connection:
            rows = {
                model.__tablename__: connection.scalar(select(func.count()).select_from(model))
                for model in (Vehicle, Card, CardAssignment, AuditEvent)
            }
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))  # as autovacuum would have, untimed
        again_s, again = timed_import(engine, organisation_id, data)
    finally:
        engine.dispose()
        if not args.keep_database:
            with admin.connect() as connection:
                connection.execute(
                    text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
                )
        admin.dispose()

    cards = first["cards"].created
    print(f"file: {args.vehicles:,} vehicles, {cards:,} cards, {len(data) / 2**20:.1f} MiB")
    verdict = "ok" if first_s <= TARGET_S else "SLOWER than"
    print(f"first import:  {first_s:6.2f} s  ({verdict} the {TARGET_S:.0f} s target)")
    print(f"  reported: {first.view()}")
    print("  rows: " + ", ".join(f"{name} {count:,}" for name, count in rows.items()))
    print(f"re-import:     {again_s:6.2f} s  (all unchanged, nothing written)")
    print(f"  reported: {again.view()}")


if __name__ == "__main__":
    main()
