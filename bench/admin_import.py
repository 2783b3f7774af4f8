"""Benchmark: `fleetcharge import vehicles` of 10,000 vehicles with 12,000 cards into
PostgreSQL, then the same file again (everything unchanged).

    .venv/bin/python bench/admin_import.py \
        [--database-url postgresql://postgres@127.0.0.1:5432/fc_bench_import] [--vehicles 10000]

The database is created afresh (dropped first if it exists) and dropped at the end
(`--keep-database` keeps it). Timed: the import service as the CLI and the API run it,
from the file's bytes to the commit, validation included; the process's start is not.
Printed: seconds for the first load, for the re-import and for a file changing every
vehicle's plate, the rows written, and the counts the import reports; with each timing,
the CPU time of this process and the machine's load average (on a shared machine the wall
time moves with the load).
"""

import argparse
import os
import time
from dataclasses import dataclass

from scratch_database import scratch_database
from sqlalchemy import Engine, func, select, text

from fleetcharge.db import unit_of_work
from fleetcharge.imports.summary import Summary
from fleetcharge.imports.vehicles import import_vehicles
from fleetcharge.models import AuditEvent, Card, CardAssignment, Organisation, Vehicle
from fleetcharge.permissions import Actor

TARGET_S = 10.0


def vehicles_file(count: int, plate: str = "R") -> bytes:
    """`count` vehicles in 20 fleets, every fifth with a second card: 1.2 cards each."""
    lines = ["vin,registration_number,fleet,contract_number,effective_from,cards"]
    for n in range(count):
        cards = f"C{n:07d}" + (f";D{n:07d}" if n % 5 == 0 else "")
        lines.append(f"1FCVH{n:012d},{plate}{n:06d},Fleet {n % 20},K-{n},2025-01-01,{cards}")
    return ("\r\n".join(lines) + "\r\n").encode()


@dataclass(frozen=True)
class Timed:
    seconds: float
    cpu_seconds: float  # of this process: validation, comparison, the driver's work
    load: float  # the machine's load average (1 minute) just after
    summary: Summary

    def line(self, what: str) -> str:
        return (
            f"{what:<22}{self.seconds:6.2f} s  ({self.cpu_seconds:.2f} s CPU in this process, "
            f"load average {self.load:.1f})"
        )


def timed_import(engine: Engine, organisation_id: int, data: bytes) -> Timed:
    started, cpu = time.perf_counter(), time.process_time()
    with unit_of_work(engine) as db:
        organisation = db.get(Organisation, organisation_id)
        assert organisation is not None
        summary = import_vehicles(db, Actor.command_line(), organisation, data)
    elapsed = time.perf_counter() - started
    return Timed(elapsed, time.process_time() - cpu, os.getloadavg()[0], summary)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/fc_bench_import"
    )
    parser.add_argument("--vehicles", type=int, default=10_000)
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()

    with scratch_database(args.database_url, args.keep_database) as engine:
        with unit_of_work(engine) as db:
            organisation = Organisation(name="Bench Fleets")
            db.add(organisation)
            db.flush()
            organisation_id = organisation.id
        data = vehicles_file(args.vehicles)
        first = timed_import(engine, organisation_id, data)
        with engine.connect() as connection:
            rows = {
                model.__tablename__: connection.scalar(select(func.count()).select_from(model))
                for model in (Vehicle, Card, CardAssignment, AuditEvent)
            }
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))  # as autovacuum would have, untimed
        again = timed_import(engine, organisation_id, data)
        changed = timed_import(engine, organisation_id, vehicles_file(args.vehicles, "P"))

    cards = first.summary["cards"].created
    print(f"file: {args.vehicles:,} vehicles, {cards:,} cards, {len(data) / 2**20:.1f} MiB")
    verdict = "within" if first.seconds <= TARGET_S else "SLOWER than"
    print(first.line("first import") + f", {verdict} the {TARGET_S:.0f} s target")
    print(f"  reported: {first.summary.view()}")
    print("  rows: " + ", ".join(f"{name} {count:,}" for name, count in rows.items()))
    print(again.line("re-import, unchanged"))
    print(f"  reported: {again.summary.view()}")
    print(changed.line("every plate changed"))
    print(f"  reported: {changed.summary.view()}")


if __name__ == "__main__":
    main()
