"""End to end on loopback: simulated stations against a recording central system."""

import dataclasses
import random
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from ocpp.v16 import call
from ocpp.v16.enums import AvailabilityType, RegistrationStatus, ResetType

from fleetcharge.simulator.connection import basic_auth
from fleetcharge.simulator.curves import ChargeSpec, ChargingCurve, CurrentType, Evse, Vehicle
from fleetcharge.simulator.model import BootRejected, ConnectionFailed, RegisterMode
from fleetcharge.simulator.runner import SimulationConfig, SimulationSummary, simulate
from fleetcharge.simulator.timeline import UNPLUG_S
from tests.simulator.conftest import CentralSystem, Frame, bounded

CAR = Vehicle("test car", battery_kwh=60, ac_kw=11, dc_kw=100, dc_knee_soc=60)
EVSE = Evse(CurrentType.DC, max_kw=100)
SPEC = ChargeSpec(CAR, EVSE, 30, 80)
CURVE = ChargingCurve(SPEC)  # 30 kWh, tapering from 100 kW past 60 %
PARKED_S = 600
MEASURANDS = ["Energy.Active.Import.Register", "Power.Active.Import", "Current.Import", "SoC"]


def fixed_charge(rng: random.Random, evse: Evse) -> ChargeSpec:
    return SPEC


def config(system: CentralSystem, **overrides: Any) -> SimulationConfig:
    base = SimulationConfig(
        url=system.url,
        speed=1e6,
        seed=7,
        timeout_s=15,
        evse=EVSE,
        planner=fixed_charge,
        parked_s=PARKED_S,
        initial_register_wh=1_000_000,
    )
    return dataclasses.replace(base, **overrides)


def run(configuration: SimulationConfig) -> SimulationSummary:
    summary: SimulationSummary = bounded(simulate(configuration))
    assert not summary.timed_out
    return summary


def stamp(value: str) -> datetime:
    assert value.endswith("Z")
    return datetime.fromisoformat(value)


def stamps(frame: Frame) -> list[datetime]:
    payload = frame.payload
    found = [stamp(payload["timestamp"])] if "timestamp" in payload else []
    for key in ("meterValue", "transactionData"):
        found += [stamp(value["timestamp"]) for value in payload.get(key, [])]
    return found


def registers(frame: Frame) -> list[int]:
    return [
        int(sampled["value"])
        for value in frame.payload["meterValue"]
        for sampled in value["sampledValue"]
        if sampled["measurand"] == "Energy.Active.Import.Register"
    ]


def without_repeats(actions: list[str]) -> list[str]:
    return [a for i, a in enumerate(actions) if i == 0 or a != actions[i - 1]]


def test_one_session_sends_the_whole_ocpp_sequence(central_system: CentralSystem) -> None:
    summary = run(config(central_system))

    actions = central_system.actions("SIM-0001")
    assert without_repeats(actions) == [
        "BootNotification",
        "StatusNotification",  # Available, then Preparing
        "Authorize",
        "StartTransaction",
        "StatusNotification",  # Charging
        "MeterValues",
        "StatusNotification",  # SuspendedEV: the car is full
        "MeterValues",  # parked, drawing nothing
        "StopTransaction",
        "StatusNotification",  # Finishing, Available
    ]
    assert central_system.statuses("SIM-0001") == [
        "Available",
        "Preparing",
        "Charging",
        "SuspendedEV",
        "Finishing",
        "Available",
    ]
    assert actions.count("MeterValues") == len(list(CURVE.samples(60, PARKED_S)))
    assert "Heartbeat" not in actions  # the central system asked for one every 300 s

    boot = central_system.calls("BootNotification")[0].payload
    assert boot == {
        "chargePointModel": "Simulator",
        "chargePointVendor": "fleetcharge",
        "firmwareVersion": "sim-1.0",
    }
    assert central_system.calls("Authorize")[0].payload == {"idTag": "SIMTAG0001"}
    start = central_system.calls("StartTransaction")[0].payload
    stop = central_system.calls("StopTransaction")[0].payload
    assert start["connectorId"] == 1 and start["idTag"] == "SIMTAG0001"
    assert start["meterStart"] == 1_000_000  # a lifetime register
    assert stop["transactionId"] == 1  # as the central system assigned it
    assert stop["reason"] == "EVDisconnected" and stop["idTag"] == "SIMTAG0001"
    assert stop["meterStop"] - start["meterStart"] == int(CURVE.energy_wh) == 30_000
    duration = stamp(stop["timestamp"]) - stamp(start["timestamp"])
    assert duration == timedelta(seconds=CURVE.charging_s + PARKED_S)

    meter_values = central_system.calls("MeterValues")
    readings = [wh for frame in meter_values for wh in registers(frame)]
    assert readings == sorted(readings)
    assert start["meterStart"] <= readings[0] and readings[-1] <= stop["meterStop"]
    for frame in meter_values:
        assert frame.payload["transactionId"] == 1
        (value,) = frame.payload["meterValue"]
        sampled = value["sampledValue"]
        assert [s["measurand"] for s in sampled] == MEASURANDS
        assert [s["unit"] for s in sampled] == ["Wh", "W", "A", "Percent"]
        assert {s["context"] for s in sampled} == {"Sample.Periodic"}
        power, current, soc = (float(s["value"]) for s in sampled[1:])
        assert 0 <= power <= 100_000 and current == pytest.approx(power / 400, abs=0.01)
        assert 30 <= soc <= 80

    report = summary.reports[0]
    assert (report.transaction_id, report.meter_start, report.meter_stop) == (
        1,
        start["meterStart"],
        stop["meterStop"],
    )
    assert report.energy_wh == report.planned_energy_wh == 30_000
    assert summary.sessions_completed == 1 and summary.call_errors == 0
    assert summary.messages_sent == len(actions) == summary.totals.frames_sent


