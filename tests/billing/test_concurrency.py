"""Two billing runs, then two approvals, at the same time in two processes on PostgreSQL:
one set of documents, numbered without gaps. Each pair is held at the lock it contends
for until both processes wait on it, then released together."""

import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select, text

from fleetcharge.db import unit_of_work
from fleetcharge.models import Invoice, InvoiceSession
from tests import factories as f

SYDNEY = ZoneInfo("Australia/Sydney")
ORGANISATIONS = 4


def build(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        for n in range(ORGANISATIONS):
            org = f.organisation(db, f"Org {n}")
            vehicle = f.vehicle(db, f.fleet(db, org))
            site = f.site(db, org)
            for day in range(1, 6):
                stop = datetime(2024, 6, day, 12, tzinfo=SYDNEY)
                f.charge(db, site, f.driver(db, vehicle), stop)
                f.charge(db, site, f.driver(db, None), stop)


def start(database_url: str, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", "from fleetcharge.cli.main import app; app()"]
    return subprocess.Popen(
        [*command, *args, "--database-url", database_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def race(engine: Engine, database_url: str, hold: str, *args: str) -> None:
    """Run the command twice at once, both released from `hold` together."""
    waiting_on_locks = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock'"
    )
    with engine.connect() as holder, engine.connect() as watcher:
        holder.execute(text(hold))
        processes = [start(database_url, *args) for _ in range(2)]
        deadline = time.monotonic() + 60
        waiting = 0
        while waiting < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
            waiting = watcher.execute(waiting_on_locks).scalar_one()
            watcher.rollback()  # activity statistics are a snapshot per transaction
        holder.rollback()
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert waiting == 2, outputs
    assert [process.returncode for process in processes] == [0, 0], outputs


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_concurrent_runs_and_approvals(engine: Engine, database_url: str) -> None:
    build(engine)

    first_organisation = "SELECT id FROM organisations ORDER BY id LIMIT 1 FOR NO KEY UPDATE"
    race(engine, database_url, first_organisation, "billing", "run", "--period", "2024-06")
    counter = "SELECT next_number FROM invoice_number_counter FOR UPDATE"
    race(engine, database_url, counter, "billing", "approve")

    with unit_of_work(engine) as db:
        invoices = db.scalars(select(Invoice).order_by(Invoice.invoice_number)).all()
        links = Counter(db.execute(select(InvoiceSession.session_id, InvoiceSession.kind)))
    documents = Counter((i.organisation_id, i.kind, i.period_start) for i in invoices)
    assert len(documents) == 3 * ORGANISATIONS and set(documents.values()) == {1}
    assert [i.invoice_number for i in invoices] == list(range(10000001, 10000013))
    assert {i.status for i in invoices} == {"approved"}
    assert set(links.values()) == {1}
    assert len(links) == ORGANISATIONS * 5 * (1 + 2)  # fleet links for own, host for all
