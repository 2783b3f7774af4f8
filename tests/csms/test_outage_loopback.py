"""Issue 21's reproduction, over real sockets: `fleetcharge serve` in a child process, 10
simulated stations charging, and PostgreSQL refusing connections (its backends terminated)
while they start and stop transactions. Every session the stations completed is recorded
exactly once, with its energy, once the database is back; also when the server is killed
with SIGKILL during the outage and started again after it."""

import asyncio
import dataclasses
import os
import signal
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from fleetcharge.csms.journal_file import decode
from fleetcharge.db import unit_of_work
from fleetcharge.models import ChargeSession, OcppTransaction, OcppUnmatchedMessage
from fleetcharge.models.ocpp import Flag
from fleetcharge.simulator.model import SessionOutcome, SessionReport
from fleetcharge.simulator.runner import SimulationConfig, SimulationSummary, simulate
from tests.csms.helpers import eventually
from tests.csms.test_loopback import LoopbackNetwork, build_network, simulation
from tests.outage import DatabaseSwitch, database_switch
from tests.servers import free_port, server_on

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]

STATIONS = 10
OUTAGE_S = 60.0  # the figure
SPEED = 400  # a session (charge, 25 minutes parked, the next car) takes 7 to 11 s
SERVER_ENV = {"FLEETCHARGE_RATE_LIMITS_ENABLED": "false", "FLEETCHARGE_LOG_LEVEL": "WARNING"}


def stations_charging(network: LoopbackNetwork, url: str, sessions: int) -> SimulationConfig:
    """Each station with a card of its own, so that it knows the card when Authorize fails
    (its authorization cache)."""
    config = simulation(network, url, stations=STATIONS, sessions=sessions, speed=SPEED)
    return dataclasses.replace(
        config, id_tags=network.id_tags[:STATIONS], timeout_s=None, reconnect_s=60
    )


def server_env(journal: Path) -> dict[str, str]:
    return {**SERVER_ENV, "FLEETCHARGE_OCPP_JOURNAL_DIR": str(journal)}


def check_recorded_once(engine: Engine, reports: list[SessionReport]) -> list[OcppTransaction]:
    """One stopped transaction and one session per completed report, with the energy the
    station metered; nothing else, nothing unmatched, nothing left open."""
    assert reports and all(r.outcome is SessionOutcome.COMPLETED for r in reports)
    answered = [r.transaction_id for r in reports if r.transaction_id is not None]
    with unit_of_work(engine) as db:
        transactions = {tx.id: tx for tx in db.scalars(select(OcppTransaction))}
        assert sorted(transactions) == sorted(answered) and len(answered) == len(reports)
        sessions = {s.id: s for s in db.scalars(select(ChargeSession))}
        assert len(sessions) == len(reports)
        for report, transaction_id in zip(reports, answered, strict=True):
            tx = transactions[transaction_id]
            assert tx.state == "stopped" and tx.session_id in sessions
            assert (tx.meter_start_wh, tx.meter_stop_wh) == (report.meter_start, report.meter_stop)
            assert (tx.started_at, tx.stopped_at) == (report.started_at, report.stopped_at)
            assert tx.id_tag == report.id_tag and tx.id_tag_status == "Accepted"
            session = sessions[tx.session_id]
            assert session.consumption_kwh == Decimal(report.energy_wh) / 1000
            assert session.payer_organisation_id is not None
        assert db.scalar(select(func.count()).select_from(OcppUnmatchedMessage)) == 0
        db.expunge_all()
    return list(transactions.values())


def all_stopped(engine: Engine, count: int) -> bool:
    with unit_of_work(engine) as db:
        stopped = select(func.count()).where(OcppTransaction.state == "stopped")
        return db.scalar(stopped) == count


async def outage(database: DatabaseSwitch, seconds: float) -> tuple[datetime, datetime]:
    began = datetime.now(UTC)
    await asyncio.to_thread(database.refuse)
    try:
        await asyncio.sleep(seconds)
    finally:
        await asyncio.to_thread(database.accept)
    return began, datetime.now(UTC)


def test_no_session_lost_to_a_minute_long_outage(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    network = build_network(engine, STATIONS)

    async def scenario(
        url: str, database: DatabaseSwitch
    ) -> tuple[SimulationSummary, tuple[datetime, datetime]]:
        charging = asyncio.create_task(simulate(stations_charging(network, url, sessions=10)))
        await asyncio.sleep(6)  # every station has charged once: its card is in its cache
        window = await outage(database, OUTAGE_S)
        return await asyncio.wait_for(charging, 90), window

    port = free_port()
    with (
        database_switch(database_url) as database,
        server_on(port, database_url, server_env(tmp_path)),
    ):
        summary, (began, ended) = asyncio.run(scenario(f"ws://127.0.0.1:{port}/ocpp", database))
        reports = summary.reports
        eventually(lambda: all_stopped(engine, len(reports)), timeout=30)

    transactions = check_recorded_once(engine, reports)
    assert summary.call_errors > 0  # StatusNotification and Authorize failed meanwhile
    assert summary.totals.transaction_retries == 0  # no transaction message did
    # Transactions started and stopped during the outage, answered from the journal.
    kept = [tx for tx in transactions if Flag.APPLIED_AFTER_OUTAGE in tx.flags]
    assert any(began < tx.received_at < ended for tx in kept)
    assert any(tx.stop_received_at and began < tx.stop_received_at < ended for tx in transactions)
    assert any(tx.received_at > ended for tx in transactions)  # and after it, as before
    assert not list(tmp_path.glob("journal-*.log"))


def test_a_server_killed_during_the_outage_loses_nothing_it_answered(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    network = build_network(engine, STATIONS)
    port = free_port()
    url = f"ws://127.0.0.1:{port}/ocpp"
    env = server_env(tmp_path)
    journal = tmp_path / "journal-0.log"

    async def kill_during_outage(database: DatabaseSwitch) -> asyncio.Task[SimulationSummary]:
        charging = asyncio.create_task(simulate(stations_charging(network, url, sessions=4)))
        await asyncio.sleep(5)
        await asyncio.to_thread(database.refuse)
        for _ in range(100):  # until StartTransactions were answered from the journal
            await asyncio.sleep(0.2)
            if journal.exists() and len(kept_transactions(journal)) >= 2:
                break
        return charging

    with database_switch(database_url) as database:
        # The stations' loop runs only while the test waits on it: they are paused while
        # the server is killed and started again, then find their connections gone.
        loop = asyncio.new_event_loop()
        try:
            with server_on(port, database_url, env) as first:
                charging = loop.run_until_complete(kill_during_outage(database))
                answered = kept_transactions(journal)
                assert len(answered) >= 2
                os.kill(first.process.pid, signal.SIGKILL)
                first.process.wait(10)
            time.sleep(1)
            database.accept()
            with server_on(port, database_url, env):  # applies the journal before serving
                assert not journal.exists()
                summary = loop.run_until_complete(asyncio.wait_for(charging, 90))
                eventually(lambda: all_stopped(engine, len(summary.reports)), timeout=30)
        finally:
            loop.close()

    transactions = {tx.id: tx for tx in check_recorded_once(engine, summary.reports)}
    for transaction_id in answered:
        assert Flag.APPLIED_AFTER_OUTAGE in transactions[transaction_id].flags


def kept_transactions(journal: Path) -> list[int]:
    """The transactionIds StartTransactions were answered with from the journal."""
    lines = [decode(line) for line in journal.read_bytes().splitlines(keepends=True)[1:]]
    return [
        message["transaction_id"]
        for line in lines
        if line is not None
        for message in line["messages"]
        if message["start"] is not None
    ]
