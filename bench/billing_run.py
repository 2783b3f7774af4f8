"""Benchmark: one monthly billing run, `fleetcharge billing run` then `billing approve`,
over 1,000,000 sessions on PostgreSQL.

    .venv/bin/python bench/billing_run.py \
        --database-url postgresql://postgres@127.0.0.1:5432/fc_bench_billing [--sessions 1000000]

The database is created and loaded with 2,000,000 demo sessions when it holds fewer (about
5 minutes); the demo invoices every completed month as it loads. Each round then works on
a copy (CREATE DATABASE ... TEMPLATE, dropped afterwards) in which the latest months'
documents, and the links of the most recent sessions before them, are deleted until
exactly --sessions completed sessions are unbilled, as if those months had never been
run; VACUUM and CHECKPOINT follow, untimed. Timed: the two CLI commands as an operator
runs them, each a process of its own, billing the latest completed month: its own
sessions and, as prior-period lines, the older ones unbilled. It prints the time of each
command, the sessions billed and sessions per second, and checks that no session is
linked twice per kind and that the new numbers are gapless.
"""

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from demo_database import ensure_database
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from fleetcharge.db import make_engine, normalise_url
from fleetcharge.migrate import upgrade

DEMO_SESSIONS = 2_000_000
FLEETCHARGE = Path(sys.executable).with_name("fleetcharge")


@dataclass(frozen=True)
class Round:
    draft_s: float
    approve_s: float
    sessions: int
    links: int

    @property
    def total_s(self) -> float:
        return self.draft_s + self.approve_s


def unbill(connection: Connection, sessions: int) -> str:
    """Delete documents from the latest month back, then the links of the most recent
    sessions of the month before, until `sessions` sessions are unbilled; returns the
    latest month, YYYY-MM, for the run. The numbers of the deleted documents are
    given back."""
    months = [
        row[0]
        for row in connection.execute(
            text("SELECT DISTINCT period_start FROM invoices ORDER BY 1 DESC")
        )
    ]
    billed_since = text(
        "SELECT count(DISTINCT s.session_id) FROM invoice_sessions s"
        " JOIN invoices i ON i.id = s.invoice_id WHERE i.period_start >= :month"
    )
    whole = [m for m in months if connection.scalar(billed_since, {"month": m}) <= sessions]
    if not whole or len(whole) == len(months):
        raise SystemExit(f"cannot unbill exactly {sessions:,} sessions from {len(months)} months")
    oldest, previous = whole[-1], months[len(whole)]
    remaining = sessions - connection.scalar(billed_since, {"month": oldest})
    connection.execute(
        text(
            "CREATE TEMP TABLE unbilled AS SELECT session_id FROM ("
            " SELECT DISTINCT s.session_id, c.stop_date_time FROM invoice_sessions s"
            " JOIN invoices i ON i.id = s.invoice_id"
            " JOIN charge_sessions c ON c.id = s.session_id"
            " WHERE i.period_start = :previous AND NOT EXISTS ("
            "  SELECT 1 FROM invoice_sessions l JOIN invoices d ON d.id = l.invoice_id"
            "  WHERE l.session_id = s.session_id AND d.period_start >= :oldest)"
            " ORDER BY c.stop_date_time DESC, s.session_id DESC LIMIT :remaining) AS latest"
        ),
        {"previous": previous, "oldest": oldest, "remaining": remaining},
    )
    connection.execute(
        text(
            "DELETE FROM invoice_sessions WHERE session_id IN (SELECT session_id FROM unbilled)"
            " AND invoice_id IN (SELECT id FROM invoices WHERE period_start = :previous)"
        ),
        {"previous": previous},
    )
    documents = "(SELECT id FROM invoices WHERE period_start >= :oldest)"
    for table in ("invoice_payments", "invoice_line_items", "invoice_vehicles", "invoice_sessions"):
        connection.execute(
            text(f"DELETE FROM {table} WHERE invoice_id IN {documents}"), {"oldest": oldest}
        )
    connection.execute(
        text("DELETE FROM invoices WHERE period_start >= :oldest"), {"oldest": oldest}
    )
    # As if the deleted documents had never been numbered.
    connection.execute(
        text(
            "UPDATE invoice_number_counter"
            " SET next_number = (SELECT max(invoice_number) + 1 FROM invoices)"
        )
    )
    return f"{months[0]:%Y-%m}"


def prepare_copy(source: str, copy: str, sessions: int) -> str:
    admin = create_engine(
        make_url(normalise_url(source)).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    source_name = make_url(normalise_url(source)).database
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{copy}"'))
        conn.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{source_name}"'))
    admin.dispose()
    engine = make_engine(copy_url(source, copy))
    with engine.begin() as conn:
        month = unbill(conn, sessions)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
        conn.execute(text("CHECKPOINT"))
    engine.dispose()
    return month


def drop(source: str, copy: str) -> None:
    admin = create_engine(
        make_url(normalise_url(source)).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)'))
    admin.dispose()


def copy_url(source: str, copy: str) -> str:
    return make_url(normalise_url(source)).set(database=copy).render_as_string(False)


def timed_command(*args: str) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [str(FLEETCHARGE), *args], capture_output=True, text=True, env={**os.environ}
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"fleetcharge {' '.join(args)} failed:\n{result.stderr}")
    return elapsed


def run_round(source: str, copy: str, sessions: int) -> Round:
    month = prepare_copy(source, copy, sessions)
    url = copy_url(source, copy)
    draft_s = timed_command("billing", "run", "--period", month, "--database-url", url)
    approve_s = timed_command("billing", "approve", "--database-url", url)
    engine = make_engine(url)
    with engine.connect() as conn:
        new = f"(SELECT id FROM invoices WHERE period_start = '{month}-01')"
        billed, links = conn.execute(
            text(
                "SELECT count(DISTINCT session_id), count(*) FROM invoice_sessions"
                f" WHERE invoice_id IN {new}"
            )
        ).one()
        twice = conn.scalar(
            text(
                "SELECT count(*) FROM (SELECT 1 FROM invoice_sessions WHERE active"
                " GROUP BY session_id, kind HAVING count(*) > 1) AS duplicates"
            )
        )
        low, high, count = conn.execute(
            text("SELECT min(invoice_number), max(invoice_number), count(*) FROM invoices")
        ).one()
    engine.dispose()
    if twice or high - low + 1 != count:
        raise SystemExit(f"broken invariants: {twice} duplicate links, numbers {low}..{high}")
    return Round(draft_s, approve_s, billed, links)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL URL")
    parser.add_argument("--sessions", type=int, default=1_000_000, help="sessions to bill")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()

    ensure_database(args.database_url, DEMO_SESSIONS)
    engine = make_engine(args.database_url)
    upgrade(engine)
    engine.dispose()
    copy = f"{make_url(normalise_url(args.database_url)).database}_run"
    try:
        for number in range(1, args.rounds + 1):
            result = run_round(args.database_url, copy, args.sessions)
            print(
                f"round {number}: billing run {result.draft_s:.1f} s + approve"
                f" {result.approve_s:.1f} s = {result.total_s:.1f} s for {result.sessions:,}"
                f" sessions ({result.links:,} links):"
                f" {result.sessions / result.total_s:,.0f} sessions/s",
                flush=True,
            )
    finally:
        drop(args.database_url, copy)


if __name__ == "__main__":
    main()
