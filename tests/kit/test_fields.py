"""Times and days typed by operators: any aware time is a UTC time in range, any day one
within the years kept, or an InvalidField naming the field, never an overflow."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetcharge.errors import InvalidField
from fleetcharge.kit.fields import day, moment


@given(st.datetimes(), st.integers(min_value=-1439, max_value=1439))
def test_any_time_with_an_offset_is_in_utc_or_refused(value: datetime, minutes: int) -> None:
    aware = value.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    try:
        utc = moment(aware, "expires_at")
    except InvalidField as error:
        assert error.field == "expires_at"
        return
    assert utc.tzinfo is UTC and utc == aware and 1970 <= utc.year <= 9998


def test_a_time_without_an_offset_is_refused() -> None:
    with pytest.raises(InvalidField, match="needs a UTC offset"):
        moment(datetime(2027, 1, 1), "from")


@given(st.dates())
def test_any_day_is_within_the_years_kept_or_refused(value: date) -> None:
    try:
        kept = day(value, "effective_from")
    except InvalidField as error:
        assert error.field == "effective_from" and not 1970 <= value.year <= 9998
        return
    assert kept == value and 1970 <= value.year <= 9998
    assert kept + timedelta(days=1) > kept  # a next day exists to compare or bill with
