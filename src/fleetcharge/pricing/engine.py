"""OCPI 2.2.1 tariff engine: price(tariff, timeline) -> periods and totals. Pure; Decimal only.

How a session is priced:
- The session is cut into segments wherever anything a restriction looks at may change: the
  charging -> idle transition, local wall-clock boundaries (time of day, midnight, DST), the
  instants min/max_kwh are crossed, min/max_duration elapse, and power/current samples.
- Each segment is classified at its midpoint. For each dimension (ENERGY and TIME while
  charging, PARKING_TIME while idle) the first element, in tariff order, that has a component of
  that dimension and whose restrictions all hold prices it (OCPI's rule). FLAT is priced by
  the first matching element at the session start.
- Consecutive segments priced by the same component form one period per dimension; a new period
  starts whenever the applicable price changes. The session's energy is carried by the ENERGY
  periods (by TIME periods where only TIME applies), so the periods' consumption sums to it.
- Idle time (after charging_end, and any `idle` stretch before it) is PARKING_TIME; it is
  billed only after `parking_grace_minutes` of each idle stretch.
- step_size (OCPI 2.2.1): once per session for ENERGY (Wh) and once for TIME and PARKING_TIME
  combined (seconds), on the session total of that dimension, using the step of the last period
  with a component of that dimension; the rounded-up remainder is billed at that period's price.
  When parking is billed, only parking is rounded (TIME followed by PARKING_TIME).
- Each period's amount is rounded to the cent once (money.round_money); the total is their sum.
  min_price / max_price then add one FLAT adjustment period (negative for max_price).
"""

from datetime import datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from itertools import pairwise

from fleetcharge.money import gst_included, round_kwh, round_money
from fleetcharge.pricing.localtime import boundaries, zone
from fleetcharge.pricing.schemas import (
    Dimension,
    PriceComponent,
    PricedPeriod,
    PricedSession,
    Restrictions,
    TariffSpec,
    Timeline,
)

SECONDS_PER_HOUR = Decimal(3600)
WH_PER_KWH = Decimal(1000)
ZERO_KWH = Decimal("0.000")
ZERO = Decimal(0)
TWO = Decimal(2)


