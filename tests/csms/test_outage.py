"""Transaction messages during a database outage (PostgreSQL refusing connections, its
backends terminated): answered as usual once kept in the outage journal, applied when the
database is back; other messages fail as before. While the database is up, no journal."""

import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.testclient import TestClient

from fleetcharge.csms.journal import TransactionJournal
from fleetcharge.db import unit_of_work
from fleetcharge.models import ChargeSession, OcppTransaction
from fleetcharge.models.ocpp import Flag
from tests.csms.conftest import NOW, Network
from tests.csms.helpers import FakeClock, Station, connected, eventually, iso
from tests.outage import database_switch


def journal_of(app: FastAPI) -> TransactionJournal:
    journal: TransactionJournal = app.state.central_system.config.journal
    return journal


def charge(cp: Station, id_tag: str, start_wh: int, at_minute: int) -> int:
    """A 30-minute charge of 12 kWh from `at_minute`; its transactionId."""
    t = NOW + timedelta(minutes=at_minute)
    started = cp.start(id_tag, start_wh, t)
    assert started["idTagInfo"] == {"status": "Accepted"}
    transaction_id = int(started["transactionId"])
    minute = timedelta(minutes=1)
    assert cp.meter(start_wh + 6000, t + 15 * minute, transaction_id=transaction_id) == {}
    stopped = cp.stop(transaction_id, start_wh + 12_000, t + 30 * minute, idTag=id_tag)
    assert stopped == {"idTagInfo": {"status": "Accepted"}}
    return transaction_id


def metric(client: TestClient, name: str) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not exported")


def test_no_journal_while_the_database_is_up(
    make_app: Callable[..., FastAPI], network: Network, clock: FakeClock, tmp_path: Path
) -> None:
    directory = tmp_path / "journal"
    app = make_app(ocpp_journal_dir=str(directory))
    with TestClient(app) as client, connected(client, network.identity, clock) as cp:
        charge(cp, network.id_tag, 1_000_000, 0)
        assert not journal_of(app).journaling
    assert [p.name for p in directory.iterdir()] == ["journal-0.lock"]  # no journal written


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_transaction_messages_answered_during_an_outage_are_applied_once_it_ends(
    make_app: Callable[..., FastAPI],
    engine: Engine,
    database_url: str,
    network: Network,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    app = make_app(ocpp_journal_dir=str(tmp_path), ocpp_outage_transaction_ids="10")
    journal = journal_of(app)
    with (
        database_switch(database_url) as database,
        TestClient(app) as client,
        connected(client, network.identity, clock) as cp,
    ):
        eventually(lambda: len(journal.ids) == 10, timeout=10)  # reserved in the background
        assert cp.call("Authorize", {"idTag": network.id_tag})[2] == {
            "idTagInfo": {"status": "Accepted"}
        }
        before = charge(cp, network.id_tag, 1_000_000, 0)

        database.refuse()
        during = charge(cp, network.id_tag, 1_012_000, 60)
        again = charge(cp, network.id_tag, 1_024_000, 120)
        assert journal.journaling and journal.depth == 6
        assert metric(client, "fleetcharge_ocpp_journal_entries") == 6
        assert len(list(tmp_path.glob("journal-*.log"))) == 1
        # Other messages fail as they always did; the station retries them or falls back.
        for action, payload in [
            ("Authorize", {"idTag": network.id_tag}),
            (
                "StatusNotification",
                {"connectorId": 1, "errorCode": "NoError", "status": "Available"},
            ),
        ]:
            answer = cp.call(action, payload)
            assert answer[0] == 4 and answer[2] == "InternalError", answer
        assert cp.call("Heartbeat", {})[0] == 3

        database.accept()
        eventually(lambda: not journal.journaling, timeout=20)
        assert journal.depth == 0 and not list(tmp_path.glob("journal-*.log"))
        assert metric(client, "fleetcharge_ocpp_journal_entries") == 0
        after = charge(cp, network.id_tag, 1_036_000, 180)  # straight to the database again
        assert not list(tmp_path.glob("journal-*.log"))

    ids = [before, during, again, after]
    assert len(set(ids)) == 4
    with unit_of_work(engine) as db:
        for transaction_id in ids:
            tx = db.get(OcppTransaction, transaction_id)
            assert tx is not None and tx.state == "stopped", transaction_id
            session = db.get(ChargeSession, tx.session_id)
            assert session is not None and session.consumption_kwh == Decimal("12.000")
            kept = transaction_id in (during, again)
            assert (Flag.APPLIED_AFTER_OUTAGE in tx.flags) is kept
            assert tx.id_tag_status == "Accepted"


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_stations_other_messages_wait_for_its_journal_to_be_applied(
    make_app: Callable[..., FastAPI],
    database_url: str,
    network: Network,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    """Started before the outage, stopped during it: until the stop is applied the database
    says the card is in a transaction (ConcurrentTx), which no Authorize may hear."""
    app = make_app(ocpp_journal_dir=str(tmp_path), ocpp_authorize_limit="off")
    authorize = ("Authorize", {"idTag": network.id_tag})
    with (
        database_switch(database_url) as database,
        TestClient(app) as client,
        connected(client, network.identity, clock) as cp,
    ):
        started = cp.start(network.id_tag, 0, NOW)["transactionId"]
        database.refuse()
        assert cp.stop(started, 9000, NOW + timedelta(minutes=30), idTag=network.id_tag)
        database.accept()
        answers = [cp.call(*authorize)]
        deadline = time.monotonic() + 15
        while answers[-1][0] != 3 and time.monotonic() < deadline:
            time.sleep(0.05)
            answers.append(cp.call(*authorize))
        assert answers[-1][2] == {"idTagInfo": {"status": "Accepted"}}
        assert all(a[2] == "InternalError" for a in answers[:-1]), answers  # until then


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("journal", ["one reserved id", "unusable directory"])
def test_without_a_reserved_id_or_a_journal_messages_fail_as_before(
    make_app: Callable[..., FastAPI],
    database_url: str,
    network: Network,
    clock: FakeClock,
    tmp_path: Path,
    journal: str,
) -> None:
    if journal == "one reserved id":
        settings = {"ocpp_journal_dir": str(tmp_path), "ocpp_outage_transaction_ids": "1"}
        starts_kept = 1
    else:
        (tmp_path / "file").write_text("")
        settings, starts_kept = {"ocpp_journal_dir": str(tmp_path / "file")}, 0
    app = make_app(**settings)
    with (
        database_switch(database_url) as database,
        TestClient(app) as client,
        connected(client, network.identity, clock) as cp,
    ):
        eventually(lambda: len(journal_of(app).ids) == starts_kept, timeout=10)
        database.refuse()
        answers = [cp.call("StartTransaction", start(network, n)) for n in range(2)]
    assert [a[0] for a in answers] == [3] * starts_kept + [4] * (2 - starts_kept)
    for answer in answers[starts_kept:]:
        assert answer[2:] == [
            "InternalError",
            "An internal error occurred and the receiver was not able to process the "
            "requested Action successfully",
            {"cause": "the database is unavailable"},
        ]


def start(network: Network, minute: int) -> dict[str, object]:
    return {
        "connectorId": 1,
        "idTag": network.id_tag,
        "meterStart": minute * 1000,
        "timestamp": iso(NOW + timedelta(minutes=minute)),
    }
