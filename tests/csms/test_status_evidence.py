"""The timeline rule (pure): whatever statuses without a timestamp arrive after a gap in the
connection, and in whatever order, a session's end and its idle (parking) time depend only
on times the station reported."""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from fleetcharge.csms.transaction_timeline import (
    RegisterReading,
    StatusChange,
    TransactionFacts,
    build_timeline,
    car_left_at,
    status_evidence,
)
from fleetcharge.pricing.schemas import Timeline

T0 = datetime(2025, 3, 3, 23, 0, tzinfo=UTC)
STATUSES = ("Available", "Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing")


def s(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


status_names = st.sampled_from(STATUSES)
# (seconds after the start, status) the station timestamped: before, during, after.
timed = st.lists(st.tuples(st.integers(-600, 4 * 3600), status_names), max_size=8)
# (seconds after the reconnect, status) without a timestamp, received after it.
untimed = st.lists(st.tuples(st.integers(0, 48 * 3600), status_names), max_size=8)


def interleaved(
    first: list[StatusChange], second: list[StatusChange], order: random.Random
) -> list[StatusChange]:
    """Both lists merged in a random order that keeps each one's own (statuses of equal
    times apply in the order they came, as the history's ids keep them)."""
    slots = [0] * len(first) + [1] * len(second)
    order.shuffle(slots)
    sources = (iter(first), iter(second))
    return [next(sources[slot]) for slot in slots]


def session(facts: TransactionFacts, statuses: list[StatusChange]) -> Timeline:
    """The session as recorded: to when the car left, if the statuses tell."""
    stop = facts.stop
    ended = TransactionFacts(
        start=facts.start,
        stop=stop,
        meter_start_wh=facts.meter_start_wh,
        meter_stop_wh=facts.meter_stop_wh,
        registers=facts.registers,
        statuses=tuple(x for x in statuses if x.at <= stop),
        session_end=car_left_at(stop, statuses),
    )
    return build_timeline(ended).timeline


@settings(max_examples=150, deadline=None)
@given(
    duration=st.integers(1, 3 * 3600),
    reconnect_after_start=st.integers(1, 6 * 3600),
    reported=timed,
    after_gap=untimed,
    readings=st.lists(st.tuples(st.integers(0, 3 * 3600), st.integers(0, 50_000)), max_size=5),
    order=st.randoms(use_true_random=False),
)
def test_statuses_without_timestamp_after_a_reconnect_change_nothing(
    duration: int,
    reconnect_after_start: int,
    reported: list[tuple[int, str]],
    after_gap: list[tuple[int, str]],
    readings: list[tuple[int, int]],
    order: random.Random,
) -> None:
    reconnect = s(reconnect_after_start)
    station_times = [StatusChange(s(t), name) for t, name in reported]
    received = [
        StatusChange(reconnect + timedelta(seconds=t), name, timed=False, connected_at=reconnect)
        for t, name in after_gap
    ]
    arrived = interleaved(station_times, received, order)
    facts = TransactionFacts(
        start=T0,
        stop=s(duration),
        meter_start_wh=0,
        meter_stop_wh=60_000,
        registers=tuple(RegisterReading(s(t), Decimal(wh)) for t, wh in sorted(readings)),
    )
    with_gap = session(facts, arrived)
    without = session(facts, station_times)
    # A reconnect after the start: what came without a timestamp moves no idle time...
    assert (with_gap.charging_end, with_gap.idle) == (without.charging_end, without.idle)
    if reconnect > facts.stop:
        # ...and after the stop, not its end: only a station-reported Available does.
        assert with_gap.stop == without.stop
        if with_gap.stop > facts.stop:
            assert any(x.status == "Available" and x.at == with_gap.stop for x in station_times)


@settings(max_examples=50, deadline=None)
@given(
    connected_before_stop=st.integers(0, 3600),
    left_after_stop=st.integers(1, 23 * 3600),
)
def test_an_available_without_timestamp_on_a_connection_open_since_the_stop_tells_when_the_car_left(
    connected_before_stop: int, left_after_stop: int
) -> None:
    stop = s(3600)
    connected = stop - timedelta(seconds=connected_before_stop)
    left = stop + timedelta(seconds=left_after_stop)
    available = StatusChange(left, "Available", timed=False, connected_at=connected)
    assert status_evidence([available], stop) == [available]
    assert car_left_at(stop, [available]) == left
    # The same status on a connection opened after the stop is not.
    reopened = StatusChange(
        left, "Available", timed=False, connected_at=stop + timedelta(seconds=1)
    )
    assert car_left_at(stop, [reopened]) is None
