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
- Each period is priced exactly, including VAT and excluding it at its component's rate;
  min_price / max_price then add one FLAT adjustment period (negative for max_price), each of
  their VAT-inclusive and VAT-exclusive bounds applying to that total (OCPI 2.2.1). Money is
  rounded to the cent in one place, pricing.rounding.
- Elements with a `reservation` restriction price reservations (pricing.reservations), never
  the session.
"""

from datetime import datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

from fleetcharge.money import round_kwh
from fleetcharge.pricing.localtime import boundaries, zone
from fleetcharge.pricing.rounding import Draft, excluding, rounded
from fleetcharge.pricing.schemas import (
    Dimension,
    PriceComponent,
    PricedSession,
    Restrictions,
    TariffElement,
    TariffSpec,
    Timeline,
)

SECONDS_PER_HOUR = Decimal(3600)
WH_PER_KWH = Decimal(1000)
ZERO_KWH = Decimal("0.000")
ZERO = Decimal(0)
TWO = Decimal(2)

Stretch = tuple[int, int]  # [from, to) in whole seconds since the session start
Point = tuple[Decimal, Decimal]  # (seconds since the start, value)


def price(tariff: TariffSpec, timeline: Timeline) -> PricedSession:
    """The session's periods: the steps below, in order."""
    meter = _meter(tariff, timeline)
    clock = zone(timeline.timezone) if _needs_clock(tariff) else None
    segments = _segments(tariff, timeline, meter)
    runs = _runs(tariff, timeline.start, clock, meter, segments)
    _round_up_to_step_sizes(runs)
    runs.sort(key=lambda r: (r.a, r.dimension != "ENERGY"))
    drafts = [_run_period(r, timeline.start, tariff.tax_rate) for r in runs]
    at_start = _matching(tariff.elements, timeline.start, clock, meter, ZERO)
    flat = _first(tariff.elements, at_start, "FLAT")
    if flat is not None and flat.price:
        drafts.append(flat_draft(timeline.start, flat, tariff.tax_rate))
    adjustment = _min_max_adjustment(tariff, drafts, timeline.start)
    if adjustment is not None:
        drafts.append(adjustment)
    return PricedSession(tariff.currency, rounded(drafts))


class _Meter:
    """Energy (piecewise linear), power and current (piecewise constant) over the session,
    indexed by whole seconds since the start."""

    __slots__ = (
        "average_kw",
        "charge_s",
        "current",
        "energy",
        "pinned",
        "points",
        "power",
        "stretches",
        "total_s",
    )

    def __init__(
        self,
        total_s: int,
        charge_s: int,
        energy: Decimal,
        stretches: list[Stretch],
        points: list[Point],
        power: list[Point],
        current: list[Point],
        average_kw: Decimal,
    ) -> None:
        self.total_s = total_s
        self.charge_s = charge_s
        self.energy = energy
        self.stretches = stretches  # idle, merged; the last one runs to the stop
        self.points = points  # energy
        self.power = power
        self.current = current
        self.average_kw = average_kw  # power where no sample says otherwise
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


def _meter(tariff: TariffSpec, timeline: Timeline) -> _Meter:
    """Step 1: the session's meter, with the instants the tariff's kWh thresholds are crossed
    pinned to their exact energy."""
    if not timeline.start <= timeline.charging_end <= timeline.stop:
        raise ValueError("timeline must satisfy start <= charging_end <= stop")
    start = timeline.start
    total_s = int((timeline.stop - start).total_seconds())
    charge_s = int((timeline.charging_end - start).total_seconds())
    energy = round_kwh(timeline.energy_kwh)
    stretches = _idle_stretches(timeline, charge_s, total_s)
    active_s = charge_s - sum(min(b, charge_s) - a for a, b in stretches if a < charge_s)
    points, power, current = _readings(timeline, charge_s, energy)
    if len(points) == 1 and active_s > 0:
        points.extend(_linear_energy(stretches, charge_s, active_s, energy))
    points.append((Decimal(charge_s), energy))
    average_kw = energy * SECONDS_PER_HOUR / active_s if active_s else ZERO
    meter = _Meter(total_s, charge_s, energy, stretches, points, power, current, average_kw)
    for element in tariff.elements:
        r = element.restrictions
        if r is None:
            continue
        for kwh in (r.min_kwh, r.max_kwh):
            if kwh is not None:
                x = meter.crossing(kwh)
                if x is not None and 0 < x < charge_s:
                    meter.pinned[x] = round_kwh(kwh)
    return meter


def _idle_stretches(timeline: Timeline, charge_s: int, total_s: int) -> list[Stretch]:
    """The `idle` stretches clipped to the charging time and merged, then the idle time after
    charging_end (joined to a stretch that reaches it)."""
    start = timeline.start
    stretches: list[Stretch] = []
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
    return stretches


