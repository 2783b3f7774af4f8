"""Parking after the transaction: the car stays plugged in until the connector reports
Available, and that time is priced as parking (10 minutes' grace, then $12/h)."""

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from fleetcharge.db import unit_of_work
from fleetcharge.models import ChargeSession, OcppTransaction, SessionDayCount
from tests.api.helpers import get_page, records
from tests.csms.conftest import NOW, Network
from tests.csms.helpers import FakeClock, connected


def at(minutes: float) -> datetime:
    return NOW + timedelta(minutes=minutes)


def session_and_flags(engine: Engine, transaction_id: int) -> tuple[ChargeSession, list[str]]:
    with unit_of_work(engine) as db:
        tx = db.get(OcppTransaction, transaction_id)
        assert tx is not None and tx.session_id is not None
        session = db.get(ChargeSession, tx.session_id)
        assert session is not None
        return session, tx.flags


def test_idle_time_after_the_stop_until_available_is_parking(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with connected(client, network.identity, clock) as cp:
        # Stopped with the card at 30; unplugged (Available) at 55: 25 min parked, 15 billed.
        parked = cp.start(network.id_tag, 0, at(0))["transactionId"]
        cp.status("Charging", at(0))
        cp.stop(parked, 10_000, at(30), reason="Local")
        cp.status("Finishing", at(30))
        before, _ = session_and_flags(engine, parked)
        assert (before.stop_date_time, before.cost_to_driver) == (at(30), Decimal("4.00"))
        cp.status("Available", at(55))
        cp.status("Available", at(56))  # repeated: changes nothing

        # Unplugged first (EVDisconnected): the car left at the stop.
        left = cp.start(network.id_tag, 10_000, at(60))["transactionId"]
        cp.stop(left, 20_000, at(90), reason="EVDisconnected")
        cp.status("Available", at(120))

        # A stop replayed long after the fact says nothing about when the car left.
        replayed = cp.start(network.id_tag, 20_000, at(130))["transactionId"]
        cp.stop(replayed, 30_000, at(160), sent=at(200))
        cp.status("Available", at(201))

    session, flags = session_and_flags(engine, parked)
    assert (session.uuid, session.start_date_time) == (before.uuid, at(0))
    assert session.stop_date_time == at(55)
    assert (session.total_time_s, session.total_parking_time_s) == (55 * 60, 25 * 60)
    assert (session.consumption_kwh, session.cost_to_driver) == (Decimal("10.000"), Decimal("7.00"))
    assert flags == ["parked_until_available"]
    for unchanged in (left, replayed):
        other, flags = session_and_flags(engine, unchanged)
        assert other.total_parking_time_s == 0 and "parked_until_available" not in flags

    (usage, *_) = records(get_page(client, "usage", network.payer_token), "usage")
    assert (usage["uuid"], usage["stop_date_time"], usage["cost_to_driver"]) == (
        str(session.uuid),
        "2025-03-04T10:55:00+11:00",
        7,
    )
    assert [p["amount"] for p in usage["charging_periods"]] == [4, 3]
    with unit_of_work(engine) as db:
        per_view = select(SessionDayCount.view, func.sum(SessionDayCount.sessions)).group_by(
            SessionDayCount.view
        )
        assert sorted(tuple(row) for row in db.execute(per_view)) == [("sessions", 3), ("usage", 3)]