def test_no_timestamp_is_in_the_future_and_all_are_in_order(
    central_system: CentralSystem,
) -> None:
    run(config(central_system, stations=2, sessions=3, id_tags=("A", "B")))
    for station_id in ("SIM-0001", "SIM-0002"):
        seen: list[datetime] = []
        for frame in central_system.calls(station_id=station_id):
            for moment in stamps(frame):
                assert moment <= frame.received_at
                seen.append(moment)
        assert seen == sorted(seen)


def test_stations_by_sessions_each_get_their_own_transactions(
    central_system: CentralSystem,
) -> None:
    summary = run(config(central_system, stations=3, sessions=2, id_tags=("A", "B", "C")))

    assert summary.sessions_completed == 6 and summary.sessions_planned == 6
    assert {r.station_id for r in summary.reports} == {"SIM-0001", "SIM-0002", "SIM-0003"}
    stops = central_system.calls("StopTransaction")
    assert sorted(f.payload["transactionId"] for f in stops) == [1, 2, 3, 4, 5, 6]
    # In each round the stations present different cards.
    tags = sorted((r.station_id, r.id_tag) for r in summary.reports)
    assert tags == [
        ("SIM-0001", "A"),
        ("SIM-0001", "A"),
        ("SIM-0002", "B"),
        ("SIM-0002", "B"),
        ("SIM-0003", "C"),
        ("SIM-0003", "C"),
    ]
    for station_id in ("SIM-0001", "SIM-0002", "SIM-0003"):
        first, second = [r for r in summary.reports if r.station_id == station_id]
        assert first.stopped_at is not None and second.started_at is not None
        assert first.stopped_at < second.started_at  # one car after the other
        assert second.meter_start == first.meter_stop  # the register carries on
    assert summary.totals.energy_wh == 6 * 30_000


def test_a_register_that_restarts_with_every_transaction(central_system: CentralSystem) -> None:
    run(config(central_system, sessions=2, register=RegisterMode.PER_TRANSACTION))
    starts = [f.payload["meterStart"] for f in central_system.calls("StartTransaction")]
    stops = [f.payload["meterStop"] for f in central_system.calls("StopTransaction")]
    assert starts == [0, 0] and stops == [30_000, 30_000]
    first = central_system.calls("MeterValues")[0]
    assert 0 < registers(first)[0] < 30_000


def test_stop_transaction_can_carry_transaction_data(central_system: CentralSystem) -> None:
    run(config(central_system, transaction_data=True))
    start = central_system.calls("StartTransaction")[0].payload
    stop = central_system.calls("StopTransaction")[0].payload
    begin, end = stop["transactionData"]
    assert begin["timestamp"] == start["timestamp"] and end["timestamp"] == stop["timestamp"]
    assert begin["sampledValue"][0]["context"] == "Transaction.Begin"
    assert end["sampledValue"][0]["context"] == "Transaction.End"
    assert int(begin["sampledValue"][0]["value"]) == start["meterStart"]
    assert int(end["sampledValue"][0]["value"]) == stop["meterStop"]


def test_basic_auth_header_carries_station_id_and_password(
    central_system_factory: Any,
) -> None:
    system = central_system_factory(password="s3cret")
    run(config(system, password="s3cret"))
    assert system.handshakes[0]["Authorization"] == basic_auth("SIM-0001", "s3cret")
    assert basic_auth("SIM-0001", "s3cret") == "Basic U0lNLTAwMDE6czNjcmV0"

    with pytest.raises(ConnectionFailed, match=r"HTTP 401 .*password for station SIM-0001"):
        bounded(simulate(config(system, password=None)))
    assert "Authorization" not in system.handshakes[-1]