def _readings(
    timeline: Timeline, charge_s: int, energy: Decimal
) -> tuple[list[Point], list[Point], list[Point]]:
    """Energy points (from (0, 0), never decreasing, capped at the session's energy), power and
    current from the meter samples."""
    start = timeline.start
    points: list[Point] = [(ZERO, ZERO)]
    power: list[Point] = []
    current: list[Point] = []
    for s in sorted(timeline.samples, key=lambda s: s.at):
        at = Decimal(int((s.at - start).total_seconds()))
        if s.energy_kwh is not None and ZERO < at < charge_s:
            points.append((at, min(max(s.energy_kwh, points[-1][1]), energy)))
        if s.power_kw is not None:
            power.append((at, s.power_kw))
        if s.current_a is not None:
            current.append((at, s.current_a))
    return points, power, current


def _linear_energy(
    stretches: list[Stretch], charge_s: int, active_s: int, energy: Decimal
) -> list[Point]:
    """Without energy samples: linear over the charging time, flat while idle."""
    points: list[Point] = []
    done = 0
    for a, b in stretches:
        if a >= charge_s:
            break
        done += a - (int(points[-1][0]) if points else 0)
        level = energy * done / active_s
        points.append((Decimal(a), level))
        points.append((Decimal(min(b, charge_s)), level))
    return points


def _needs_clock(tariff: TariffSpec) -> bool:
    for element in tariff.elements:
        r = element.restrictions
        if r is not None and (
            r.start_time or r.end_time or r.start_date or r.end_date or r.day_of_week is not None
        ):
            return True
    return False


def _segments(tariff: TariffSpec, timeline: Timeline, meter: _Meter) -> list[Stretch]:
    """Step 2: the session cut wherever anything a restriction looks at may change."""
    start = timeline.start
    cuts = {0, meter.charge_s, meter.total_s, *meter.pinned}
    for a, b in meter.stretches:
        cuts.update((a, b))
    times: set[time] = set()
    samples = False
    for element in tariff.elements:
        r = element.restrictions
        if r is None:
            continue
        for t in (r.start_time, r.end_time):
            if t is not None:
                times.add(t)
        for d in (r.min_duration, r.max_duration):
            if d is not None:
                cuts.add(d)
        if any(v is not None for v in (r.min_power, r.max_power, r.min_current, r.max_current)):
            samples = True
    if _needs_clock(tariff):
        for instant in boundaries(timeline.timezone, start, timeline.stop, tuple(sorted(times))):
            cuts.add(int((instant - start).total_seconds()))
    if samples:
        cuts.update(int((s.at - start).total_seconds()) for s in timeline.samples)
    segments = list(pairwise(sorted(c for c in cuts if 0 <= c <= meter.total_s)))
    if meter.charge_s == 0:
        segments.insert(0, (0, 0))  # a session that never charged still reports its energy
    return segments


def _matching(
    elements: tuple[TariffElement, ...],
    start: datetime,
    clock: ZoneInfo | None,
    meter: _Meter,
    x: Decimal,
) -> list[bool]:
    """Whether each element's restrictions all hold `x` seconds into the session."""
    local = (start + timedelta(seconds=float(x))).astimezone(clock) if clock else None
    return [_matches(e.restrictions, local, meter, x) for e in elements]


