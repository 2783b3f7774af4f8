"""Weekly limit windows as LimitSteps in the site's time zone, usual departures, energy."""

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from fleetcharge.sites.timing import (
    ALL_DAYS,
    Window,
    energy_needed,
    instant,
    intervals,
    limit_steps,
    next_departure,
)

BERLIN = ZoneInfo("Europe/Berlin")
SYDNEY = ZoneInfo("Australia/Sydney")
PEAK = Window(ALL_DAYS, time(16), time(21), 120.0)


def test_an_evening_window_across_spring_forward_in_berlin() -> None:
    """Clocks go forward on 29 March 2026: 16:00 local is 15:00 UTC before, 14:00 after."""
    now = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    steps = limit_steps([PEAK], BERLIN, 200.0, now, timedelta(hours=48))
    assert [(s.start, s.limit_kw) for s in steps] == [
        (now, 200.0),
        (datetime(2026, 3, 28, 15, tzinfo=UTC), 120.0),
        (datetime(2026, 3, 28, 20, tzinfo=UTC), 200.0),
        (datetime(2026, 3, 29, 14, tzinfo=UTC), 120.0),
        (datetime(2026, 3, 29, 19, tzinfo=UTC), 200.0),
    ]


def test_a_night_window_over_the_skipped_hour_and_weekdays_only() -> None:
    """01:00-03:00 on Sundays; 29 March 2026 has no 02:00-03:00 in Berlin: the window ends
    when the clock jumps (01:00 UTC), an hour after it began. Saturday has none."""
    night = Window(1 << 6, time(1), time(3), 50.0)
    now = datetime(2026, 3, 27, 23, 0, tzinfo=UTC)
    steps = limit_steps([night], BERLIN, 200.0, now, timedelta(hours=48))
    assert [(s.start, s.limit_kw) for s in steps] == [
        (now, 200.0),
        (datetime(2026, 3, 29, 0, tzinfo=UTC), 50.0),
        (datetime(2026, 3, 29, 1, tzinfo=UTC), 200.0),
    ]


def test_a_skipped_local_time_is_the_change_itself() -> None:
    assert instant(date(2026, 3, 29), time(2, 30), BERLIN) == datetime(2026, 3, 29, 1, tzinfo=UTC)
    # Repeated (25 October 2026): the first one, still summer time.
    assert instant(date(2026, 10, 25), time(2, 30), BERLIN) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def test_overlapping_windows_take_the_lowest_and_never_raise_the_base() -> None:
    now = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)  # Monday, 10:00 in Sydney
    windows = [
        Window(ALL_DAYS, time(11), time(13), 150.0),
        Window(ALL_DAYS, time(12), time(14), 90.0),
        Window(ALL_DAYS, time(15), time(16), 500.0),
    ]
    steps = limit_steps(windows, SYDNEY, 200.0, now, timedelta(hours=8))
    assert [(s.start.astimezone(SYDNEY).hour, s.limit_kw) for s in steps] == [
        (10, 200.0),
        (11, 150.0),
        (12, 90.0),
        (14, 200.0),
    ]


def test_no_windows_no_steps() -> None:
    assert (
        limit_steps([], BERLIN, 200.0, datetime(2026, 1, 1, tzinfo=UTC), timedelta(hours=12)) == ()
    )


zones = st.sampled_from(["Europe/Berlin", "Australia/Sydney", "America/New_York", "UTC"])
times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
windows = st.builds(
    Window,
    st.integers(1, ALL_DAYS),
    times,
    times,
    st.sampled_from([0.0, 50.0, 120.0, 180.0, 250.0]),
)
# Around the 2026 DST changes of the zones above, and ordinary days.
moments = st.sampled_from(
    [
        datetime(2026, 3, 7, tzinfo=UTC),
        datetime(2026, 3, 28, tzinfo=UTC),
        datetime(2026, 4, 4, tzinfo=UTC),
        datetime(2026, 10, 3, tzinfo=UTC),
        datetime(2026, 10, 24, tzinfo=UTC),
        datetime(2026, 10, 31, tzinfo=UTC),
        datetime(2026, 7, 1, tzinfo=UTC),
    ]
).flatmap(lambda day: st.builds(lambda m: day + timedelta(minutes=m), st.integers(0, 2 * 1440)))


