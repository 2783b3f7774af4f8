"""Month arithmetic (`kit.months`) and the figures of the fleet overview (`charging.figures`):
properties over any month and amount, and worked examples."""

import calendar
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetcharge.billing import Period
from fleetcharge.charging.figures import Totals, average_price
from fleetcharge.errors import InvalidParameter
from fleetcharge.kit.months import MAX_YEAR, MIN_YEAR, Month

months = st.builds(Month, st.integers(MIN_YEAR + 1, MAX_YEAR - 1), st.integers(1, 12))
money = st.decimals(min_value=0, max_value=10**7, places=2)
energy = st.decimals(min_value=0, max_value=10**6, places=3)


@given(months)
def test_a_month_is_its_days_and_sits_between_its_neighbours(month: Month) -> None:
    days = list(month.days())
    assert days[0] == month.first_day and days[-1] == month.last_day
    assert len(days) == calendar.monthrange(month.year, month.month)[1]
    assert all(later - earlier == timedelta(days=1) for earlier, later in pairwise(days))
    assert month.previous().last_day + timedelta(days=1) == month.first_day
    assert month.next().first_day == month.last_day + timedelta(days=1)
    assert month.previous().next() == month == month.next().previous()
    assert month.previous() < month < month.next()
    assert Month.parse(str(month)) == month
    assert all(Month.of(day) == month for day in (month.first_day, month.last_day))


@given(st.dates(date(MIN_YEAR, 2, 1), date(MAX_YEAR, 11, 30)))
def test_every_day_is_in_exactly_its_month(day: date) -> None:
    month = Month.of(day)
    assert month.first_day <= day <= month.last_day
    assert not (month.previous().first_day <= day <= month.previous().last_day)


def test_worked_examples_of_months() -> None:
    assert Month(2026, 1).previous() == Month(2025, 12)
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2024, 2).last_day == date(2024, 2, 29)  # a leap year
    assert Month(2100, 2).last_day == date(2100, 2, 28)  # a century that is not
    assert len(list(Month(2026, 10).days())) == 31
    # A billing period is a month too, with its own name in errors.
    assert Period(2026, 3).previous() == Period(2026, 2)
    assert isinstance(Period(2026, 1).previous(), Period)


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "26-10", "2026-1", "October", "", "0000-01"]
)
def test_a_month_that_is_none_names_the_parameter(text: str) -> None:
    with pytest.raises(InvalidParameter) as raised:
        Month.parse(text)
    assert raised.value.parameter == "month"
    with pytest.raises(InvalidParameter) as raised_period:
        Period.parse(text)
    assert raised_period.value.parameter == "period"


@given(money, energy)
def test_the_average_price_times_the_energy_is_the_cost(cost: Decimal, kwh: Decimal) -> None:
    price = average_price(cost, kwh)
    if kwh == 0:
        assert price is None  # no energy: no price, never a division by zero
        return
    assert price is not None
    assert price == price.quantize(Decimal("0.0001"))
    # Rounded to 0.0001 per kWh: off from the cost by at most half of that per kWh.
    assert abs(price * kwh - cost) <= Decimal("0.00005") * kwh


@given(st.lists(st.tuples(st.integers(0, 50), energy, money), max_size=20))
def test_totals_add_up_in_any_order(parts: list[tuple[int, Decimal, Decimal]]) -> None:
    totals = [Totals(*part) for part in parts]
    forwards = sum(totals, Totals())
    backwards = sum(reversed(totals), Totals())
    assert forwards == backwards
    assert forwards.sessions == sum(p[0] for p in parts)
    assert forwards.cost == sum((p[2] for p in parts), Decimal(0))


def test_worked_examples_of_average_prices() -> None:
    assert average_price(Decimal("45.00"), Decimal("100.000")) == Decimal("0.4500")
    assert average_price(Decimal("10.00"), Decimal("3.000")) == Decimal("3.3333")
    assert average_price(Decimal("2.00"), Decimal("3.000")) == Decimal("0.6667")  # half up
    assert average_price(Decimal("5.00"), Decimal("0.000")) is None
    assert Totals().average_price is None
    assert Totals(2, Decimal("30.000"), Decimal("13.50")).average_price == Decimal("0.4500")
