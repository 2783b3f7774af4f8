"""A session's end and parking come only from times the station reported: a status without
a timestamp received after a gap in the connection moves neither (issue 16 item 7, found
when a third-party simulator's sessions of 260 s were billed with the outage as parking)."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from starlette.testclient import TestClient

from fleetcharge.csms import service
from fleetcharge.csms.clock import ClockPolicy, StationTime
from fleetcharge.csms.schemas import (
    KeptMessage,
    StartRequest,
    StationRef,
    StatusReport,
    StopRequest,
)
from fleetcharge.db import unit_of_work
from fleetcharge.models import ChargeSession, OcppTransaction, Organisation
from tests import factories as f
from tests.csms.conftest import NOW, Network
from tests.csms.helpers import FakeClock, connected, iso

SESSIONS = 10
REPORTED_S = 260


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def untimed(status: str, connector: int) -> dict[str, Any]:
    return {"connectorId": connector, "errorCode": "NoError", "status": status}


def session_of(engine: Engine, transaction_id: int) -> tuple[ChargeSession, list[str]]:
    with unit_of_work(engine) as db:
        tx = db.get(OcppTransaction, transaction_id)
        assert tx is not None and tx.session_id is not None
        session = db.get(ChargeSession, tx.session_id)
        assert session is not None
        return session, tx.flags


def test_sessions_stopped_during_an_outage_are_billed_as_reported_without_the_outage_as_parking(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    tags = tuple(f"OUTAGE-{n}" for n in range(1, SESSIONS + 1))
    with unit_of_work(engine) as db:
        payer = db.get(Organisation, network.payer_id)
        assert payer is not None
        f.vehicle(db, f.fleet(db, payer), id_tags=tags)
    started: dict[int, int] = {}
    with connected(client, network.identity, clock) as cp:
        for n, tag in enumerate(tags, start=1):
            cp.status("Charging", at(n), connector=n)
            started[n] = cp.start(tag, 0, at(n), connector=n)["transactionId"]
    # The server is away; every session stops offline 260 s after its start, and the station
    # reconnects 14.5 minutes later (within the clock skew allowance), replaying its queue.
    reconnect = at(REPORTED_S + 60 * 14.5)
    clock.at = reconnect
    with connected(client, network.identity, clock) as cp:
        for n, tag in enumerate(tags, start=1):
            received = reconnect + timedelta(seconds=n)
            if n % 2:  # some send a status before the stop too
                finishing = cp.call("StatusNotification", untimed("Finishing", n), at=received)
                assert finishing[0::2] == [3, {}]
            stop = {
                "transactionId": started[n],
                "meterStop": 2000,
                "timestamp": iso(at(n + REPORTED_S)),
                "idTag": tag,
                "reason": "Local",
            }
            assert cp.call("StopTransaction", stop, at=received)[2] == {
                "idTagInfo": {"status": "Accepted"}
            }
            available = cp.call("StatusNotification", untimed("Available", n), at=received)
            assert available[0::2] == [3, {}]
    for n in range(1, SESSIONS + 1):
        session, flags = session_of(engine, started[n])
        assert (session.start_date_time, session.stop_date_time) == (at(n), at(n + REPORTED_S))
        assert (session.total_time_s, session.total_parking_time_s) == (REPORTED_S, 0)
        assert (session.consumption_kwh, session.cost_to_driver) == (
            Decimal("2.000"),
            Decimal("0.80"),
        )
        assert flags == []


def test_an_available_without_timestamp_on_the_connection_open_since_the_stop_is_parking(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    """The station was connected all along: the Available happened when it came."""
    with connected(client, network.identity, clock) as cp:
        tx = cp.start(network.id_tag, 0, at(0))["transactionId"]
        cp.stop(tx, 10_000, at(30 * 60), reason="Local")
        assert cp.call("StatusNotification", untimed("Available", 1), at=at(55 * 60)) == [
            3,
            "3",
            {},
        ]
    session, _ = session_of(engine, tx)
    assert (session.stop_date_time, session.total_parking_time_s) == (at(55 * 60), 25 * 60)
    assert session.cost_to_driver == Decimal("7.00")  # $4 energy, 15 of 25 minutes parked


def test_an_idle_status_without_timestamp_after_a_reconnect_moves_no_parking_inside_a_session(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    """Reconnected mid-session: a SuspendedEV without a timestamp may have begun any time
    while the station was away; only the station's own times (and its meter) tell."""
    with connected(client, network.identity, clock) as cp:
        tx = cp.start(network.id_tag, 0, at(0))["transactionId"]
        cp.status("Charging", at(0))
        cp.meter(8000, at(20 * 60), transaction_id=tx)
    clock.at = at(40 * 60)
    with connected(client, network.identity, clock) as cp:
        cp.call("StatusNotification", untimed("SuspendedEV", 1), at=at(40 * 60))
        cp.call("StatusNotification", untimed("Charging", 1), at=at(70 * 60))
        cp.stop(tx, 10_000, at(80 * 60), reason="Local")
    session, _ = session_of(engine, tx)
    # The meter rose from 20 to 80 minutes: charging all along, no parking.
    assert (session.total_time_s, session.total_parking_time_s) == (80 * 60, 0)
    assert session.cost_to_driver == Decimal("4.00")


def test_after_a_stop_kept_through_a_database_outage_only_a_timed_available_is_parking(
    engine: Engine, network: Network
) -> None:
    """The station stayed connected, but its statuses failed while the database was away:
    one without a timestamp received afterwards may have happened any time during it."""
    station = StationRef(network.station_id, network.identity, "Australia/Sydney")
    connected_at = at(-3600)
    policy = ClockPolicy()
    ids = []
    for n, available in enumerate((None, at(55 * 60 + 2 * 3600))):
        begin = at(n * 2 * 3600)
        with unit_of_work(engine) as db:
            start = StartRequest(1, network.id_tag, 0, StationTime(begin, begin))
            ids.append(service.start_transaction(db, station, start, begin, policy).transaction_id)
        stop_at = begin + timedelta(minutes=30)
        stop = StopRequest(ids[-1], 10_000, StationTime(stop_at, stop_at), None, "Local")
        with unit_of_work(engine) as db:
            service.apply_kept(db, KeptMessage(station, stop_at, stop=stop), policy)
        report = StatusReport(
            1,
            "Available",
            "NoError",
            StationTime(available, available) if available is not None else None,
        )
        received = begin + timedelta(minutes=55)
        with unit_of_work(engine) as db:
            service.status_notification(db, station, report, received, policy, connected_at)
    (untimed_session, untimed_flags), (timed_session, timed_flags) = (
        session_of(engine, i) for i in ids
    )
    assert (untimed_session.total_parking_time_s, untimed_session.cost_to_driver) == (
        0,
        Decimal("4.00"),
    )
    assert untimed_flags == ["applied_after_outage"]
    assert (timed_session.total_parking_time_s, timed_session.cost_to_driver) == (
        25 * 60,
        Decimal("7.00"),
    )
    assert timed_flags == ["applied_after_outage", "parked_until_available"]
