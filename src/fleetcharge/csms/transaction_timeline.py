"""From what a station reported about one transaction to the pricing engine's Timeline. Pure.

Energy is meterStop - meterStart (Wh). That works for a register that restarts at 0 every
transaction as for a lifetime register. Readings that go down are ignored (a meter reset,
a register on another scale) and flagged, so energy is never negative; readings above
meterStop are believed when physically possible (a station that sent a stale meterStop).

Charging vs idle: the car is idle wherever the register did not move between two readings,
and wherever the connector reported SuspendedEV, SuspendedEVSE or Finishing - unless the
register rose between two readings inside that status (the status was stale). Charging
ends where the last idle stretch reaching the stop begins.

Statuses are evidence of time only when their time is the station's: one it reported, or
the receipt of one without a timestamp while the station had been connected all along
(`status_evidence`). A status without a timestamp received after a gap in the connection
(the station reconnected, with its offline queue) happened at some unknown time during the
gap: it moves neither a session's end nor its idle (parking) time.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from fleetcharge.models.ocpp import Flag
from fleetcharge.pricing.schemas import DEFAULT_TIMEZONE, MeterSample, Timeline

IDLE_STATUSES = frozenset({"SuspendedEV", "SuspendedEVSE", "Finishing"})
# Readings implying more than this power are from another register or a broken meter. Far
# above any car charger, so that a station configured with too low a max power is never
# under-billed; lifetime registers and resets are off by orders of magnitude.
MIN_PLAUSIBLE_KW = Decimal(350)
PLAUSIBLE_MARGIN = Decimal("1.25")
PLAUSIBLE_SLACK_WH = Decimal(1000)
WH_PER_KWH = Decimal(1000)
AVAILABLE = "Available"
# A connector reporting Available later than this after the stop says nothing about when
# the car left (the station was probably offline in between).
MAX_PARKING_AFTER_STOP = timedelta(hours=24)

Stretch = tuple[datetime, datetime]


@dataclass(frozen=True)
class RegisterReading:
    at: datetime
    wh: Decimal  # Energy.Active.Import.Register in Wh


@dataclass(frozen=True)
class PowerReading:
    at: datetime
    kw: Decimal


@dataclass(frozen=True)
class StatusChange:
    at: datetime
    status: str
    # False: the station sent no timestamp, `at` is when we received it...
    timed: bool = True
    # ...on a connection opened then (None: not known, stored before it was kept).
    connected_at: datetime | None = None


def status_evidence(statuses: Iterable[StatusChange], since: datetime) -> list[StatusChange]:
    """The statuses whose time tells when the connector changed, for a period from `since`:
    those the station timestamped, and those without a timestamp that came on a connection
    open since then (the station sends a change as it happens; one that reconnected reports
    what changed while it was away at its receipt, not when it happened)."""
    return [s for s in statuses if s.timed or s.connected_at is None or s.connected_at <= since]


def car_left_at(stopped_at: datetime, statuses: Iterable[StatusChange]) -> datetime | None:
    """When the car left after its transaction stopped: the first Available the evidence
    shows after the stop (within MAX_PARKING_AFTER_STOP), else None (not known)."""
    times = [
        s.at
        for s in status_evidence(statuses, stopped_at)
        if s.status == AVAILABLE and stopped_at < s.at <= stopped_at + MAX_PARKING_AFTER_STOP
    ]
    return min(times, default=None)


@dataclass(frozen=True)
class TransactionFacts:
    start: datetime
    stop: datetime
    meter_start_wh: int
    meter_stop_wh: int
    registers: tuple[RegisterReading, ...] = ()
    power: tuple[PowerReading, ...] = ()
    # The connector's statuses: the last one before the start and all up to the stop.
    statuses: tuple[StatusChange, ...] = ()
    timezone: str = DEFAULT_TIMEZONE
    max_power_kw: Decimal | None = None
    # When the car left, if the station reported it after the stop (parking).
    session_end: datetime | None = None


@dataclass(frozen=True)
class BuiltTimeline:
    timeline: Timeline
    energy_wh: Decimal
    flags: frozenset[Flag]


def build_timeline(facts: TransactionFacts) -> BuiltTimeline:
    start = facts.start
    stop = max(facts.stop, start)
    readings = sorted(
        (r for r in facts.registers if start <= r.at <= stop), key=lambda r: (r.at, r.wh)
    )
    energy_wh, points, flags = _energy(facts, readings, stop)

    meter_idle: list[Stretch] = []
    rising: list[Stretch] = []
    for (t0, v0), (t1, v1) in pairwise(points):
        if t1 > t0:
            (rising if v1 > v0 else meter_idle).append((t0, t1))
    status_idle = _status_idle(status_evidence(facts.statuses, start), start, stop)
    stale = [r for r in rising if any(a <= r[0] and r[1] <= b for a, b in status_idle)]
    idle = _merge([*_subtract(status_idle, stale), *meter_idle])

    charging_end = stop
    if idle and idle[-1][1] >= stop:
        charging_end = idle.pop()[0]

    begin = Decimal(facts.meter_start_wh)
    samples = [
        MeterSample(at, energy_kwh=(wh - begin) / WH_PER_KWH)
        for at, wh in points
        if start < at < charging_end
    ]
    samples += [
        MeterSample(p.at, power_kw=p.kw) for p in facts.power if start <= p.at < charging_end
    ]
    end = max(stop, facts.session_end) if facts.session_end is not None else stop
    timeline = Timeline(
        start=start,
        charging_end=charging_end,
        stop=end,
        energy_kwh=energy_wh / WH_PER_KWH,
        samples=tuple(sorted(samples, key=lambda s: s.at)),
        timezone=facts.timezone,
        idle=tuple(idle),
    )
    return BuiltTimeline(timeline, energy_wh, frozenset(flags))


def _energy(
    facts: TransactionFacts, readings: list[RegisterReading], stop: datetime
) -> tuple[Decimal, list[tuple[datetime, Decimal]], set[Flag]]:
    """Delivered Wh, the register's rise as (time, Wh) points from start to stop, flags."""
    flags: set[Flag] = set()
    begin = Decimal(facts.meter_start_wh)
    end = Decimal(facts.meter_stop_wh)
    hours = Decimal((stop - facts.start).total_seconds()) / 3600
    kw = max(facts.max_power_kw or MIN_PLAUSIBLE_KW, MIN_PLAUSIBLE_KW)
    ceiling = kw * PLAUSIBLE_MARGIN * hours * WH_PER_KWH + PLAUSIBLE_SLACK_WH

    level = begin
    points = [(facts.start, begin)]
    for reading in readings:
        if reading.wh < level:
            flags.add(Flag.REGISTER_DECREASED)
        elif reading.wh - begin > ceiling:
            flags.add(Flag.IMPLAUSIBLE_READINGS)
        else:
            level = reading.wh
            points.append((reading.at, level))
    if end < begin:
        flags.add(Flag.REGISTER_DECREASED)
    elif end < level:
        flags.add(Flag.METER_STOP_BELOW_SAMPLES)
    elif end - begin > ceiling:
        flags.add(Flag.IMPLAUSIBLE_READINGS)
    else:
        level = end
    points.append((stop, level))
    return level - begin, points, flags


def _status_idle(
    statuses: Iterable[StatusChange], start: datetime, stop: datetime
) -> list[Stretch]:
    """Stretches of [start, stop] the connector reported an idle status for."""
    out: list[Stretch] = []
    idle_since: datetime | None = None
    for change in sorted(statuses, key=lambda s: s.at):
        if change.at >= stop:
            break
        idle = change.status in IDLE_STATUSES
        at = max(change.at, start)
        if idle and idle_since is None:
            idle_since = at
        elif not idle and idle_since is not None:
            out.append((idle_since, at))
            idle_since = None
    if idle_since is not None:
        out.append((idle_since, stop))
    return [(a, b) for a, b in out if b > a]


def _merge(stretches: Iterable[Stretch]) -> list[Stretch]:
    merged: list[Stretch] = []
    for a, b in sorted(stretches):
        if b <= a:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _subtract(stretches: list[Stretch], holes: list[Stretch]) -> list[Stretch]:
    out = stretches
    for ha, hb in holes:
        out = [
            piece
            for a, b in out
            for piece in ((a, min(b, ha)), (max(a, hb), b))
            if piece[1] > piece[0]
        ]
    return out
