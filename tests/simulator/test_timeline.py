"""Session plans and the station clock: sessions in order, timestamps never in the future."""

import random
import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from fleetcharge.simulator.curves import CurrentType, Evse
from fleetcharge.simulator.timeline import (
    GAP_BETWEEN_SESSIONS_S,
    UNPLUG_S,
    StationClock,
    plan_sessions,
    rfc3339,
    timeline_length,
)

EVSE = Evse(CurrentType.AC, 22)


def test_sessions_follow_each_other_on_rotating_connectors() -> None:
    plans = plan_sessions(random.Random(1), EVSE, ["A", "B", "C", "D"], connectors=2, parked_s=900)
    assert [p.connector_id for p in plans] == [1, 2, 1, 2]
    assert [p.id_tag for p in plans] == ["A", "B", "C", "D"]
    for plan in plans:
        assert plan.plug_in_s < plan.start_s <= plan.charging_end_s
        assert plan.stop_s == plan.charging_end_s + 900
    for earlier, later in pairwise(plans):
        # Room for the driver of a remotely stopped session to come back and unplug.
        assert later.plug_in_s - earlier.stop_s >= GAP_BETWEEN_SESSIONS_S[0] > UNPLUG_S
    assert timeline_length(plans) == plans[-1].stop_s + UNPLUG_S
    again = plan_sessions(random.Random(1), EVSE, ["A", "B", "C", "D"], connectors=2, parked_s=900)
    assert [(p.plug_in_s, p.curve.spec) for p in again] == [
        (p.plug_in_s, p.curve.spec) for p in plans
    ]


def test_a_fast_timeline_is_placed_in_the_past() -> None:
    before = datetime.now(UTC)
    clock = StationClock.start(speed=3600, horizon_s=7200)  # 2 h of sessions in 2 s
    assert clock.origin.microsecond == 0
    expected = before + timedelta(seconds=2 - 7200)
    assert expected - timedelta(seconds=1) <= clock.origin <= expected + timedelta(seconds=1)
    # The last event of the timeline is stamped when it is sent: 2 s from now.
    assert clock.delay_until(7200) == pytest.approx(2, abs=0.1)
    assert clock.at(7200) <= datetime.now(UTC) + timedelta(seconds=2)


def test_live_speed_stamps_the_present() -> None:
    clock = StationClock.start(speed=1, horizon_s=3600)
    assert abs(clock.at(0) - datetime.now(UTC)) < timedelta(seconds=1.1)
    assert clock.delay_until(10) == pytest.approx(10, abs=0.1)


def test_the_clock_runs_fast_then_in_real_time_after_the_horizon() -> None:
    origin = datetime(2025, 1, 1, tzinfo=UTC)
    two_seconds_ago = StationClock(origin, time.monotonic() - 2, speed=100, horizon_s=500)
    assert two_seconds_ago.offset_now() == pytest.approx(200, abs=1)
    ten_seconds_ago = StationClock(origin, time.monotonic() - 10, speed=100, horizon_s=500)
    assert ten_seconds_ago.offset_now() == pytest.approx(505, abs=0.1)  # 5 s fast, then 5 s real
    assert ten_seconds_ago.delay_until(505) == pytest.approx(0, abs=0.1)
    assert ten_seconds_ago.delay_until(510) == pytest.approx(5, abs=0.1)


def test_timestamps_are_whole_seconds_in_utc() -> None:
    moment = datetime(2025, 3, 1, 10, 30, 15, 999_999, tzinfo=UTC)
    assert rfc3339(moment) == "2025-03-01T10:30:15Z"  # truncated, never rounded up
    clock = StationClock(moment.replace(microsecond=0), time.monotonic(), 10, 100)
    assert clock.stamp(12.7) == "2025-03-01T10:30:27Z"


def test_speeds_below_real_time_are_refused() -> None:
    with pytest.raises(ValueError, match="speed"):
        StationClock.start(speed=0.5, horizon_s=10)
