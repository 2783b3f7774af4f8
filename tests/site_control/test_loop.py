"""The control loop with fakes for the sites, the stations and profile sending."""

import asyncio
import functools
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select

from fleetcharge.csms.readings import Reading
from fleetcharge.csms.transaction_signals import TransactionSignal
from fleetcharge.db import unit_of_work
from fleetcharge.models import SiteAllocation, SiteControlState, Station
from fleetcharge.site_control import fail_safe
from fleetcharge.site_control.loop import STOP_TIMEOUT_S
from tests.site_control.fakes import (
    FakePresences,
    FakeSender,
    FakeSource,
    charging,
    control,
    locations,
)


def synchronously(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Runs an async test on its own event loop (pytest sees the fixtures it asks for)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def stored(engine: Engine) -> dict[int, SiteAllocation]:
    with unit_of_work(engine) as db:
        return {row.transaction_id: row for row in db.scalars(select(SiteAllocation))}


Parts = tuple[int, FakeSource, FakeSender, FakePresences]


@pytest.fixture
def parts(engine: Engine) -> tuple[int, FakeSource, FakeSender, FakePresences]:
    [location] = locations(engine, 1)
    source = FakeSource(
        {location: 30.0}, {location: [charging(1, "CP1"), charging(2, "CP2"), charging(3, "CP3")]}
    )
    return location, source, FakeSender(), FakePresences({"CP1", "CP2", "CP3"})


@synchronously
async def test_only_changed_limits_are_sent(engine: Engine, parts: Parts) -> None:
    location, source, sender, presences = parts
    loop = control(engine, source, sender, presences)
    await loop.cycle()
    assert sender.limits() == pytest.approx({"CP1": 10_000, "CP2": 10_000, "CP3": 10_000}, rel=1e-3)
    rows = stored(engine)
    assert {r.profile_status for r in rows.values()} == {"Accepted"}
    assert rows[1].limit_w == pytest.approx(10_000, rel=1e-3) and not rows[1].paused
    assert rows[1].reason == "limited by the site limit"
    sender.sent.clear()
    await loop.cycle()
    assert sender.sent == []  # nothing moved
    source.limits_kw[location] = 30.6  # +200 W each: within the tolerance
    await loop.cycle([location])
    assert sender.sent == []
    source.limits_kw[location] = 24.0
    await loop.cycle([location])
    assert sender.limits() == pytest.approx({"CP1": 8_000, "CP2": 8_000, "CP3": 8_000}, rel=1e-3)
    with unit_of_work(engine) as db:
        state = db.get(SiteControlState, location)
        assert state is not None and state.limit_w == 24_000 and state.holder == "node-a"


@synchronously
async def test_a_finished_transaction_frees_its_share(engine: Engine, parts: Parts) -> None:
    location, source, sender, presences = parts
    loop = control(engine, source, sender, presences)
    await loop.cycle()
    source.sessions[location].pop()
    sender.sent.clear()
    await loop.cycle()
    assert sender.limits() == pytest.approx({"CP1": 11_000, "CP2": 11_000}, rel=1e-3)
    assert set(stored(engine)) == {1, 2}


@synchronously
async def test_an_offline_station_keeps_its_last_accepted_limit_counted(
    engine: Engine, parts: Parts
) -> None:
    location, source, sender, presences = parts
    loop = control(engine, source, sender, presences)
    await loop.cycle()  # 10 kW each, accepted
    presences.online.discard("CP3")
    source.sessions[location].append(charging(4, "CP4"))
    presences.online.add("CP4")
    sender.sent.clear()
    await loop.cycle()
    # CP3 still counts at its 10 kW: the other three share 20 kW.
    assert "CP3" not in sender.limits()
    assert sender.limits()["CP4"] == pytest.approx(20_000 / 3, rel=1e-3)
    row = stored(engine)[3]
    assert not row.controllable and row.reason == "not controllable: counted at 10.0 kW"
    assert row.accepted_limit_w == pytest.approx(10_000, rel=1e-3)


@synchronously
async def test_a_station_that_rejects_profiles_is_counted_at_its_rated_power(
    engine: Engine, parts: Parts
) -> None:
    _location, source, sender, presences = parts
    sender.answers["CP3"] = "Rejected"
    loop = control(engine, source, sender, presences)
    await loop.cycle()
    assert stored(engine)[3].profile_status == "Rejected"
    sender.sent.clear()
    await loop.cycle()
    # CP3 at its 11 kW: CP1 and CP2 share 19 kW; CP3 is not asked again.
    assert sender.limits() == pytest.approx({"CP1": 9_500, "CP2": 9_500}, rel=1e-3)
    assert not stored(engine)[3].controllable


@synchronously
async def test_a_failed_send_is_tried_again_next_cycle(engine: Engine, parts: Parts) -> None:
    _location, source, sender, presences = parts
    sender.answers["CP2"] = "Timeout"
    loop = control(engine, source, sender, presences)
    await loop.cycle()
    del sender.answers["CP2"]
    sender.sent.clear()
    await loop.cycle()
    assert [identity for identity, _, _ in sender.sent] == ["CP2"]
    assert stored(engine)[2].profile_status == "Accepted"


@synchronously
async def test_limits_go_in_the_unit_the_station_declares(engine: Engine, parts: Parts) -> None:
    _location, source, sender, presences = parts
    sender.units["CP1"] = "A"
    await control(engine, source, sender, presences).cycle()
    profile = next(p for identity, _, p in sender.sent if identity == "CP1")
    assert profile["unit"] == "A" and profile["limits"] == [pytest.approx(14.5)]
    assert profile["transactionId"] == 1 and profile["stackLevel"] == 1


@synchronously
async def test_one_process_controls_a_site_at_a_time(engine: Engine, parts: Parts) -> None:
    location, source, sender, presences = parts
    other_sender = FakeSender()
    first = control(engine, source, sender, presences, node="node-a")
    second = control(engine, source, other_sender, presences, node="node-b")
    await first.cycle()
    await second.cycle()
    assert len(sender.sent) == 3 and other_sender.sent == []
    await first.stop()  # hands its sites over
    source.limits_kw[location] = 15.0
    await second.cycle()
    assert other_sender.limits() == pytest.approx(
        {"CP1": 5_000, "CP2": 5_000, "CP3": 5_000}, rel=1e-3
    )
    sender.sent.clear()
    await first.cycle()
    assert sender.sent == []  # node-b's now


@synchronously
async def test_a_lapsed_lease_is_taken_over(engine: Engine, parts: Parts) -> None:
    location, source, sender, presences = parts
    first = control(engine, source, sender, presences, node="node-a", lease_s=60)
    second = control(engine, source, FakeSender(), presences, node="node-b", lease_s=60)
    await first.cycle()
    later = first.now() + timedelta(seconds=61)
    second.now = lambda: later
    await second.cycle()
    with unit_of_work(engine) as db:
        state = db.get(SiteControlState, location)
        assert state is not None and state.holder == "node-b"


@synchronously
async def test_a_site_no_longer_controlled_is_let_go(engine: Engine, parts: Parts) -> None:
    location, source, sender, presences = parts
    loop = control(engine, source, sender, presences)
    await loop.cycle()
    del source.limits_kw[location]
    await loop.cycle([location])  # as the change's trigger asks
    assert stored(engine) == {}
    assert sorted(sender.cleared) == [("CP1", 1), ("CP2", 2), ("CP3", 3)]  # free again
    with unit_of_work(engine) as db:
        assert db.get(SiteControlState, location) is None


@synchronously
async def test_each_connected_station_gets_the_fail_safe_once_and_again_after_reconnecting(
    engine: Engine, parts: Parts
) -> None:
    location, source, sender, presences = parts
    source.stations[location] = ("CP1", "CP2", "CP3", "CP4")  # CP4: offline, no vehicle
    sender.answers["CP3"] = "Timeout"
    loop = control(engine, source, sender, presences)
    await loop.cycle()
    assert sorted(sender.defaults()) == [("CP1", 0, 0.0), ("CP2", 0, 0.0), ("CP3", 0, 0.0)]
    sender.sent.clear()
    del sender.answers["CP3"]
    presences.online.discard("CP2")
    await loop.cycle()
    assert sender.defaults() == [("CP3", 0, 0.0)]  # no answer before: tried again
    sender.sent.clear()
    presences.online |= {"CP2", "CP4"}
    await loop.cycle()
    assert sorted(sender.defaults()) == [("CP2", 0, 0.0), ("CP4", 0, 0.0)]  # (re)connected
    sender.sent.clear()
    await loop.cycle()
    assert sender.defaults() == []


@synchronously
async def test_a_site_let_go_clears_its_fail_safes(engine: Engine, parts: Parts) -> None:
    location, source, sender, presences = parts
    source.stations[location] = ("CP1", "CP2")
    loop = control(engine, source, sender, presences)
    await loop.cycle()
    del source.limits_kw[location]
    await loop.cycle([location])
    fail_safes = sorted(c for c in sender.cleared if c[1] == fail_safe.PROFILE_ID)
    assert fail_safes == [("CP1", fail_safe.PROFILE_ID), ("CP2", fail_safe.PROFILE_ID)]


def _reading(kw: str) -> Reading:
    at = datetime(2026, 6, 1, tzinfo=UTC)
    return Reading(
        at, at, "Power.Active.Import", None, "W", None, None, None, kw, Decimal(kw), "kW"
    )


@synchronously
async def test_triggers_run_a_cycle_for_their_site_and_failures_do_not_stop_the_loop(
    engine: Engine,
    parts: Parts,
    caplog: pytest.LogCaptureFixture,
) -> None:
    location, source, sender, presences = parts
    loop = control(engine, source, sender, presences, interval_s=3600)
    loop.start()
    try:
        await _until(lambda: loop.cycles >= 1)  # the first: every site
        source.fail = True
        loop.trigger(location)
        await _until(lambda: loop.cycles >= 1 and len(source.asked) >= 2)
        await asyncio.sleep(0.05)
        assert "a cycle failed" in caplog.text
        source.fail = False
        source.limits_kw[location] = 15.0
        loop.trigger(location)
        await _until(lambda: sender.limits().get("CP1") == pytest.approx(5_000, rel=1e-3))
        assert source.asked[-1] == [location]
    finally:
        await loop.stop()


@synchronously
async def test_a_vehicle_drawing_clearly_less_gives_its_share_to_the_others(
    engine: Engine, parts: Parts
) -> None:
    _location, source, sender, presences = parts
    with unit_of_work(engine) as db:
        station_ids = {s.ocpp_identity: s.id for s in db.scalars(select(Station))}
    loop = control(engine, source, sender, presences, interval_s=3600)
    loop.start()
    try:
        await _until(lambda: loop.cycles >= 1)  # sent, and the limits known to the watch
        assert len(sender.sent) == 3
        station_id = next(iter(station_ids.values()))  # any station of the site
        for kw in ("4.0", "4.1"):  # under 8 kW twice
            loop.on_transaction(
                TransactionSignal("meter_values", station_id, "CP1", 1, (_reading(kw),))
            )
        # CP1 capped at 4.1 x 1.2 = 4.92 kW; CP2 and CP3 share the rest.
        await _until(lambda: sender.limits().get("CP1") == pytest.approx(4_920, rel=1e-3))
        assert sender.limits()["CP2"] == pytest.approx(11_000, rel=1e-3)
    finally:
        await loop.stop()


async def _until(condition: Callable[[], object], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


def test_a_trigger_before_the_start_is_ignored(engine: Engine, parts: Parts) -> None:
    location, source, sender, presences = parts
    loop = control(engine, source, sender, presences)
    loop.trigger(location)  # not started: ignored, no error
    assert sender.sent == []


@synchronously
async def test_stopping_as_a_trigger_arrives_still_stops(engine: Engine, parts: Parts) -> None:
    """The trigger's wake and the cancellation land in the same turn of the event loop (what
    Python 3.11's wait_for swallowed, leaving shutdown waiting for ever)."""
    location, source, sender, presences = parts
    for _ in range(5):
        loop = control(engine, source, sender, presences, interval_s=3600)
        loop.start()
        await _until(lambda: loop.cycles >= 1)  # noqa: B023 (this turn's loop)
        task = loop._task
        loop.trigger(location)
        began = time.monotonic()
        await asyncio.wait_for(loop.stop(), timeout=2 * STOP_TIMEOUT_S)
        assert time.monotonic() - began < STOP_TIMEOUT_S  # it stopped, not timed out
        assert task is not None and task.done()
