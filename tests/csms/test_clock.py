from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetcharge.csms.clock import ClockPolicy, iso_utc, parse_timestamp, station_time
from fleetcharge.models.ocpp import Flag

RECEIVED = datetime(2025, 3, 3, 23, 0, tzinfo=UTC)
POLICY = ClockPolicy(max_future=timedelta(minutes=15), max_past=timedelta(days=30))


@pytest.mark.parametrize(
    ("text", "used", "flags"),
    [
        ("2025-03-03T23:00:00Z", RECEIVED, set()),
        ("2025-03-03T23:14:59.500Z", RECEIVED + timedelta(minutes=14, seconds=59.5), set()),
        ("2025-03-04T10:00:00+11:00", RECEIVED, set()),
        ("2025-03-03T23:15:01Z", RECEIVED, {Flag.CLOCK_ADJUSTED}),
        ("2025-03-01T08:00:00Z", datetime(2025, 3, 1, 8, tzinfo=UTC), set()),  # offline replay
        ("2025-01-01T00:00:00Z", RECEIVED, {Flag.CLOCK_ADJUSTED}),
        ("1970-01-01T00:00:00Z", RECEIVED, {Flag.CLOCK_ADJUSTED}),
        ("2025-03-04T10:00:00", RECEIVED, {Flag.LOCAL_CLOCK}),  # Sydney wall clock
        ("2025-03-04T23:00:00", RECEIVED, {Flag.LOCAL_CLOCK, Flag.CLOCK_ADJUSTED}),
    ],
)
def test_station_times_are_bounded(text: str, used: datetime, flags: set[Flag]) -> None:
    moment = station_time(text, RECEIVED, "Australia/Sydney", POLICY)
    assert (moment.used, moment.flags) == (used, flags)
    assert moment.reported == parse_timestamp(text, "Australia/Sydney")[0]


@pytest.mark.parametrize("text", ["", "yesterday", "2025-13-01T00:00:00Z", "12:00"])
def test_unreadable_timestamps_raise(text: str) -> None:
    with pytest.raises(ValueError):
        station_time(text, RECEIVED, "Australia/Sydney", POLICY)


def test_current_time_is_utc_with_milliseconds() -> None:
    assert (
        iso_utc(datetime(2025, 3, 4, 10, 0, 0, 123456, tzinfo=RECEIVED.tzinfo))
        == "2025-03-04T10:00:00.123Z"
    )


@pytest.mark.parametrize("text", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_times_beyond_what_utc_can_hold_are_replaced(text: str) -> None:
    moment = station_time(text, RECEIVED, "Australia/Sydney", POLICY)
    assert (moment.reported, moment.used, moment.flags) == (
        RECEIVED,
        RECEIVED,
        {Flag.CLOCK_ADJUSTED},
    )


@given(
    moment=st.datetimes(),
    offset_minutes=st.one_of(st.none(), st.integers(min_value=-1439, max_value=1439)),
)
def test_any_timestamp_is_used_within_the_policy(
    moment: datetime, offset_minutes: int | None
) -> None:
    if offset_minutes is not None:
        moment = moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    used = station_time(moment.isoformat(), RECEIVED, "Australia/Sydney", POLICY)
    assert RECEIVED - POLICY.max_past <= used.used <= RECEIVED + POLICY.max_future
    assert used.reported.astimezone(UTC)  # storable
