"""Applying the outage journal: in order, each entry exactly once whenever the process
applying it stops, nothing while the database is away, and an entry the database refuses
set aside instead of retried for ever."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from fleetcharge.csms import journal_replay, service
from fleetcharge.csms.clock import ClockPolicy, StationTime
from fleetcharge.csms.journal_file import REJECTED, JournalFile, claim, decode
from fleetcharge.csms.journal_replay import MESSAGES, replay
from fleetcharge.csms.schemas import (
    KeptMessage,
    MeterValuesRequest,
    StartRequest,
    StationRef,
    StopRequest,
)
from fleetcharge.csms.transaction_ids import ReservedIds
from fleetcharge.db import DATABASE_UNAVAILABLE, make_engine, unit_of_work
from fleetcharge.models import ChargeSession, OcppJournalProgress, OcppMeterValue, OcppTransaction
from fleetcharge.models.ocpp import Flag
from tests.csms.conftest import NOW, Network
from tests.csms.test_meter_writer import reading

POLICY = ClockPolicy()
DATABASE = "test"


def at(minutes: int) -> StationTime:
    moment = NOW + timedelta(minutes=minutes)
    return StationTime(moment, moment)


def kept_session(station: StationRef, id_tag: str, transaction_id: int) -> list[KeptMessage]:
    """A 40-minute charge of 15 kWh, as its three messages were kept."""
    received = NOW + timedelta(minutes=40)
    return [
        KeptMessage(
            station,
            NOW,
            start=StartRequest(1, id_tag, 1_000_000, at(0)),
            transaction_id=transaction_id,
        ),
        KeptMessage(
            station,
            NOW + timedelta(minutes=20),
            meter_values=MeterValuesRequest(1, (reading(1_008_000, at(20).used),), transaction_id),
        ),
        KeptMessage(
            station,
            received,
            stop=StopRequest(transaction_id, 1_015_000, at(40), id_tag, "EVDisconnected"),
        ),
    ]


def journal_of(directory: Path, messages: list[KeptMessage]) -> JournalFile:
    journal, _ = claim(directory, DATABASE)
    journal.append([MESSAGES.dump_python(m, mode="json") for m in messages])
    return journal


def reopened(directory: Path, journal: JournalFile) -> JournalFile:
    """The journal as a process started after this one stopped finds it."""
    journal.release()
    own, _ = claim(directory, DATABASE)
    return own


def reserved_id(engine: Engine) -> int:
    ids = ReservedIds(engine, 4)
    ids.refill()
    taken = ids.take()
    assert taken is not None
    return taken


def counts(engine: Engine) -> tuple[int, int, int]:
    with unit_of_work(engine) as db:
        return (
            db.scalar(select(func.count()).select_from(OcppTransaction)) or 0,
            db.scalar(select(func.count()).select_from(OcppMeterValue)) or 0,
            db.scalar(select(func.count()).select_from(ChargeSession)) or 0,
        )


def station_of(network: Network) -> StationRef:
    return StationRef(network.station_id, network.identity, "Australia/Sydney")


def test_kept_messages_become_one_session_applied_exactly_once(
    engine: Engine, network: Network, tmp_path: Path
) -> None:
    transaction_id = reserved_id(engine)
    journal = journal_of(
        tmp_path, kept_session(station_of(network), network.id_tag, transaction_id)
    )
    assert replay(engine, journal, POLICY) == 3
    with unit_of_work(engine) as db:
        tx = db.get(OcppTransaction, transaction_id)
        assert tx is not None and tx.state == "stopped" and tx.meter_stop_wh == 1_015_000
        assert Flag.APPLIED_AFTER_OUTAGE in tx.flags
        session = db.get(ChargeSession, tx.session_id)
        assert session is not None and session.consumption_kwh == Decimal("15.000")
        progress = db.get(OcppJournalProgress, journal.id)
        assert progress is not None and progress.applied_through == 3
    assert counts(engine) == (1, 1, 1)

    # The process stopped before removing the file: the next one applies nothing again.
    again = reopened(tmp_path, journal)
    assert again.unapplied == 3
    assert replay(engine, again, POLICY) == 0
    assert counts(engine) == (1, 1, 1)
    assert again.remove_if_applied() and not again.path.exists()


def test_nothing_is_applied_while_the_database_is_away(
    engine: Engine, database_url: str, network: Network, tmp_path: Path
) -> None:
    transaction_id = reserved_id(engine)
    journal = journal_of(
        tmp_path, kept_session(station_of(network), network.id_tag, transaction_id)
    )
    url = make_url(database_url)
    away = make_engine(
        str(url.set(port=1))
        if url.get_backend_name() == "postgresql"
        else f"sqlite:///{tmp_path}/missing/nothing.db"
    )
    with pytest.raises(DATABASE_UNAVAILABLE):
        replay(away, journal, POLICY)
    away.dispose()
    assert counts(engine) == (0, 0, 0) and journal.unapplied == 3
    assert replay(engine, journal, POLICY) == 3
    assert counts(engine) == (1, 1, 1)


def test_an_entry_the_database_refuses_is_set_aside_not_retried(
    engine: Engine, network: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_such_station = StationRef(network.station_id + 1000, "GONE", "Australia/Sydney")
    poison = KeptMessage(
        no_such_station,
        NOW,
        start=StartRequest(1, "X", 0, at(0)),
        transaction_id=reserved_id(engine),
    )
    good = kept_session(station_of(network), network.id_tag, reserved_id(engine))
    journal = journal_of(tmp_path, [good[0], poison, *good[1:]])
    tries = 0
    apply = service.apply_kept

    def counting(*args: object) -> None:
        nonlocal tries
        tries += 1
        apply(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "apply_kept", counting)
    assert replay(engine, journal, POLICY) == 4
    assert counts(engine) == (1, 1, 1)  # the others, in order, around it
    record = decode((tmp_path / REJECTED).read_bytes())
    assert record is not None and record["n"] == 2 and "IntegrityError" in record["reason"]
    assert MESSAGES.validate_python(record["message"]) == poison
    assert journal.remove_if_applied()

    tried = tries
    assert replay(engine, reopened(tmp_path, journal), POLICY) == 0  # not tried again
    assert tries == tried


def test_a_start_stored_before_takes_the_id_its_station_was_answered_with(
    engine: Engine, network: Network, tmp_path: Path
) -> None:
    """Stored, its answer lost, sent again during the outage and answered another id."""
    station = station_of(network)
    start, meter, stop = kept_session(station, network.id_tag, reserved_id(engine))
    assert start.start is not None
    with unit_of_work(engine) as db:
        first = service.start_transaction(db, station, start.start, NOW, POLICY)
        service.meter_values(db, station, MeterValuesRequest(1, (reading(1_001_000, NOW),)), NOW)
    assert first.transaction_id != start.transaction_id
    replay(engine, journal_of(tmp_path, [start, meter, stop]), POLICY)
    with unit_of_work(engine) as db:
        assert db.get(OcppTransaction, first.transaction_id) is None
        tx = db.get(OcppTransaction, start.transaction_id)
        assert tx is not None and tx.state == "stopped" and tx.session_id is not None
        readings = db.scalars(select(OcppMeterValue.transaction_id)).all()
        assert readings == [start.transaction_id] * 2


def test_batches_are_applied_whole(
    engine: Engine, network: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_replay, "BATCH", 2)
    journal = journal_of(
        tmp_path, kept_session(station_of(network), network.id_tag, reserved_id(engine))
    )
    assert replay(engine, journal, POLICY) == 3
    with unit_of_work(engine) as db:
        progress = db.get(OcppJournalProgress, journal.id)
        assert progress is not None and progress.applied_through == 3