def remote_stop(transaction_id: int) -> Any:
    return call.RemoteStopTransaction(transaction_id=transaction_id)


def test_remote_stop_ends_the_session_early(central_system_factory: Any) -> None:
    system = central_system_factory(command_after=(3, remote_stop))
    summary = run(config(system))

    assert [answer.status for answer in system.answers] == ["Accepted"]
    stop = system.calls("StopTransaction")[0].payload
    start = system.calls("StartTransaction")[0].payload
    assert stop["reason"] == "Remote"
    meter_values = system.calls("MeterValues")
    assert 3 <= len(meter_values) < len(list(CURVE.samples(60, PARKED_S)))
    assert registers(meter_values[-1])[0] <= stop["meterStop"]
    assert stop["meterStop"] - start["meterStart"] < 30_000
    assert system.statuses() == ["Available", "Preparing", "Charging", "Finishing", "Available"]
    finishing, available = system.calls("StatusNotification")[-2:]
    gap = stamp(available.payload["timestamp"]) - stamp(finishing.payload["timestamp"])
    assert gap == timedelta(seconds=UNPLUG_S)  # the driver comes back to unplug
    assert summary.totals.sessions_stopped_early == 1
    assert summary.reports[0].stop_reason == "Remote"


def test_unlock_during_a_session_stops_it_first(central_system_factory: Any) -> None:
    system = central_system_factory(
        command_after=(2, lambda _: call.UnlockConnector(connector_id=1))
    )
    run(config(system))
    assert [answer.status for answer in system.answers] == ["Unlocked"]
    assert system.calls("StopTransaction")[0].payload["reason"] == "UnlockCommand"


def test_reset_during_a_session_stops_it_reboots_and_carries_on(
    central_system_factory: Any,
) -> None:
    system = central_system_factory(command_after=(2, lambda _: call.Reset(type=ResetType.soft)))
    summary = run(config(system, sessions=2, id_tags=("A", "B")))

    assert [answer.status for answer in system.answers] == ["Accepted"]
    reasons = [f.payload["reason"] for f in system.calls("StopTransaction")]
    assert reasons == ["SoftReset", "EVDisconnected"]
    assert system.actions().count("BootNotification") == 2
    assert len(system.handshakes) == 2
    assert system.statuses() == [
        "Available",
        "Preparing",
        "Charging",
        "Available",  # after the reboot
        "Preparing",
        "Charging",
        "SuspendedEV",
        "Finishing",
        "Available",
    ]
    assert summary.sessions_completed == 2 and summary.totals.boots == 2


def test_a_refused_card_never_starts_a_transaction(central_system_factory: Any) -> None:
    system = central_system_factory(rejected_tags=frozenset({"STOLEN"}))
    summary = run(config(system, id_tags=("STOLEN",)))
    assert "StartTransaction" not in system.actions()
    assert system.statuses() == ["Available", "Preparing", "Available"]
    assert summary.rejected_authorisations == 1 and summary.sessions_completed == 0
    assert summary.reports[0].outcome == "rejected"


def test_a_card_refused_at_start_transaction_is_stopped_at_once(
    central_system_factory: Any,
) -> None:
    system = central_system_factory(concurrent_tags=frozenset({"BUSY"}))
    summary = run(config(system, id_tags=("BUSY",)))
    start = system.calls("StartTransaction")[0].payload
    stop = system.calls("StopTransaction")[0].payload
    assert stop["reason"] == "DeAuthorized"  # StopTransactionOnInvalidId is true
    assert (stop["meterStop"], stop["timestamp"]) == (start["meterStart"], start["timestamp"])
    assert "MeterValues" not in system.actions()
    assert system.statuses() == ["Available", "Preparing", "Finishing", "Available"]
    assert summary.rejected_authorisations == 1 and summary.sessions_completed == 0


def test_call_errors_are_counted_and_the_session_carries_on(central_system_factory: Any) -> None:
    system = central_system_factory(failing_actions=frozenset({"MeterValues"}))
    summary = run(config(system, transaction_message_attempts=1))
    assert summary.call_errors == system.actions().count("MeterValues") > 0
    assert summary.totals.transaction_retries == 0
    assert summary.sessions_completed == 1
    assert system.calls("StopTransaction")[0].payload["reason"] == "EVDisconnected"