class _Meter:
    """Energy (piecewise linear), power and current (piecewise constant) over the session,
    indexed by whole seconds since the start."""

    def __init__(self, timeline: Timeline, charge_s: int, total_s: int, energy: Decimal) -> None:
        start = timeline.start
        self.charge_s = charge_s
        self.energy = energy
        # Idle stretches as (from, to) seconds, merged; the last one runs to the stop.
        stretches: list[tuple[int, int]] = []
        for a_dt, b_dt in sorted(timeline.idle):
            a = max(0, int((a_dt - start).total_seconds()))
            b = min(charge_s, int((b_dt - start).total_seconds()))
            if a < b:
                if stretches and a <= stretches[-1][1]:
                    stretches[-1] = (stretches[-1][0], max(b, stretches[-1][1]))
                else:
                    stretches.append((a, b))
        if total_s > charge_s:
            if stretches and stretches[-1][1] >= charge_s:
                stretches[-1] = (stretches[-1][0], total_s)
            else:
                stretches.append((charge_s, total_s))
        self.stretches = stretches
        active_s = charge_s - sum(min(b, charge_s) - a for a, b in stretches if a < charge_s)
        points: list[tuple[Decimal, Decimal]] = [(ZERO, ZERO)]
        self.power: list[tuple[Decimal, Decimal]] = []
        self.current: list[tuple[Decimal, Decimal]] = []
        measured = False
        for s in sorted(timeline.samples, key=lambda s: s.at):
            at = Decimal(int((s.at - start).total_seconds()))
            if s.energy_kwh is not None and ZERO < at < charge_s:
                points.append((at, min(max(s.energy_kwh, points[-1][1]), energy)))
                measured = True
            if s.power_kw is not None:
                self.power.append((at, s.power_kw))
            if s.current_a is not None:
                self.current.append((at, s.current_a))
        if not measured and active_s > 0:
            # Linear over the charging time, flat while idle.
            done = 0
            for a, b in stretches:
                if a >= charge_s:
                    break
                done += a - (int(points[-1][0]) if len(points) > 1 else 0)
                level = energy * done / active_s
                points.append((Decimal(a), level))
                points.append((Decimal(min(b, charge_s)), level))
        points.append((Decimal(charge_s), energy))
        self.points = points
        self.average_kw = energy * SECONDS_PER_HOUR / active_s if active_s else ZERO
        # Exact energy at kWh-threshold cuts (the cut itself is rounded to a whole second).
        self.pinned: dict[int, Decimal] = {}

    def energy_at_cut(self, x: int) -> Decimal:
        if x >= self.charge_s:
            return self.energy
        pinned = self.pinned.get(x)
        return pinned if pinned is not None else round_kwh(self.energy_at(Decimal(x)))

    def energy_at(self, x: Decimal) -> Decimal:
        if x >= self.charge_s:
            return self.energy
        points = self.points
        for i in range(1, len(points)):
            x1, e1 = points[i]
            if x <= x1:
                x0, e0 = points[i - 1]
                return e0 + (e1 - e0) * (x - x0) / (x1 - x0) if x1 > x0 else e1
        return self.energy

    def crossing(self, threshold: Decimal) -> int | None:
        """The whole second (nearest) at which delivered energy reaches `threshold`."""
        if not ZERO < threshold < self.energy:
            return None
        points = self.points
        for i in range(1, len(points)):
            x0, e0 = points[i - 1]
            x1, e1 = points[i]
            if e0 < threshold <= e1:
                x = x0 + (threshold - e0) * (x1 - x0) / (e1 - e0)
                return int(x.to_integral_value(rounding=ROUND_HALF_UP))
        return None

    def idle_since(self, x: Decimal) -> int | None:
        """The start of the idle stretch containing x, or None while charging."""
        for a, b in self.stretches:
            if a <= x < b:
                return a
        return None

    def power_at(self, x: Decimal) -> Decimal:
        if x >= self.charge_s or self.idle_since(x) is not None:
            return ZERO
        value = self.average_kw
        for at, kw in self.power:
            if at > x:
                break
            value = kw
        return value

    def current_at(self, x: Decimal) -> Decimal | None:
        if x >= self.charge_s or self.idle_since(x) is not None:
            return ZERO
        value = None
        for at, amps in self.current:
            if at > x:
                break
            value = amps
        return value


def _time_matches(r: Restrictions, t: time) -> bool:
    st, et = r.start_time, r.end_time
    if st is None:
        return et is None or t < et
    if et is None:
        return t >= st
    if st < et:
        return st <= t < et
    if st > et:  # wraps past midnight
        return t >= st or t < et
    return True


def _matches(
    r: Restrictions | None,
    local: datetime | None,
    meter: _Meter,
    x: Decimal,
) -> bool:
    if r is None:
        return True
    if local is not None:
        if (r.start_time is not None or r.end_time is not None) and not _time_matches(
            r, local.time()
        ):
            return False
        day = local.date()
        if r.start_date is not None and day < r.start_date:
            return False
        if r.end_date is not None and day >= r.end_date:
            return False
        if r.day_of_week is not None and day.weekday() not in r.day_of_week:
            return False
    if not _within(x, r.min_duration, r.max_duration):
        return False
    if (r.min_kwh is not None or r.max_kwh is not None) and not _within(
        meter.energy_at(x), r.min_kwh, r.max_kwh
    ):
        return False
    if (r.min_power is not None or r.max_power is not None) and not _within(
        meter.power_at(x), r.min_power, r.max_power
    ):
        return False
    if r.min_current is not None or r.max_current is not None:
        amps = meter.current_at(x)
        # Unknown current: a current restriction cannot be shown to hold.
        if amps is None or not _within(amps, r.min_current, r.max_current):
            return False
    return True


