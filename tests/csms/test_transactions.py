"""Every transaction becomes exactly one session (or one held for review), however the
station misbehaves (ARCHITECTURE section 5): each robustness case of issue 4 replayed as
OCPP frames."""

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from fleetcharge.db import unit_of_work
from fleetcharge.models import (
    ChargeSession,
    OcppMeterValue,
    OcppTransaction,
    OcppUnmatchedMessage,
    SessionDayCount,
    SessionReview,
)
from tests import factories as f
from tests.api.helpers import get_page, records
from tests.csms.conftest import NOW, Network
from tests.csms.helpers import FakeClock, Station, connected, iso

BOOT = {"chargePointVendor": "Acme", "chargePointModel": "AC22"}


def at(minutes: float) -> datetime:
    return NOW + timedelta(minutes=minutes)


def transaction(engine: Engine, transaction_id: int) -> OcppTransaction:
    with unit_of_work(engine) as db:
        tx = db.get(OcppTransaction, transaction_id)
        assert tx is not None
        return tx


def session_of(engine: Engine, transaction_id: int) -> ChargeSession:
    with unit_of_work(engine) as db:
        tx = db.get(OcppTransaction, transaction_id)
        assert tx is not None and tx.session_id is not None, "no session recorded"
        session = db.get(ChargeSession, tx.session_id)
        assert session is not None
        return session


def review_of(engine: Engine, transaction_id: int) -> SessionReview:
    with unit_of_work(engine) as db:
        review = db.scalar(
            select(SessionReview).where(SessionReview.transaction_id == transaction_id)
        )
        assert review is not None, "not held for review"
        return review


def codes(review: SessionReview) -> list[str]:
    return [reason["code"] for reason in review.reasons]


def count(engine: Engine, model: type) -> int:
    with unit_of_work(engine) as db:
        return db.scalar(select(func.count()).select_from(model)) or 0


def charge(
    cp: Station, id_tag: str, meter_start: int, meter_stop: int, start: float, stop: float
) -> int:
    """A plain transaction from `start` to `stop` minutes after NOW; its id."""
    tx_id: int = cp.start(id_tag, meter_start, at(start))["transactionId"]
    cp.stop(tx_id, meter_stop, at(stop))
    return tx_id


