"""A billing period: one calendar month, turned into UTC instants in an organisation's zone."""

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo

from fleetcharge.errors import InvalidParameter
from fleetcharge.timezones import zone

_PERIOD_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})")
# Bounded so that `next()` and the UTC conversion in `bounds()` can never overflow.
MIN_YEAR = 1900
MAX_YEAR = 9998


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not (MIN_YEAR <= self.year <= MAX_YEAR and 1 <= self.month <= 12):
            raise InvalidParameter(
                f"no billing period {self.year}-{self.month:02d}; expected YYYY-MM",
                parameter="period",
            )

    @classmethod
    def parse(cls, text: str) -> "Period":
        match = _PERIOD_TEXT.fullmatch(text)
        if match is None:
            raise InvalidParameter(
                f"billing period {text!r} is not a month like 2026-10", parameter="period"
            )
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def last_completed(cls, timezone: str, now: datetime) -> "Period":
        """The month before the one `now` falls in, on the clock of `timezone`."""
        today = now.astimezone(_zone(timezone)).date()
        if today.month == 1:
            return cls(today.year - 1, 12)
        return cls(today.year, today.month - 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def next(self) -> "Period":
        if self.month == 12:
            return Period(self.year + 1, 1)
        return Period(self.year, self.month + 1)

    def bounds(self, timezone: str) -> tuple[datetime, datetime]:
        """[start, end) of the month in `timezone`, as aware UTC instants.

        A midnight skipped by a DST change resolves to the instant the day starts.
        """
        tz = _zone(timezone)
        start = datetime.combine(self.first_day, time(), tzinfo=tz)
        end = datetime.combine(self.next().first_day, time(), tzinfo=tz)
        return start.astimezone(UTC), end.astimezone(UTC)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def _zone(timezone: str) -> tzinfo:
    try:
        return zone(timezone)
    except (KeyError, ValueError) as error:  # ZoneInfoNotFoundError is a KeyError
        raise InvalidParameter(f"unknown time zone {timezone!r}", parameter="timezone") from error
