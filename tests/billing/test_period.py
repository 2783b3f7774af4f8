from datetime import UTC, date, datetime

import pytest

from fleetcharge.billing import Period
from fleetcharge.errors import InvalidParameter


def test_parse_and_format_round_trip() -> None:
    period = Period.parse("2026-10")
    assert period == Period(2026, 10)
    assert str(period) == "2026-10"
    assert str(Period(2024, 2)) == "2024-02"


@pytest.mark.parametrize(
    "text",
    ["", "2026", "2026-1", "2026-13", "2026-00", "26-10", "2026-10-01", " 2026-10", "٢٠٢٦-10"],
)
def test_parse_rejects_anything_but_a_month(text: str) -> None:
    with pytest.raises(InvalidParameter) as raised:
        Period.parse(text)
    assert raised.value.parameter == "period"


def test_days_of_the_month() -> None:
    assert Period(2024, 2).first_day == date(2024, 2, 1)
    assert Period(2024, 2).last_day == date(2024, 2, 29)
    assert Period(2025, 2).last_day == date(2025, 2, 28)
    assert Period(2026, 12).last_day == date(2026, 12, 31)


def test_next_and_ordering() -> None:
    assert Period(2026, 11).next() == Period(2026, 12)
    assert Period(2026, 12).next() == Period(2027, 1)
    assert sorted([Period(2027, 1), Period(2026, 12), Period(2026, 2)]) == [
        Period(2026, 2),
        Period(2026, 12),
        Period(2027, 1),
    ]


def test_bounds_follow_the_zone_and_its_daylight_saving() -> None:
    # Sydney moves from AEST (+10) to AEDT (+11) on 2026-10-04.
    assert Period(2026, 10).bounds("Australia/Sydney") == (
        datetime(2026, 9, 30, 14, tzinfo=UTC),
        datetime(2026, 10, 31, 13, tzinfo=UTC),
    )
    assert Period(2026, 10).bounds("Australia/Perth") == (
        datetime(2026, 9, 30, 16, tzinfo=UTC),
        datetime(2026, 10, 31, 16, tzinfo=UTC),
    )
    start, end = Period(2026, 12).bounds("UTC")
    assert (start, end) == (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert start.tzinfo is UTC


def test_unknown_zone_is_an_invalid_parameter() -> None:
    with pytest.raises(InvalidParameter):
        Period(2026, 10).bounds("Mars/Olympus_Mons")