def _within(value: Decimal, low: Decimal | int | None, high: Decimal | int | None) -> bool:
    """OCPI bounds: the minimum is inclusive, the maximum exclusive."""
    return (low is None or value >= low) and (high is None or value < high)


class _Run:
    """Consecutive segments of one dimension priced by the same component."""

    __slots__ = ("a", "b", "billable_s", "component", "dimension", "extra", "kwh", "seconds")

    def __init__(
        self, dimension: Dimension, component: PriceComponent | None, a: int, b: int
    ) -> None:
        self.dimension = dimension
        self.component = component
        self.a = a
        self.b = b
        self.kwh = ZERO_KWH
        self.seconds = 0
        self.billable_s = 0
        self.extra = ZERO  # step_size remainder, in kWh or seconds


def _cuts(tariff: TariffSpec, timeline: Timeline, meter: _Meter, total_s: int) -> list[int]:
    start = timeline.start
    cuts = {0, meter.charge_s, total_s}
    for a, b in meter.stretches:
        cuts.update((a, b))
    times: set[time] = set()
    clock = False
    samples = False
    for element in tariff.elements:
        r = element.restrictions
        if r is None:
            continue
        for t in (r.start_time, r.end_time):
            if t is not None:
                times.add(t)
                clock = True
        if r.start_date or r.end_date or r.day_of_week is not None:
            clock = True
        for d in (r.min_duration, r.max_duration):
            if d is not None:
                cuts.add(d)
        for kwh in (r.min_kwh, r.max_kwh):
            if kwh is not None:
                x = meter.crossing(kwh)
                if x is not None and 0 < x < meter.charge_s:
                    cuts.add(x)
                    meter.pinned[x] = round_kwh(kwh)
        if any(v is not None for v in (r.min_power, r.max_power, r.min_current, r.max_current)):
            samples = True
    if clock:
        for instant in boundaries(timeline.timezone, start, timeline.stop, tuple(sorted(times))):
            cuts.add(int((instant - start).total_seconds()))
    if samples:
        cuts.update(int((s.at - start).total_seconds()) for s in timeline.samples)
    return sorted(c for c in cuts if 0 <= c <= total_s)


def _needs_clock(tariff: TariffSpec) -> bool:
    for element in tariff.elements:
        r = element.restrictions
        if r is not None and (
            r.start_time or r.end_time or r.start_date or r.end_date or r.day_of_week is not None
        ):
            return True
    return False


def _step(runs: list[_Run], dimension: Dimension, unit: Decimal) -> None:
    """Round the session total of `dimension` up to the last priced run's step_size."""
    priced = [r for r in runs if r.dimension == dimension and r.component is not None]
    if not priced:
        return
    last = priced[-1]
    assert last.component is not None
    step = last.component.step_size
    if step <= 1:
        return
    if dimension == "ENERGY":
        total = sum((r.kwh for r in priced), ZERO) * unit
    elif dimension == "TIME":
        total = Decimal(sum(r.seconds for r in priced))
    else:
        total = Decimal(sum(r.billable_s for r in priced))
    if total <= 0:
        return
    rounded = (total / step).to_integral_value(rounding=ROUND_CEILING) * step
    last.extra = (rounded - total) / unit