def test_transaction_messages_are_retried_after_the_interval_times_the_attempts(
    central_system_factory: Any,
) -> None:
    """OCPP 1.6 section 4.10: 3 attempts, 1 s interval: again after 1 s, then after 2 s."""
    system = central_system_factory(failing_calls={"StopTransaction": {1, 2}})
    summary = run(
        config(system, transaction_message_attempts=3, transaction_message_retry_interval_s=1)
    )
    stops = system.calls("StopTransaction")
    assert len(stops) == 3 and stops[0].payload == stops[1].payload == stops[2].payload
    waits = [(b.received_at - a.received_at).total_seconds() for a, b in pairwise(stops)]
    assert 1 <= waits[0] < 1.5 and 2 <= waits[1] < 2.5
    assert summary.call_errors == summary.totals.transaction_retries == 2
    assert [r.outcome for r in summary.reports] == ["completed"]


def test_a_transaction_message_failing_every_attempt_is_dropped(
    central_system_factory: Any,
) -> None:
    system = central_system_factory(failing_actions=frozenset({"StopTransaction"}))
    summary = run(
        config(system, transaction_message_attempts=2, transaction_message_retry_interval_s=0)
    )
    assert system.actions().count("StopTransaction") == 2
    # Never taken by the central system: the session is not counted as completed.
    assert [r.outcome for r in summary.reports] == ["failed"]
    assert summary.sessions_completed == 0
    assert system.statuses()[-1] == "Available"  # the car left all the same


def test_other_messages_are_not_retried(central_system_factory: Any) -> None:
    system = central_system_factory(failing_calls={"Authorize": {1}})
    summary = run(config(system, transaction_message_retry_interval_s=0))
    assert system.actions().count("Authorize") == 1
    assert "StartTransaction" not in system.actions()  # a tag it never saw accepted
    assert [r.outcome for r in summary.reports] == ["failed"]


def test_a_failed_authorize_falls_back_on_the_authorization_cache(
    central_system_factory: Any,
) -> None:
    """The second session's Authorize gets a CallError: the tag was accepted for the first."""
    system = central_system_factory(failing_calls={"Authorize": {2}})
    summary = run(config(system, sessions=2))
    assert system.actions().count("StartTransaction") == 2
    assert [r.outcome for r in summary.reports] == ["completed", "completed"]


def test_availability_change_during_a_session_is_scheduled(central_system_factory: Any) -> None:
    system = central_system_factory(
        command_after=(
            2,
            lambda _: call.ChangeAvailability(connector_id=1, type=AvailabilityType.inoperative),
        )
    )
    summary = run(config(system, sessions=2))
    assert [answer.status for answer in system.answers] == ["Scheduled"]
    statuses = ["Available", "Preparing", "Charging", "SuspendedEV", "Finishing", "Unavailable"]
    assert system.statuses() == statuses
    # Its only connector out of order, the station cannot take the second car.
    assert [r.outcome for r in summary.reports] == ["completed", "skipped"]


def test_unreachable_central_system_is_a_clean_error(closed_port_url: str) -> None:
    configuration = SimulationConfig(url=closed_port_url, speed=1e6, timeout_s=10)
    with pytest.raises(ConnectionFailed, match=r"cannot reach .*connection refused"):
        bounded(simulate(configuration))


@pytest.mark.parametrize(
    ("subprotocols", "message"),
    [
        (["ocpp2.0.1"], r"HTTP 400 .*ocpp1.6 subprotocol"),
        ([], "did not accept subprotocol ocpp1.6"),
    ],
)
def test_a_central_system_refusing_ocpp16_is_a_clean_error(
    central_system_factory: Any, subprotocols: list[str], message: str
) -> None:
    system = central_system_factory(subprotocols=subprotocols)
    with pytest.raises(ConnectionFailed, match=message):
        bounded(simulate(config(system)))


def test_a_rejected_boot_is_a_clean_error(central_system_factory: Any) -> None:
    system = central_system_factory(registration=RegistrationStatus.rejected)
    with pytest.raises(BootRejected, match="SIM-0001: the central system rejected"):
        bounded(simulate(config(system)))
    assert system.actions() == ["BootNotification"]


def test_wrong_path_is_a_clean_error(central_system: CentralSystem) -> None:
    url = central_system.url.replace("/ocpp", "/api")
    with pytest.raises(ConnectionFailed, match=r"HTTP 404 .*unknown station SIM-0001"):
        bounded(simulate(config(central_system, url=url)))


def test_timeout_stops_the_run_and_says_so(central_system: CentralSystem) -> None:
    # Live speed: the first car arrives 10 to 60 s after the boot, long after the timeout.
    summary: SimulationSummary = bounded(simulate(config(central_system, speed=1, timeout_s=1)))
    assert summary.timed_out
    assert summary.sessions_completed == 0
    assert summary.totals.boots == 1
