"""Local times at a site turned into instants: the weekly limit windows as LimitSteps, and a
vehicle's usual departure. Pure.

A local time that does not exist (the hour skipped when clocks go forward) means the first
instant the clock reads later than it, the change itself; one that happens twice (clocks go
back) means its first occurrence.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fleetcharge.smart_charging.problem import LimitStep

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_DAYS = 0b1111111


@dataclass(frozen=True, slots=True)
class Window:
    """On each weekday of the `weekdays` bit mask (bit 0 Monday), from `starts` to `ends`
    local time (`ends` <= `starts`: until `ends` the next day), at most `limit_kw`."""

    weekdays: int
    starts: time
    ends: time
    limit_kw: float

    def days(self) -> list[int]:
        return [d for d in range(7) if self.weekdays >> d & 1]


def instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant the site's clock reads `at` on `day` (see the module's rules)."""
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=zone, fold=0)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall:
        return first.astimezone(UTC)
    # Skipped: the change lies between the two readings of the wall time; find it.
    low = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = first.astimezone(UTC)
    if low > high:
        low, high = high, low
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).replace(tzinfo=None) < wall:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0) if high.microsecond else high


def intervals(
    windows: list[Window], zone: ZoneInfo, start: datetime, end: datetime
) -> list[tuple[datetime, datetime, float]]:
    """Every window occurrence overlapping [start, end), as UTC (from, to, limit_kw)."""
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    out: list[tuple[datetime, datetime, float]] = []
    day = first
    while day <= last:
        for window in windows:
            if not window.weekdays >> day.weekday() & 1:
                continue
            ends_on = day if window.ends > window.starts else day + timedelta(days=1)
            begin = instant(day, window.starts, zone)
            finish = instant(ends_on, window.ends, zone)
            if begin < end and finish > start and finish > begin:
                out.append((begin, finish, window.limit_kw))
        day += timedelta(days=1)
    return out


def limit_at(
    occurrences: list[tuple[datetime, datetime, float]], base_kw: float, moment: datetime
) -> float:
    """The site limit at `moment`: the lowest of the windows in force and the base limit."""
    limits = [limit for begin, finish, limit in occurrences if begin <= moment < finish]
    return min([base_kw, *limits])


def limit_steps(
    windows: list[Window], zone: ZoneInfo, base_kw: float, now: datetime, horizon: timedelta
) -> tuple[LimitStep, ...]:
    """The site limit from `now` over `horizon`: a step at `now` and at every change. A
    window caps the limit (the lower of it and the base limit applies); no windows: ()."""
    if not windows:
        return ()
    end = now + horizon
    occurrences = intervals(windows, zone, now, end)
    moments = {now}
    for begin, finish, _ in occurrences:
        moments.update(m for m in (begin, finish) if now < m < end)
    steps: list[LimitStep] = []
    for moment in sorted(moments):
        limit = limit_at(occurrences, base_kw, moment)
        if not steps or steps[-1].limit_kw != limit:
            steps.append(LimitStep(moment, limit))
    return tuple(steps)


def next_departure(times: dict[str, str], zone: ZoneInfo, now: datetime) -> datetime | None:
    """The first usual departure after `now` ({"mon": "05:30", ...}, local), UTC."""
    today = now.astimezone(zone).date()
    for offset in range(8):
        day = today + timedelta(days=offset)
        text = times.get(WEEKDAYS[day.weekday()])
        if text is None:
            continue
        moment = instant(day, time.fromisoformat(text), zone)
        if moment > now:
            return moment
    return None


def energy_needed(
    need_kwh: float | None, target_kwh: float | None, delivered_kwh: float
) -> float | None:
    """What the transaction still needs: its own need, else its vehicle's target, less what
    it has delivered (never below 0); None: unknown."""
    wanted = need_kwh if need_kwh is not None else target_kwh
    if wanted is None:
        return None
    return max(0.0, wanted - max(0.0, delivered_kwh))