def price(tariff: TariffSpec, timeline: Timeline) -> PricedSession:
    if not timeline.start <= timeline.charging_end <= timeline.stop:
        raise ValueError("timeline must satisfy start <= charging_end <= stop")
    start = timeline.start
    total_s = int((timeline.stop - start).total_seconds())
    charge_s = int((timeline.charging_end - start).total_seconds())
    meter = _Meter(timeline, charge_s, total_s, round_kwh(timeline.energy_kwh))
    cuts = _cuts(tariff, timeline, meter, total_s)
    segments = list(pairwise(cuts))
    if charge_s == 0:
        segments.insert(0, (0, 0))  # a session that never charged still reports its energy
    tz = zone(timeline.timezone) if _needs_clock(tariff) else None
    grace_s = tariff.parking_grace_minutes * 60
    elements = tariff.elements

    def first(dimension: Dimension, matching: list[bool]) -> PriceComponent | None:
        for element, ok in zip(elements, matching, strict=True):
            if ok:
                component = element.component(dimension)
                if component is not None:
                    return component
        return None

    def state(x: Decimal) -> list[bool]:
        local = (start + timedelta(seconds=float(x))).astimezone(tz) if tz else None
        return [_matches(e.restrictions, local, meter, x) for e in elements]

    runs: list[_Run] = []
    open_runs: dict[Dimension, _Run] = {}

    def extend(dimension: Dimension, component: PriceComponent | None, a: int, b: int) -> _Run:
        run = open_runs.get(dimension)
        if run is None or run.component is not component or run.b != a:
            run = _Run(dimension, component, a, b)
            runs.append(run)
            open_runs[dimension] = run
        run.b = b
        return run

    energy_before = ZERO_KWH
    for a, b in segments:
        mid = Decimal(a + b) / TWO
        matching = state(mid)
        idle_from = meter.idle_since(mid) if b > a else None
        kwh = ZERO_KWH
        if b <= charge_s:
            energy_after = meter.energy_at_cut(b)
            kwh = energy_after - energy_before
            energy_before = energy_after
        if idle_from is None:
            energy_c = first("ENERGY", matching)
            time_c = first("TIME", matching)
            if energy_c is not None or time_c is None:
                extend("ENERGY", energy_c, a, b).kwh += kwh
            if time_c is not None:
                run = extend("TIME", time_c, a, b)
                run.seconds += b - a
                if energy_c is None:
                    run.kwh += kwh
        else:
            run = extend("PARKING_TIME", first("PARKING_TIME", matching), a, b)
            run.seconds += b - a
            run.billable_s += max(0, b - max(a, idle_from + grace_s))
            run.kwh += kwh  # zero unless meter samples report energy while idle

    parking_billed = any(
        r.dimension == "PARKING_TIME" and r.component is not None and r.billable_s > 0 for r in runs
    )
    _step(runs, "ENERGY", WH_PER_KWH)
    if parking_billed:
        _step(runs, "PARKING_TIME", Decimal(1))
    else:
        _step(runs, "TIME", Decimal(1))

    periods: list[PricedPeriod] = []

    def add(
        at: datetime,
        duration_s: int,
        kwh: Decimal,
        dimension: Dimension,
        unit_price: Decimal,
        raw: Decimal,
    ) -> None:
        amount = round_money(raw)
        gst = gst_included(amount, tariff.tax_rate)
        periods.append(PricedPeriod(at, duration_s, kwh, dimension, unit_price, amount, gst))

    runs.sort(key=lambda r: (r.a, r.dimension != "ENERGY"))
    for r in runs:
        unit_price = r.component.price if r.component is not None else ZERO
        if r.dimension == "ENERGY":
            raw = unit_price * (r.kwh + r.extra)
        elif r.dimension == "TIME":
            raw = unit_price * (r.seconds + r.extra) / SECONDS_PER_HOUR
        else:
            raw = unit_price * (r.billable_s + r.extra) / SECONDS_PER_HOUR
        add(start + timedelta(seconds=r.a), r.b - r.a, r.kwh, r.dimension, unit_price, raw)

    flat = first("FLAT", state(ZERO))
    if flat is not None and flat.price:
        add(start, 0, ZERO_KWH, "FLAT", flat.price, flat.price)

    total = sum((p.amount for p in periods), ZERO)
    adjustment = ZERO
    if tariff.min_price is not None and total < tariff.min_price:
        adjustment = tariff.min_price - total
    elif tariff.max_price is not None and total > tariff.max_price:
        adjustment = tariff.max_price - total
    if adjustment:
        add(start, 0, ZERO_KWH, "FLAT", adjustment, adjustment)
    return PricedSession(tariff.currency, tuple(periods))
