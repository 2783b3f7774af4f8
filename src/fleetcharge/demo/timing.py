"""The demo's calendar: which months it covers and where the clocks change."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from fleetcharge.timezones import zone

# Months are counted in the westernmost zone, so a "completed" month is over everywhere.
REFERENCE_TIMEZONE = "Australia/Perth"
COMPLETED_MONTHS = 6


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> "Month":
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> "Month":
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)


@dataclass(frozen=True)
class DemoWindow:
    """Sessions complete in [start, end): six completed months and the current one so far."""

    start: datetime
    end: datetime
    completed_months: tuple[Month, ...]

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())


def demo_window(now: datetime) -> DemoWindow:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC).replace(microsecond=0)
    local_today = now.astimezone(zone(REFERENCE_TIMEZONE)).date()
    month = Month(local_today.year, local_today.month)
    completed = []
    for _ in range(COMPLETED_MONTHS):
        month = month.previous()
        completed.append(month)
    first = completed[-1]
    start = local_instant(first.first_day, time(0, 0), REFERENCE_TIMEZONE)
    return DemoWindow(start, now, tuple(reversed(completed)))


def local_instant(day: date, at: time, timezone: str) -> datetime:
    """The UTC instant of a wall-clock time; on a repeated hour, the first occurrence."""
    return datetime.combine(day, at, tzinfo=zone(timezone)).astimezone(UTC)


def offset_changes(timezone: str, start: datetime, end: datetime) -> list[date]:
    """Local dates in [start, end) on which the zone's UTC offset changes (DST starts or ends)."""
    tz = zone(timezone)
    changes = []
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day < last:
        before = datetime.combine(day, time(0, 30), tzinfo=tz).utcoffset()
        after = datetime.combine(day, time(12, 0), tzinfo=tz).utcoffset()
        if before != after:
            changes.append(day)
        day += timedelta(days=1)
    return changes
