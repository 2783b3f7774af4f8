"""A billing period: one calendar month, turned into UTC instants in an organisation's zone."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo

from fleetcharge.errors import InvalidParameter
from fleetcharge.kit.months import Month
from fleetcharge.timezones import zone


@dataclass(frozen=True, order=True)
class Period(Month):
    noun = "billing period"
    parameter = "period"

    @classmethod
    def last_completed(cls, timezone: str, now: datetime) -> "Period":
        """The month before the one `now` falls in, on the clock of `timezone`."""
        return cls.of(now.astimezone(_zone(timezone)).date()).previous()

    def bounds(self, timezone: str) -> tuple[datetime, datetime]:
        """[start, end) of the month in `timezone`, as aware UTC instants.

        A midnight skipped by a DST change resolves to the instant the day starts.
        """
        tz = _zone(timezone)
        start = datetime.combine(self.first_day, time(), tzinfo=tz)
        end = datetime.combine(self.next().first_day, time(), tzinfo=tz)
        return start.astimezone(UTC), end.astimezone(UTC)


def _zone(timezone: str) -> tzinfo:
    try:
        return zone(timezone)
    except (KeyError, ValueError) as error:  # ZoneInfoNotFoundError is a KeyError
        raise InvalidParameter(f"unknown time zone {timezone!r}", parameter="timezone") from error
