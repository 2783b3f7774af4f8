"""Transactions that cannot block a card or overcharge (issue 16 item 7), replayed frame by
frame on a fake clock: refused starts are never open, unfinished transactions are settled
by a new start on their connector or their station's boot, and a late StopTransaction still
applies its real end exactly once."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from fleetcharge.db import unit_of_work
from fleetcharge.models import (
    Card,
    ChargeSession,
    OcppTransaction,
    OcppUnmatchedMessage,
    Organisation,
    SessionReview,
)
from tests import factories as f
from tests.admin.helpers import account, ok
from tests.csms.conftest import NOW, Network
from tests.csms.helpers import FakeClock, Station, connected, iso

BOOT = {"chargePointVendor": "Acme", "chargePointModel": "AC22"}
BOOT_ANSWER = {"currentTime": "", "interval": 300, "status": "Accepted"}


def at(minutes: float) -> datetime:
    return NOW + timedelta(minutes=minutes)


def transaction(engine: Engine, transaction_id: int) -> OcppTransaction:
    with unit_of_work(engine) as db:
        tx = db.get(OcppTransaction, transaction_id)
        assert tx is not None
        return tx


def sessions_of(engine: Engine, transaction_id: int) -> list[ChargeSession]:
    with unit_of_work(engine) as db:
        tx = db.get(OcppTransaction, transaction_id)
        assert tx is not None
        if tx.session_id is None:
            return []
        session = db.get(ChargeSession, tx.session_id)
        assert session is not None
        return [session]


def reviews_of(engine: Engine, transaction_id: int) -> list[SessionReview]:
    with unit_of_work(engine) as db:
        query = select(SessionReview).where(SessionReview.transaction_id == transaction_id)
        return list(db.scalars(query))


def count(engine: Engine, model: type) -> int:
    with unit_of_work(engine) as db:
        return db.scalar(select(func.count()).select_from(model)) or 0


def call(cp: Station, action: str, payload: dict[str, Any], received: datetime) -> Any:
    """The whole answer frame to [2, id, action, payload] received at `received`."""
    return cp.call(action, payload, at=received)


def start_frame(id_tag: str, meter_start: int, when: datetime, connector: int = 1) -> Any:
    return {
        "connectorId": connector,
        "idTag": id_tag,
        "meterStart": meter_start,
        "timestamp": iso(when),
    }


def meter_frame(transaction_id: int, wh: int, when: datetime, connector: int = 1) -> Any:
    return {
        "connectorId": connector,
        "transactionId": transaction_id,
        "meterValue": [
            {
                "timestamp": iso(when),
                "sampledValue": [{"value": str(wh), "measurand": "Energy.Active.Import.Register"}],
            }
        ],
    }


def stop_frame(transaction_id: int, meter_stop: int, when: datetime, **extra: Any) -> Any:
    return {
        "transactionId": transaction_id,
        "meterStop": meter_stop,
        "timestamp": iso(when),
        **extra,
    }


def untimed_status(status: str, connector: int = 1) -> Any:
    return {"connectorId": connector, "errorCode": "NoError", "status": status}


def second_card(engine: Engine, network: Network, id_tag: str) -> str:
    """Another card of the paying organisation (on a vehicle of a fleet of its own)."""
    with unit_of_work(engine) as db:
        payer = db.get(Organisation, network.payer_id)
        assert payer is not None
        f.vehicle(db, f.fleet(db, payer), id_tags=(id_tag,))
    return id_tag


def test_a_start_answered_concurrent_tx_is_refused_and_never_blocks_its_card(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    card = network.id_tag
    authorize = {"idTag": card}
    with connected(client, network.identity, clock) as cp:
        accepted = call(cp, "StartTransaction", start_frame(card, 0, at(0)), at(0))
        first = accepted[2]["transactionId"]
        assert accepted == [3, "1", {"idTagInfo": {"status": "Accepted"}, "transactionId": first}]
        refused = call(cp, "StartTransaction", start_frame(card, 100, at(1), connector=2), at(1))
        assert refused == [
            3,
            "2",
            {"idTagInfo": {"status": "ConcurrentTx"}, "transactionId": first + 1},
        ]
        # The station charged anyway (non-compliant): its readings are kept on it.
        assert call(cp, "MeterValues", meter_frame(first + 1, 1100, at(5), 2), at(5)) == [
            3,
            "3",
            {},
        ]
        assert call(cp, "StopTransaction", stop_frame(first, 5000, at(10)), at(10)) == [3, "4", {}]
        # The refused transaction was never open: the card is free again.
        assert call(cp, "Authorize", authorize, at(11)) == [
            3,
            "5",
            {"idTagInfo": {"status": "Accepted"}},
        ]
        assert transaction(engine, first + 1).state == "refused"
        stop = stop_frame(first + 1, 2100, at(11), idTag=card, reason="DeAuthorized")
        assert call(cp, "StopTransaction", stop, at(12)) == [
            3,
            "6",
            {"idTagInfo": {"status": "Accepted"}},
        ]
        assert call(cp, "StopTransaction", stop, at(13))[:2] == [3, "7"]  # repeated
    tx = transaction(engine, first + 1)
    assert (tx.state, tx.id_tag_status, tx.flags) == ("stopped", "ConcurrentTx", ["refused_start"])
    (session,) = sessions_of(engine, first + 1)
    assert (session.consumption_kwh, session.total_time_s) == (Decimal("2.000"), 10 * 60)
    assert session.cost_to_driver == Decimal("0.80")  # 2 kWh at 40c, billed once
    assert count(engine, ChargeSession) == 2


def test_blocked_expired_and_invalid_starts_are_refused_and_billed_only_if_charged(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with unit_of_work(engine) as db:
        f.vehicle(db, f.fleet(db, f.organisation(db)), id_tags=("BLOCKED", "EXPIRED"))
        for card in db.scalars(select(Card).where(Card.id_tag.in_(("BLOCKED", "EXPIRED")))):
            if card.id_tag == "BLOCKED":
                card.status = "blocked"
            else:
                card.expires_at = NOW - timedelta(days=1)
    tags = ("BLOCKED", "EXPIRED", "NOBODY", network.id_tag)
    with connected(client, network.identity, clock) as cp:
        answers = [cp.start(tag, 0, at(0), connector=n) for n, tag in enumerate(tags, start=1)]
        ids = [a["transactionId"] for a in answers]
        states = [transaction(engine, i).state for i in ids]
        # The blocked card's station stopped at once (StopTransactionOnInvalidId); the
        # expired card's charged anyway.
        honoured = stop_frame(ids[0], 0, at(0), idTag="BLOCKED", reason="DeAuthorized")
        assert call(cp, "StopTransaction", honoured, at(1)) == [
            3,
            "5",
            {"idTagInfo": {"status": "Blocked"}},
        ]
        assert call(cp, "StopTransaction", stop_frame(ids[1], 3000, at(30)), at(30)) == [3, "6", {}]
    assert [a["idTagInfo"]["status"] for a in answers] == [
        "Blocked",
        "Expired",
        "Invalid",
        "Accepted",
    ]
    assert states == ["refused", "refused", "refused", "open"]
    honoured_tx = transaction(engine, ids[0])
    assert (honoured_tx.state, honoured_tx.flags) == ("stopped", ["refused_start"])
    assert sessions_of(engine, ids[0]) == []  # nothing delivered, nothing billed
    (charged,) = sessions_of(engine, ids[1])
    assert (charged.consumption_kwh, charged.cost_to_driver) == (Decimal("3.000"), Decimal("1.20"))


def test_a_new_start_on_the_connector_settles_the_older_transaction_and_its_late_stop_applies_once(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    card, other = network.id_tag, second_card(engine, network, "OTHER")
    with connected(client, network.identity, clock) as cp:
        lost = cp.start(card, 0, at(0))["transactionId"]
        assert call(cp, "MeterValues", meter_frame(lost, 5000, at(10)), at(10)) == [3, "2", {}]
        # Its StopTransaction is lost; another car starts on the same connector at 60.
        answer = call(cp, "StartTransaction", start_frame(other, 5000, at(60)), at(60))
        assert answer == [3, "3", {"idTagInfo": {"status": "Accepted"}, "transactionId": lost + 1}]
        # The lost transaction cannot be running: the card is free.
        assert call(cp, "Authorize", {"idTag": card}, at(61)) == [
            3,
            "4",
            {"idTagInfo": {"status": "Accepted"}},
        ]
        settled = transaction(engine, lost)
        assert (settled.state, settled.stopped_at, settled.meter_stop_wh) == (
            "settled",
            at(10),
            5000,
        )
        assert settled.flags == ["held_for_review", "settled_without_stop"]
        (review,) = reviews_of(engine, lost)
        assert (review.state, review.energy_kwh, review.cost_to_driver) == (
            "held",
            Decimal("5.000"),
            Decimal("2.00"),
        )
        assert [r["code"] for r in review.reasons] == ["settled_without_stop"]
        assert sessions_of(engine, lost) == []  # nothing bills it yet

        # The stop comes after all (replayed late): its real end and energy, once.
        late = stop_frame(lost, 6000, at(20), reason="Local")
        assert call(cp, "StopTransaction", late, at(62)) == [3, "5", {}]
        assert call(cp, "StopTransaction", late, at(63)) == [3, "6", {}]
    assert reviews_of(engine, lost) == []  # the provisional review is withdrawn
    tx = transaction(engine, lost)
    assert (tx.state, tx.stopped_at, tx.meter_stop_wh, tx.flags) == (
        "stopped",
        at(20),
        6000,
        ["settled_without_stop"],
    )
    (session,) = sessions_of(engine, lost)
    assert (session.consumption_kwh, session.total_time_s, session.total_parking_time_s) == (
        Decimal("6.000"),
        20 * 60,
        0,
    )
    assert session.cost_to_driver == Decimal("2.40")
    assert count(engine, ChargeSession) == 1
    assert transaction(engine, lost + 1).state == "open"


def test_a_boot_settles_the_stations_transactions_and_a_replayed_stop_after_it_applies_once(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    card = network.id_tag
    with connected(client, network.identity, clock) as cp:
        started = cp.start(card, 0, at(0))["transactionId"]
        cp.status("Charging", at(0))
        cp.meter(3000, at(15), transaction_id=started)
        cp.status("SuspendedEV", at(25))
    clock.at = at(40)  # the station rebooted; it replays its queue after its boot
    with connected(client, network.identity, clock) as cp:
        boot = call(cp, "BootNotification", BOOT, at(40))
        assert boot == [3, "1", {**BOOT_ANSWER, "currentTime": "2025-03-03T23:40:00.000Z"}]
        settled = transaction(engine, started)
        # Its last evidence: SuspendedEV at 25 (still occupied).
        assert (settled.state, settled.stopped_at, settled.meter_stop_wh) == (
            "settled",
            at(25),
            3000,
        )
        assert call(cp, "Authorize", {"idTag": card}, at(40))[2] == {
            "idTagInfo": {"status": "Accepted"}
        }
        replayed = stop_frame(started, 4000, at(30), reason="PowerLoss")
        assert call(cp, "StopTransaction", replayed, at(41)) == [3, "3", {}]
        # Received after the reconnect without a timestamp: says nothing of when it happened.
        assert call(cp, "StatusNotification", untimed_status("Available"), at(42)) == [3, "4", {}]
    assert reviews_of(engine, started) == []
    (session,) = sessions_of(engine, started)
    assert (session.stop_date_time, session.total_time_s) == (at(30), 30 * 60)
    # Idle from 25 (SuspendedEV) to the stop at 30: 5 minutes, within the grace period.
    assert (session.consumption_kwh, session.total_parking_time_s) == (Decimal("4.000"), 5 * 60)
    assert session.cost_to_driver == Decimal("1.60")


def test_a_stop_after_an_operator_decided_the_settled_transactions_review_bills_nothing_twice(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with connected(client, network.identity, clock) as cp:
        lost = cp.start(network.id_tag, 0, at(0))["transactionId"]
        cp.meter(5000, at(10), transaction_id=lost)
        call(cp, "BootNotification", BOOT, at(30))
        (review,) = reviews_of(engine, lost)
        admin = account(engine, "admin").headers
        ok(client.post(f"/api/admin/v1/session-reviews/{review.uuid}/accept", headers=admin))
        (accepted,) = sessions_of(engine, lost)
        late = stop_frame(lost, 9000, at(20))
        assert call(cp, "StopTransaction", late, at(31)) == [3, "4", {}]
    (session,) = sessions_of(engine, lost)
    assert (session.id, session.consumption_kwh, session.cost_to_driver) == (
        accepted.id,
        Decimal("5.000"),
        Decimal("2.00"),
    )
    assert count(engine, ChargeSession) == 1
    with unit_of_work(engine) as db:
        (unmatched,) = db.scalars(select(OcppUnmatchedMessage))
        assert unmatched.payload == {
            "transactionId": lost,
            "meterStop": 9000,
            "timestamp": iso(at(20)),
        }
        assert unmatched.reason == (
            f"transaction {lost} was settled without a stop and its review accepted before it came"
        )
