"""Calendar months (`2026-10`): parsed strictly, their first and last days, the months
around them. Billing periods (`billing.Period`) and the fleet overview build on this."""

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Self

from fleetcharge.errors import InvalidParameter

_MONTH_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})")
# Bounded so that the months around one, and UTC conversions of their days, never overflow.
MIN_YEAR = 1900
MAX_YEAR = 9998


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    # What a bad value is called in errors, and the parameter named: subclasses rename it.
    noun = "month"
    parameter = "month"

    def __post_init__(self) -> None:
        if not (MIN_YEAR <= self.year <= MAX_YEAR and 1 <= self.month <= 12):
            raise InvalidParameter(
                f"no {self.noun} {self.year}-{self.month:02d}; expected YYYY-MM from "
                f"{MIN_YEAR}-01 to {MAX_YEAR}-12",
                parameter=self.parameter,
            )

    @classmethod
    def parse(cls, text: str) -> Self:
        match = _MONTH_TEXT.fullmatch(text)
        if match is None:
            raise InvalidParameter(
                f"{cls.noun} {text!r} is not a month like 2026-10", parameter=cls.parameter
            )
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: date) -> Self:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def days(self) -> Iterator[date]:
        day = self.first_day
        while day.month == self.month:
            yield day
            day += timedelta(days=1)

    def next(self) -> Self:
        if self.month == 12:
            return type(self)(self.year + 1, 1)
        return type(self)(self.year, self.month + 1)

    def previous(self) -> Self:
        if self.month == 1:
            return type(self)(self.year - 1, 12)
        return type(self)(self.year, self.month - 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
