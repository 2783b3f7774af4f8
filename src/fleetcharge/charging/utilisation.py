"""How much of each local day a station's connectors were in use. Pure: no I/O.

A connector is *in use* from a session's start to its stop (`start_date_time` to
`stop_date_time`: charging and any parking after it, as the session was recorded), so
overlapping sessions on one connector count once. A station's utilisation on a local day
(its location's time zone) is

    sum over its connectors of the time in use within that day
    ---------------------------------------------------------- x 100 %
        number of connectors x length of that day

where a day is local midnight to local midnight (23 or 25 hours when daylight saving
starts or ends). A session spanning midnight counts toward both days, each its own part.
The same ratio over several stations or days adds the numerators and the denominators
(`Occupancy`): it is never below 0 or above 100 %.
"""

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

Interval = tuple[float, float]  # [start, stop) in Unix seconds

PERCENT = Decimal("0.1")


@dataclass(frozen=True)
class Occupancy:
    """Seconds in use out of seconds available (connectors x day length)."""

    in_use_s: int = 0
    available_s: int = 0

    def __add__(self, other: "Occupancy") -> "Occupancy":
        return Occupancy(self.in_use_s + other.in_use_s, self.available_s + other.available_s)

    @property
    def percent(self) -> Decimal | None:
        """Utilisation in %, to one decimal (None when nothing was available)."""
        if self.available_s <= 0:
            return None
        share = Decimal(self.in_use_s) * 100 / Decimal(self.available_s)
        return share.quantize(PERCENT, rounding=ROUND_HALF_UP)


def day_bounds(day: date, zone: ZoneInfo) -> tuple[float, float]:
    """Local midnight of `day` to local midnight of the next day, in Unix seconds."""
    start = datetime.combine(day, time.min, tzinfo=zone).timestamp()
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).timestamp()
    return start, end


def merged(intervals: Iterable[Interval]) -> list[Interval]:
    """The intervals as disjoint ones, in order (empty or reversed ones dropped)."""
    result: list[Interval] = []
    for start, stop in sorted(i for i in intervals if i[1] > i[0]):
        if result and start <= result[-1][1]:
            if stop > result[-1][1]:
                result[-1] = (result[-1][0], stop)
        else:
            result.append((start, stop))
    return result


def in_use_per_day(intervals: Iterable[Interval], zone: ZoneInfo, days: list[date]) -> list[int]:
    """Whole seconds one connector was in use on each of `days` (local, consecutive,
    ascending), from its sessions' intervals."""
    if not days:
        return []
    # Day i runs from edges[i] to edges[i + 1].
    edges = [day_bounds(day, zone)[0] for day in days] + [day_bounds(days[-1], zone)[1]]
    seconds = [0.0] * len(days)
    for start, stop in merged(intervals):
        first = max(0, bisect_right(edges, start) - 1)
        for index in range(first, len(days)):
            if edges[index] >= stop:
                break
            overlap = min(stop, edges[index + 1]) - max(start, edges[index])
            if overlap > 0:
                seconds[index] += overlap
    return [int(s) for s in seconds]


def station_occupancy(
    sessions_by_connector: dict[int, list[Interval]],
    connectors: int,
    zone: ZoneInfo,
    days: list[date],
) -> list[Occupancy]:
    """Each day's occupancy of a station with `connectors` connectors, given its sessions'
    intervals by connector."""
    available = [connectors * day_seconds(day, zone) for day in days]
    in_use = [0] * len(days)
    for intervals in sessions_by_connector.values():
        for index, seconds in enumerate(in_use_per_day(intervals, zone, days)):
            in_use[index] += seconds
    # A session on a connector the station no longer lists cannot push it past 100 %.
    return [
        Occupancy(min(used, total), total) for used, total in zip(in_use, available, strict=True)
    ]


def day_seconds(day: date, zone: ZoneInfo) -> int:
    start, end = day_bounds(day, zone)
    return round(end - start)
