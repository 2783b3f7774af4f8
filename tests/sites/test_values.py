"""Reading operators' powers, weekdays, times, departures and the schedule CSV."""

from datetime import time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetcharge.sites import values
from fleetcharge.sites.timing import ALL_DAYS, WEEKDAYS


@pytest.mark.parametrize(
    ("text", "kw"),
    [
        ("200kW", "200"),
        ("200 kW", "200"),
        ("200000W", "200.000"),
        ("0.2MW", "200.0"),
        ("7.4 kw", "7.4"),
    ],
)
def test_site_powers(text: str, kw: str) -> None:
    assert values.site_power_kw(text) == Decimal(kw)


@pytest.mark.parametrize("text", ["32A", "200", "kW", "-5kW", "200 kWh", "1e3kW", ""])
def test_not_a_site_power(text: str) -> None:
    with pytest.raises(ValueError):
        values.site_power_kw(text)


def test_a_circuit_may_be_limited_in_amps() -> None:
    assert values.power("32A") == values.Power(Decimal(32), "A")


@given(st.integers(0, 10**7), st.sampled_from(["W", "kW", "MW"]), st.sampled_from(["", " "]))
def test_every_unit_scales_to_kw(number: int, unit: str, space: str) -> None:
    scale = {"W": Decimal("0.001"), "kW": Decimal(1), "MW": Decimal(1000)}[unit]
    assert values.power(f"{number}{space}{unit}") == values.Power(number * scale, "kW")


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon-fri", ["mon", "tue", "wed", "thu", "fri"]),
        ("sat,sun", ["sat", "sun"]),
        ("fri-mon", ["mon", "fri", "sat", "sun"]),
        ("mon,wed-thu", ["mon", "wed", "thu"]),
        ("daily", list(WEEKDAYS)),
    ],
)
def test_weekdays(text: str, days: list[str]) -> None:
    mask = values.weekdays(text)
    assert [WEEKDAYS[d] for d in range(7) if mask >> d & 1] == days


@given(st.integers(1, ALL_DAYS))
def test_weekdays_text_reads_back(mask: int) -> None:
    assert values.weekdays(values.days_text(mask)) == mask


@pytest.mark.parametrize("text", ["monday", "mon-", "", "mon;tue"])
def test_not_weekdays(text: str) -> None:
    with pytest.raises(ValueError):
        values.weekdays(text)


def test_times_and_departures() -> None:
    assert values.local_time("05:30") == time(5, 30)
    for bad in ("5:30", "24:00", "05:60", "0530"):
        with pytest.raises(ValueError):
            values.local_time(bad)
    assert values.departures(["mon-fri=05:30", "fri=07:00"]) == {
        "mon": "05:30", "tue": "05:30", "wed": "05:30", "thu": "05:30", "fri": "07:00",
    }  # fmt: skip
    assert values.departures(["none"]) == {}
    with pytest.raises(ValueError):
        values.departures(["mon-fri"])


def test_the_schedule_file() -> None:
    text = (
        '# peak\n\ndays,start,end,limit_kw\nmon-fri,16:00,21:00,120\n"sat,sun",22:00,06:00,150.5\n'
    )
    windows = values.schedule_csv(text)
    assert [(w.weekdays, w.starts, w.ends, w.limit_kw) for w in windows] == [
        (0b0011111, time(16), time(21), 120.0),
        (0b1100000, time(22), time(6), 150.5),
    ]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("", 1, None),
        ("day,start,end,limit_kw\n", 1, None),
        ("days,start,end,limit_kw\nmon,16:00,21:00\n", 2, None),
        ("days,start,end,limit_kw\nmon,16:00,21:00,1\nmonday,16:00,21:00,1\n", 3, "days"),
        ("days,start,end,limit_kw\n#\nmon,16:00,25:00,1\n", 3, "end"),
        ("days,start,end,limit_kw\nmon,16:00,16:00,1\n", 2, "end"),
        ("days,start,end,limit_kw\nmon,16:00,17:00,-1\n", 2, "limit_kw"),
        ("days,start,end,limit_kw\nmon,16:00,17:00,1.25\n", 2, "limit_kw"),
        ("days,start,end,limit_kw\nmon,16:00,17:00,32A\n", 2, "limit_kw"),
    ],
)
def test_a_bad_schedule_file_names_the_line_and_column(
    text: str, line: int, column: str | None
) -> None:
    with pytest.raises(values.FileError) as error:
        values.schedule_csv(text)
    assert (error.value.line, error.value.column) == (line, column)
    assert str(error.value).startswith(f"line {line}")
