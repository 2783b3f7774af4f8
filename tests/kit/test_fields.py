"""Times typed by operators: any aware time is a UTC time in range or an InvalidField
naming the field, never an overflow."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetcharge.errors import InvalidField
from fleetcharge.kit.fields import moment


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