@settings(max_examples=150, deadline=None)
@given(
    zone=zones,
    ws=st.lists(windows, max_size=3),
    now=moments,
    probes=st.lists(st.integers(0, 12 * 60 - 1), min_size=1, max_size=8),
)
def test_the_steps_give_the_limit_in_force_at_every_instant(
    zone: str, ws: list[Window], now: datetime, probes: list[int]
) -> None:
    tz = ZoneInfo(zone)
    horizon = timedelta(hours=12)
    steps = limit_steps(ws, tz, 200.0, now, horizon)
    if not ws:
        assert steps == ()
        return
    assert steps[0].start == now
    assert all(a.start < b.start for a, b in itertools.pairwise(steps))
    assert all(a.limit_kw != b.limit_kw for a, b in itertools.pairwise(steps))
    assert all(s.limit_kw <= 200.0 for s in steps)
    for minutes in probes:
        moment = now + timedelta(minutes=minutes)
        in_force = [s for s in steps if s.start <= moment][-1].limit_kw
        assert in_force == _brute_force(ws, tz, moment)


def _brute_force(ws: list[Window], tz: ZoneInfo, moment: datetime) -> float:
    """By the site's wall clock: a window is in force from the first instant its day's clock
    reads `starts` until it first reads `ends` (on the next day if `ends` <= `starts`)."""
    limits = [200.0]
    local_day = moment.astimezone(tz).date()
    for w in ws:
        for day in (local_day - timedelta(days=1), local_day):
            if not w.weekdays >> day.weekday() & 1:
                continue
            end_day = day if w.ends > w.starts else day + timedelta(days=1)
            if instant(day, w.starts, tz) <= moment < instant(end_day, w.ends, tz):
                limits.append(w.limit_kw)
    return min(limits)


@settings(max_examples=100, deadline=None)
@given(zone=zones, day=st.dates(date(2026, 1, 1), date(2026, 12, 31)), at=times)
def test_an_instant_reads_its_wall_time_or_lies_at_a_skipped_hour(
    zone: str, day: date, at: time
) -> None:
    tz = ZoneInfo(zone)
    moment = instant(day, at, tz)
    wall = datetime.combine(day, at)
    local = moment.astimezone(tz).replace(tzinfo=None)
    if local != wall:  # skipped: the clock jumped over it at `moment`
        before = (moment - timedelta(seconds=1)).astimezone(tz).replace(tzinfo=None)
        assert before < wall < local


def test_intervals_include_a_window_that_began_yesterday() -> None:
    night = Window(ALL_DAYS, time(22), time(6), 80.0)
    now = datetime(2026, 7, 1, 1, 0, tzinfo=UTC)  # 03:00 in Berlin
    found = intervals([night], BERLIN, now, now + timedelta(hours=1))
    assert (
        datetime(2026, 6, 30, 20, tzinfo=UTC),
        datetime(2026, 7, 1, 4, tzinfo=UTC),
        80.0,
    ) in found


def test_next_departure_is_the_next_usual_one_after_now() -> None:
    weekdays = {d: "05:30" for d in ("mon", "tue", "wed", "thu", "fri")}
    friday_evening = datetime(2026, 7, 3, 16, 0, tzinfo=UTC)  # 18:00 Friday in Berlin
    assert next_departure(weekdays, BERLIN, friday_evening) == datetime(
        2026, 7, 6, 3, 30, tzinfo=UTC
    )
    monday_early = datetime(2026, 7, 6, 2, 0, tzinfo=UTC)
    assert next_departure(weekdays, BERLIN, monday_early) == datetime(2026, 7, 6, 3, 30, tzinfo=UTC)
    assert next_departure({}, BERLIN, monday_early) is None


def test_energy_needed_is_never_negative() -> None:
    assert energy_needed(30.0, 50.0, 10.0) == 20.0  # the session's own need wins
    assert energy_needed(None, 50.0, 10.0) == 40.0
    assert energy_needed(None, 50.0, 70.0) == 0.0
    assert energy_needed(None, None, 3.0) is None


@given(
    need=st.none() | st.floats(0, 500),
    target=st.none() | st.floats(0, 500),
    delivered=st.floats(-10, 600),
)
def test_energy_needed_properties(
    need: float | None, target: float | None, delivered: float
) -> None:
    result = energy_needed(need, target, delivered)
    wanted = need if need is not None else target
    if wanted is None:
        assert result is None
    else:
        assert result is not None and 0 <= result <= wanted
