"""Local wall-clock boundaries (time-of-day restrictions, midnights, DST changes) as UTC instants.

Restrictions are evaluated on the location's wall clock. A boundary "local time T on day d"
happens at every instant the wall clock reaches T: twice when T falls in the hour repeated when
daylight saving ends, and at the transition itself when T falls in the hour skipped when it
starts. Transition instants are boundaries too, since the wall clock jumps there.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from fleetcharge.timezones import zone

ONE_DAY = timedelta(days=1)
MIDNIGHT = time(0, 0)


def _transition(tz: ZoneInfo, lo: datetime, hi: datetime) -> datetime:
    """The first whole-second UTC instant in (lo, hi] with hi's UTC offset (lo's differs)."""
    target = hi.astimezone(tz).utcoffset()
    lo_s, hi_s = 0, int((hi - lo).total_seconds())
    while hi_s - lo_s > 1:
        mid = (lo_s + hi_s) // 2
        if (lo + timedelta(seconds=mid)).astimezone(tz).utcoffset() == target:
            hi_s = mid
        else:
            lo_s = mid
    return lo + timedelta(seconds=hi_s)


def _utc(tz: ZoneInfo, naive: datetime, fold: int) -> datetime:
    return naive.replace(tzinfo=tz, fold=fold).astimezone(UTC)


@lru_cache(maxsize=65536)
def day_boundaries(tz_name: str, day: date, times: tuple[time, ...]) -> tuple[datetime, ...]:
    """UTC instants on local `day` when the wall clock reaches each of `times` (and midnight),
    plus the day's DST transition if it has one."""
    tz = zone(tz_name)
    out: set[datetime] = set()
    for t in (MIDNIGHT, *times):
        naive = datetime.combine(day, t)
        early, late = _utc(tz, naive, 1), _utc(tz, naive, 0)
        if late.astimezone(tz).replace(tzinfo=None) != naive:
            # Skipped by a forward jump: the clock passes T at the transition.
            lo, hi = min(early, late), max(early, late)
            out.add(_transition(tz, lo, hi))
        else:
            out.add(early)
            out.add(late)
    day_start = _utc(tz, datetime.combine(day, MIDNIGHT), 0)
    next_start = _utc(tz, datetime.combine(day + ONE_DAY, MIDNIGHT), 0)
    if day_start.astimezone(tz).utcoffset() != next_start.astimezone(tz).utcoffset():
        out.add(_transition(tz, day_start, next_start))
    return tuple(sorted(out))


def boundaries(
    tz_name: str, start: datetime, stop: datetime, times: tuple[time, ...]
) -> list[datetime]:
    """Every wall-clock boundary strictly between start and stop (aware datetimes)."""
    tz = zone(tz_name)
    day = start.astimezone(tz).date() - ONE_DAY
    last = stop.astimezone(tz).date() + ONE_DAY
    out: list[datetime] = []
    while day <= last:
        out.extend(b for b in day_boundaries(tz_name, day, times) if start < b < stop)
        day += ONE_DAY
    return out
