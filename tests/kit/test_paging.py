"""The list endpoints' query parameters, parsed strictly: bad input names the parameter."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from fleetcharge.errors import InvalidParameter
from fleetcharge.kit.paging import DateBound, ListParams, parse_list_params

BAD_PAGES = ["0", "-1", "abc", "1.5", "1e3", "+1", "0x10", "\u0661", "1 2", "99999999999999", "%00"]
BAD_DATES = [
    "2024-02-30",
    "2024-13-01",
    "2023-02-29",
    "2024-00-10",
    "yesterday",
    "garbage",
    "2024-1-5",
    "20240105",
    "2024/01/05",
    "2024-01-05T",
    "2024-01-05T25:00:00Z",
    "2024-01-05T10:00:00",  # an instant needs an offset
    "2024-01-05T10:00:00+24:00",
    "2024-01-05 10:00:00Z",
    "0001-01-01T00:00:00+01:00",  # before the first representable UTC instant
    "9999-12-31T23:00:00-05:00",  # after the last one
    "now",
]


def test_parse_list_params() -> None:
    assert parse_list_params(None) == ListParams(page=1)
    assert parse_list_params("", "", " ") == ListParams(page=1)
    assert parse_list_params(" 7 ") == ListParams(page=7)
    assert parse_list_params("3").offset == 200
    params = parse_list_params("1", "2024-01-31", "2024-02-01T10:30:00+10:30")
    assert params.date_from == DateBound(day=date(2024, 1, 31))
    assert params.date_to == DateBound(
        instant=datetime(2024, 2, 1, 10, 30, tzinfo=timezone(timedelta(hours=10, minutes=30)))
    )
    assert parse_list_params("1", "2024-02-01T00:00:00Z").date_from == DateBound(
        instant=datetime(2024, 2, 1, tzinfo=UTC)
    )
    for page in BAD_PAGES:
        with pytest.raises(InvalidParameter) as caught:
            parse_list_params(page)
        assert caught.value.parameter == "page"
    for value in BAD_DATES:
        with pytest.raises(InvalidParameter) as caught:
            parse_list_params(None, None, value)
        assert caught.value.parameter == "date_to"
