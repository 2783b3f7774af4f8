"""Live stations (`demo --live`): sessions that end now, and a stop that ends charges cleanly."""

import asyncio
import random
from datetime import timedelta

from fleetcharge.simulator.curves import ChargeSpec, ChargingCurve, CurrentType, Evse
from fleetcharge.simulator.live import LiveConfig, LiveStation, keep_charging, top_up
from fleetcharge.simulator.model import SessionReport
from tests.simulator.conftest import CentralSystem, bounded
from tests.simulator.test_sessions import SPEC, stamp

DC = Evse(CurrentType.DC, max_kw=100)


def thirty_kwh(rng: random.Random, evse: Evse) -> ChargeSpec:
    return SPEC  # about 20 minutes: long enough to be interrupted


def live(system: CentralSystem, speed: float, stations: int = 1) -> LiveConfig:
    return LiveConfig(
        url=system.url,
        stations=tuple(
            LiveStation(f"LIVE-{n}", DC, (f"TAG{n}A", f"TAG{n}B")) for n in range(stations)
        ),
        speed=speed,
        planner=thirty_kwh,
        seed=3,
    )


def test_a_session_ends_about_now_and_the_next_waits(central_system: CentralSystem) -> None:
    reports: list[SessionReport] = []

    async def first_session() -> None:
        stop = asyncio.Event()

        def record(report: SessionReport) -> None:
            reports.append(report)
            stop.set()

        await keep_charging(live(central_system, speed=20_000, stations=2), stop, record)

    bounded(first_session())
    (report,) = reports  # the first station only: the second starts later, at a random time
    assert report.station_id == "LIVE-0" and report.id_tag == "TAG0A"
    (stop_frame,) = central_system.calls("StopTransaction")
    assert stop_frame.payload["reason"] == "EVDisconnected"
    # Stamped in the past, but by no more than the session's length.
    stopped = stamp(stop_frame.payload["timestamp"])
    assert stop_frame.received_at - timedelta(minutes=30) < stopped <= stop_frame.received_at
    assert central_system.calls("StartTransaction", "LIVE-1") == []


def test_stopping_ends_a_charge_under_way_with_a_stop_transaction(
    central_system: CentralSystem,
) -> None:
    async def interrupted() -> None:
        stop = asyncio.Event()
        charging = asyncio.create_task(keep_charging(live(central_system, speed=60), stop))
        while not central_system.calls("MeterValues"):
            await asyncio.sleep(0.05)
        stop.set()
        totals = await charging
        assert totals.sessions_completed == 1

    bounded(interrupted())
    (start,) = central_system.calls("StartTransaction")
    (stop,) = central_system.calls("StopTransaction")
    assert stop.payload["reason"] == "Local"
    assert stamp(start.payload["timestamp"]) < stamp(stop.payload["timestamp"])
    assert central_system.statuses("LIVE-0")[-2:] == ["Finishing", "Available"]


def test_top_ups_take_a_few_minutes() -> None:
    rng = random.Random(1)
    for evse in (DC, Evse(CurrentType.DC, max_kw=350), Evse(CurrentType.AC, max_kw=7.4, phases=1)):
        for _ in range(200):
            spec = top_up(rng, evse)
            assert spec.start_soc < spec.target_soc <= 90
            assert 60 <= ChargingCurve(spec).charging_s <= 10 * 60
