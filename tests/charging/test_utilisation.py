"""Utilisation: the share of each local day a connector was in use (charging.utilisation)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from fleetcharge.charging.utilisation import (
    Occupancy,
    day_seconds,
    in_use_per_day,
    merged,
    station_occupancy,
)

SYDNEY = ZoneInfo("Australia/Sydney")
# October 2026: daylight saving starts in Sydney on Sunday the 4th (a 23-hour day).
OCTOBER = [date(2026, 10, d) for d in range(1, 32)]
MONTH_START = datetime(2026, 10, 1, tzinfo=SYDNEY).astimezone(UTC)
MONTH_END = datetime(2026, 11, 1, tzinfo=SYDNEY).astimezone(UTC)


def local(day: int, hour: int, minute: int = 0, month: int = 10) -> float:
    return datetime(2026, month, day, hour, minute, tzinfo=SYDNEY).timestamp()


def test_a_session_spanning_midnight_counts_its_part_of_each_day() -> None:
    seconds = in_use_per_day([(local(10, 23), local(11, 1, 30))], SYDNEY, OCTOBER)
    assert seconds[9] == 3600 and seconds[10] == 5400
    assert sum(seconds) == 9000


def test_overlapping_sessions_on_a_connector_count_once_and_days_have_their_length() -> None:
    intervals = [(local(5, 8), local(5, 12)), (local(5, 10), local(5, 14))]
    assert in_use_per_day(intervals, SYDNEY, OCTOBER)[4] == 6 * 3600
    assert day_seconds(date(2026, 10, 4), SYDNEY) == 23 * 3600
    assert day_seconds(date(2026, 10, 5), SYDNEY) == 24 * 3600
    # In use all of the short day: 100 %, not 23/24.
    (whole,) = station_occupancy(
        {1: [(local(3, 12), local(5, 12))]}, 1, SYDNEY, [date(2026, 10, 4)]
    )
    assert whole.percent == Decimal("100.0")


def test_a_station_with_two_connectors_is_half_used_when_one_is_in_use_all_day() -> None:
    days = station_occupancy({1: [(local(6, 0), local(7, 0))], 2: []}, 2, SYDNEY, OCTOBER)
    assert days[5] == Occupancy(86400, 2 * 86400)
    assert days[5].percent == Decimal("50.0")
    assert days[6].percent == Decimal("0.0")
    assert Occupancy().percent is None


instants = st.datetimes(
    min_value=datetime(2026, 9, 25), max_value=datetime(2026, 11, 5), timezones=st.just(UTC)
)


@st.composite
def sessions(draw: st.DrawFn) -> list[tuple[float, float]]:
    found = []
    for start in draw(st.lists(instants, max_size=8)):
        length = draw(st.integers(min_value=0, max_value=3 * 86400))
        found.append((start.timestamp(), (start + timedelta(seconds=length)).timestamp()))
    return found


@given(sessions())
def test_each_day_is_between_0_and_100_percent_and_the_days_add_up(spans) -> None:
    seconds = in_use_per_day(spans, SYDNEY, OCTOBER)
    for day, used in zip(OCTOBER, seconds, strict=True):
        assert 0 <= used <= day_seconds(day, SYDNEY)
        percent = Occupancy(used, day_seconds(day, SYDNEY)).percent
        assert percent is not None and Decimal(0) <= percent <= Decimal(100)
    # Whole seconds per day: the days together lose less than a second each.
    in_month = sum(
        max(0.0, min(stop, MONTH_END.timestamp()) - max(start, MONTH_START.timestamp()))
        for start, stop in merged(spans)
    )
    assert in_month - len(OCTOBER) < sum(seconds) <= in_month


@given(sessions(), st.integers(min_value=1, max_value=4))
def test_a_station_is_never_used_beyond_its_connectors(spans, connectors) -> None:
    # Every session on connector 1 and the same ones again on a connector it does not list.
    days = station_occupancy({1: spans, 99: spans}, connectors, SYDNEY, OCTOBER)
    assert all(0 <= d.in_use_s <= d.available_s for d in days)