def test_stop_for_an_unknown_transaction_is_acknowledged_and_kept_for_operators(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    stop = {
        "transactionId": 424242,
        "idTag": network.id_tag,
        "meterStop": 5000,
        "timestamp": iso(at(0)),
        "transactionData": [
            {
                "timestamp": iso(at(0)),
                "sampledValue": [{"value": "5000", "context": "Transaction.End"}],
            }
        ],
    }
    with connected(client, network.identity, clock) as cp:
        assert cp.call("StopTransaction", stop) == [3, "1", {"idTagInfo": {"status": "Accepted"}}]
        # Without an idTag there is no idTagInfo; a second StopTransaction with a transactionId
        # no column could hold is no problem either.
        huge = {**stop, "transactionId": 2**70}
        del huge["idTag"]
        assert cp.call("StopTransaction", huge) == [3, "2", {}]
        assert cp.result("Heartbeat", {}) == {"currentTime": "2025-03-03T23:00:00.000Z"}
    with unit_of_work(engine) as db:
        orphans = db.scalars(select(OcppUnmatchedMessage).order_by(OcppUnmatchedMessage.id)).all()
        assert [(o.action, o.reason, o.payload["transactionId"]) for o in orphans] == [
            ("StopTransaction", "unknown transactionId", 424242),
            ("StopTransaction", "unknown transactionId", 2**70),
        ]
        assert orphans[0].payload == stop
        values = db.scalars(select(OcppMeterValue)).all()
        assert [(v.transaction_id, v.reported_transaction_id, v.value) for v in values] == [
            (None, 424242, Decimal("5.000000")),
            (None, None, Decimal("5.000000")),
        ]
    assert count(engine, ChargeSession) == 0


def test_offline_sessions_replayed_after_reconnect_keep_their_times(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with connected(client, network.identity, clock) as cp:
        cp.result("BootNotification", BOOT, at=at(-240))
    # Offline from -230 to 0 minutes; two charges happened meanwhile. The station reconnects
    # without booting and replays its queue at minute 0 with the original timestamps.
    with connected(client, network.identity, clock) as cp:
        first = cp.start(network.id_tag, 100_000, at(-200), sent=at(0))
        assert first["idTagInfo"] == {"status": "Accepted"}
        cp.meter(104_000, at(-170), transaction_id=first["transactionId"], sent=at(0))
        cp.stop(first["transactionId"], 108_000, at(-140), sent=at(0))
        second = cp.start(network.id_tag, 108_000, at(-90), sent=at(0))
        cp.stop(second["transactionId"], 111_000, at(-60), sent=at(0))
    assert second["transactionId"] != first["transactionId"]
    sessions = [session_of(engine, t["transactionId"]) for t in (first, second)]
    assert [(s.start_date_time, s.stop_date_time, s.consumption_kwh) for s in sessions] == [
        (at(-200), at(-140), Decimal("8.000")),
        (at(-90), at(-60), Decimal("3.000")),
    ]
    assert transaction(engine, first["transactionId"]).flags == ["replayed_offline"]
    usage = records(get_page(client, "usage", network.payer_token), "usage")
    assert [u["cost_to_driver"] for u in usage] == [3.2, 1.2]


def test_repeated_start_and_stop_make_one_transaction_and_one_session(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with connected(client, network.identity, clock) as cp:
        first = cp.start(network.id_tag, 0, at(0))
        # The station did not get our answer (connection lost) and sends it again.
        assert cp.start(network.id_tag, 0, at(0), sent=at(1)) == first
    with connected(client, network.identity, clock) as cp:
        assert cp.start(network.id_tag, 0, at(0), sent=at(2)) == first
        tx_id = first["transactionId"]
        stop = cp.stop(tx_id, 10_000, at(30), idTag=network.id_tag)
        assert cp.stop(tx_id, 10_000, at(30), sent=at(31), idTag=network.id_tag) == stop
        # Repeated with other values: acknowledged, kept for operators, still one session.
        assert cp.stop(tx_id, 12_000, at(35)) == {}
    assert count(engine, OcppTransaction) == 1
    assert count(engine, ChargeSession) == 1
    assert session_of(engine, tx_id).consumption_kwh == Decimal("10.000")
    with unit_of_work(engine) as db:
        counts = db.scalars(select(SessionDayCount.sessions)).all()
        assert counts == [1, 1]  # the host's /sessions and the payer's /usage
        (orphan,) = db.scalars(select(OcppUnmatchedMessage)).all()
        assert orphan.reason == f"transaction {tx_id} was already stopped with other values"


def test_meter_values_without_or_with_a_wrong_transaction_id_are_kept(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with connected(client, network.identity, clock) as cp:
        # Before any transaction, and on a connector with none: stored on no transaction.
        cp.meter(1000, at(-5))
        cp.meter(7000, at(-5), connector=2, transaction_id=999)
        tx_id = cp.start(network.id_tag, 1000, at(0))["transactionId"]
        cp.meter(4000, at(10))  # no transactionId
        cp.meter(7000, at(20), transaction_id=tx_id + 1000)  # a wrong one
        cp.meter(9000, at(25), connector=0)  # the station's main meter
        cp.stop(tx_id, 9000, at(30))
    with unit_of_work(engine) as db:
        rows = db.scalars(select(OcppMeterValue).order_by(OcppMeterValue.id)).all()
        assert [
            (r.connector_number, r.transaction_id, r.reported_transaction_id) for r in rows
        ] == [
            (1, None, None),
            (2, None, 999),
            (1, tx_id, None),
            (1, tx_id, tx_id + 1000),
            (0, None, None),
        ]
    assert transaction(engine, tx_id).flags == ["reattached_meter_values"]
    assert session_of(engine, tx_id).consumption_kwh == Decimal("8.000")


def test_a_register_restarting_at_zero_and_a_lifetime_register_bill_the_same(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with connected(client, network.identity, clock) as cp:
        per_transaction = charge(cp, network.id_tag, 0, 12_000, 0, 60)
        lifetime = charge(cp, network.id_tag, 5_250_000, 5_262_000, 90, 150)
    sessions = [session_of(engine, t) for t in (per_transaction, lifetime)]
    assert [(s.consumption_kwh, s.cost_to_driver) for s in sessions] == [
        (Decimal("12.000"), Decimal("4.80")),
        (Decimal("12.000"), Decimal("4.80")),
    ]


def test_a_decreasing_register_is_ignored_and_flagged_never_negative(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with connected(client, network.identity, clock) as cp:
        # The meter reset mid-transaction (a reboot): the readings after it are ignored.
        reset = cp.start(network.id_tag, 50_000, at(0))["transactionId"]
        cp.meter(52_000, at(10), transaction_id=reset)
        cp.meter(300, at(20), transaction_id=reset)
        cp.stop(reset, 1500, at(30))
        # meterStop below meterStart and no readings: no energy.
        backwards = charge(cp, network.id_tag, 80_000, 20_000, 40, 70)
    assert session_of(engine, reset).consumption_kwh == Decimal("2.000")
    assert session_of(engine, backwards).consumption_kwh == Decimal("0.000")
    assert session_of(engine, backwards).cost_to_driver >= 0
    for tx_id in (reset, backwards):
        assert "register_decreased" in transaction(engine, tx_id).flags


def test_kwh_readings_are_normalised(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with connected(client, network.identity, clock) as cp:
        tx_id = cp.start(network.id_tag, 100_000, at(0))["transactionId"]
        cp.meter("105.25", at(15), transaction_id=tx_id, unit="kWh")
        cp.meter("110500", at(30), transaction_id=tx_id, unit="Wh")
        # A station that sends its meterStop stale: the kWh readings show more energy.
        cp.stop(tx_id, 109_000, at(45))
    with unit_of_work(engine) as db:
        rows = db.scalars(select(OcppMeterValue).order_by(OcppMeterValue.id)).all()
        assert [(r.value_raw, r.unit, r.value, r.normalised_unit) for r in rows] == [
            ("105.25", "kWh", Decimal("105.250000"), "kWh"),
            ("110500", "Wh", Decimal("110.500000"), "kWh"),
        ]
    assert session_of(engine, tx_id).consumption_kwh == Decimal("10.500")
    assert transaction(engine, tx_id).flags == ["kwh_units", "meter_stop_below_samples"]


def test_station_clocks_far_off_are_bounded_and_flagged(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with connected(client, network.identity, clock) as cp:
        # Two days ahead (a station on the wrong time zone or year): receipt times are used.
        ahead = cp.start(network.id_tag, 0, at(2 * 24 * 60), sent=at(0))["transactionId"]
        cp.stop(ahead, 6000, at(2 * 24 * 60 + 30), sent=at(30))
        # Reset to 1970 after a power loss.
        epoch = datetime.fromisoformat("1970-01-01T00:00:00+00:00")
        reset = cp.start(network.id_tag, 0, epoch, sent=at(40))["transactionId"]
        cp.stop(reset, 3000, epoch + timedelta(minutes=20), sent=at(60))
        # Local time without an offset: read as Sydney's wall clock (10:00 = NOW).
        local = cp.result(
            "StartTransaction",
            {
                "connectorId": 1,
                "idTag": network.id_tag,
                "meterStart": 0,
                "timestamp": "2025-03-04T11:10:00",
            },
            at=at(70),
        )["transactionId"]
        # A stop reported before its start ends the session at its start.
        cp.stop(local, 100, at(65), sent=at(75))
    # Times a station's clock cannot vouch for are held for an operator's review, unbilled.
    held = {t: review_of(engine, t) for t in (ahead, reset, local)}
    assert (held[ahead].started_at, held[ahead].stopped_at) == (at(0), at(30))
    assert (held[reset].started_at, held[reset].stopped_at) == (at(40), at(60))
    assert (held[local].started_at, held[local].stopped_at) == (at(70), at(70))
    assert [codes(held[t]) for t in (ahead, reset, local)] == [
        ["clock_adjusted"],
        ["clock_adjusted"],
        ["energy_without_duration", "stop_before_start"],
    ]
    assert transaction(engine, ahead).flags == ["clock_adjusted", "held_for_review"]
    assert transaction(engine, reset).flags == ["clock_adjusted", "held_for_review"]
    assert transaction(engine, local).flags == [
        "held_for_review",
        "local_clock",
        "stop_before_start",
    ]
    assert transaction(engine, ahead).start_reported_at == at(2 * 24 * 60)
    assert count(engine, ChargeSession) == 0
    assert records(get_page(client, "usage", network.payer_token), "usage") == []


def test_an_unknown_id_tag_started_offline_is_answered_invalid_recorded_and_billed_to_nobody(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with connected(client, network.identity, clock) as cp:
        assert cp.result("Authorize", {"idTag": "STRANGER"}) == {"idTagInfo": {"status": "Invalid"}}
        answer = cp.start("STRANGER", 0, at(-60), sent=at(0))
        assert answer["idTagInfo"] == {"status": "Invalid"}
        assert cp.stop(answer["transactionId"], 20_000, at(-10), sent=at(0), idTag="STRANGER") == {
            "idTagInfo": {"status": "Invalid"}
        }
    session = session_of(engine, answer["transactionId"])
    assert session.payer_organisation_id is None and session.auth_id == "STRANGER"
    assert session.cost_to_driver == Decimal("8.00")  # what the tariff says; nobody pays it
    assert (session.total_revenue, session.total_cost) == (Decimal("0.00"), Decimal("0.00"))
    assert transaction(engine, answer["transactionId"]).flags == [
        "refused_start",
        "replayed_offline",
        "unknown_id_tag",
    ]
    hosted = records(get_page(client, "sessions", network.host_token), "sessions")
    with unit_of_work(engine) as db:
        stranger = f.pseudonym(db, network.host_id, "STRANGER")  # nobody's card: not the host's
    assert [(s["auth_id"], s["total_revenue"], s["total_cost"]) for s in hosted] == [
        (stranger, 0, 0)
    ]
    assert records(get_page(client, "usage", network.payer_token), "usage") == []