def _matches(
    r: Restrictions | None,
    local: datetime | None,
    meter: _Meter,
    x: Decimal,
) -> bool:
    if r is None:
        return True
    if r.reservation is not None:
        return False
    if local is not None:
        if (r.start_time is not None or r.end_time is not None) and not time_matches(
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


def time_matches(r: Restrictions, t: time) -> bool:
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


def _within(value: Decimal, low: Decimal | int | None, high: Decimal | int | None) -> bool:
    """OCPI bounds: the minimum is inclusive, the maximum exclusive."""
    return (low is None or value >= low) and (high is None or value < high)


def _first(
    elements: tuple[TariffElement, ...], matching: list[bool], dimension: Dimension
) -> PriceComponent | None:
    """OCPI's rule: the first matching element with a component of `dimension` prices it."""
    for element, ok in zip(elements, matching, strict=True):
        if ok:
            component = element.component(dimension)
            if component is not None:
                return component
    return None


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


class _Runs:
    """The runs in the order they start, and the latest run of each dimension."""

    __slots__ = ("all", "latest")

    def __init__(self) -> None:
        self.all: list[_Run] = []
        self.latest: dict[Dimension, _Run] = {}

    def extend(
        self, dimension: Dimension, component: PriceComponent | None, a: int, b: int
    ) -> _Run:
        """The latest run of `dimension` grown to `b`, or a new one where the component
        changes or the segments are not adjacent."""
        run = self.latest.get(dimension)
        if run is None or run.component is not component or run.b != a:
            run = _Run(dimension, component, a, b)
            self.all.append(run)
            self.latest[dimension] = run
        run.b = b
        return run


def _runs(
    tariff: TariffSpec,
    start: datetime,
    clock: ZoneInfo | None,
    meter: _Meter,
    segments: list[Stretch],
) -> list[_Run]:
    """Step 3: each segment, classified at its midpoint, extends the run of each dimension
    that prices it, carrying its energy and (billable) seconds."""
    elements = tariff.elements
    grace_s = tariff.parking_grace_minutes * 60
    runs = _Runs()
    energy_before = ZERO_KWH
    for a, b in segments:
        mid = Decimal(a + b) / TWO
        matching = _matching(elements, start, clock, meter, mid)
        idle_from = meter.idle_since(mid) if b > a else None
        kwh = ZERO_KWH
        if b <= meter.charge_s:
            energy_after = meter.energy_at_cut(b)
            kwh = energy_after - energy_before
            energy_before = energy_after
        if idle_from is None:
            energy_c = _first(elements, matching, "ENERGY")
            time_c = _first(elements, matching, "TIME")
            if energy_c is not None or time_c is None:
                runs.extend("ENERGY", energy_c, a, b).kwh += kwh
            if time_c is not None:
                run = runs.extend("TIME", time_c, a, b)
                run.seconds += b - a
                if energy_c is None:
                    run.kwh += kwh
        else:
            run = runs.extend("PARKING_TIME", _first(elements, matching, "PARKING_TIME"), a, b)
            run.seconds += b - a
            run.billable_s += max(0, b - max(a, idle_from + grace_s))
            run.kwh += kwh  # zero unless meter samples report energy while idle
    return runs.all


def _round_up_to_step_sizes(runs: list[_Run]) -> None:
    """Step 4: ENERGY once, and TIME or (when parking is billed) PARKING_TIME once."""
    parking_billed = any(
        r.dimension == "PARKING_TIME" and r.component is not None and r.billable_s > 0 for r in runs
    )
    _step(runs, "ENERGY", WH_PER_KWH)
    if parking_billed:
        _step(runs, "PARKING_TIME", Decimal(1))
    else:
        _step(runs, "TIME", Decimal(1))


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


def _run_period(run: _Run, start: datetime, tax_rate: Decimal) -> Draft:
    """Step 5: a run as a period, priced exactly."""
    component = run.component
    unit_price = component.price if component is not None else ZERO
    if run.dimension == "ENERGY":
        raw = unit_price * (run.kwh + run.extra)
    elif run.dimension == "TIME":
        raw = unit_price * (run.seconds + run.extra) / SECONDS_PER_HOUR
    else:
        raw = unit_price * (run.billable_s + run.extra) / SECONDS_PER_HOUR
    rate = component.rate(tax_rate) if component is not None else tax_rate
    at = start + timedelta(seconds=run.a)
    return Draft(at, run.b - run.a, run.kwh, run.dimension, unit_price, raw, rate)


def flat_draft(start: datetime, component: PriceComponent, tax_rate: Decimal) -> Draft:
    """A FLAT fee at `start`."""
    fee = component.price
    return Draft(start, 0, ZERO_KWH, "FLAT", fee, fee, component.rate(tax_rate))


def _min_max_adjustment(tariff: TariffSpec, drafts: list[Draft], start: datetime) -> Draft | None:
    """Step 6: the FLAT period bringing the exact totals up to min_price or down to
    max_price, or None when within them. OCPI 2.2.1: both the VAT-inclusive and the
    VAT-exclusive bound apply; where only one is given, the other side moves with the
    session's own VAT share."""
    incl = sum((d.incl_vat for d in drafts), ZERO)
    excl = sum((excluding(d.incl_vat, d.rate) for d in drafts), ZERO)
    for bound_incl, bound_excl, sign in (
        (tariff.min_price, tariff.min_price_excl_vat, 1),
        (tariff.max_price, tariff.max_price_excl_vat, -1),
    ):
        by_incl = ZERO if bound_incl is None else max(ZERO, sign * (bound_incl - incl))
        by_excl = ZERO if bound_excl is None else max(ZERO, sign * (bound_excl - excl))
        if not (by_incl or by_excl):
            continue
        share = excl / incl if incl else 1 / (1 + tariff.tax_rate)
        if bound_incl is None:
            by_incl = by_excl / share
        elif bound_excl is None:
            by_excl = by_incl * share
        by_incl, by_excl = sign * by_incl, sign * by_excl
        rate = by_incl / by_excl - 1 if by_excl else tariff.tax_rate
        # With a VAT-exclusive bound the adjustment's VAT settles that total exactly.
        settles = None if bound_excl is None else excl + by_excl
        return Draft(start, 0, ZERO_KWH, "FLAT", by_incl, by_incl, rate, settles, True)
    return None
