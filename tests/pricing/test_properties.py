"""Hypothesis properties of the tariff engine."""

from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from fleetcharge.money import round_money
from fleetcharge.pricing.engine import price
from fleetcharge.pricing.schemas import Restrictions, TariffSpec, Timeline
from tests.pricing.helpers import component, element

# Half-hour offsets (Adelaide), a half-hour DST shift (Lord Howe), no DST (Brisbane).
ZONES = ("Australia/Sydney", "Australia/Adelaide", "Australia/Lord_Howe", "Australia/Brisbane")
EXAMPLES = settings(max_examples=150, deadline=None)

prices = st.decimals(min_value=0, max_value=Decimal("20"), places=2)
clock = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 30]))


@st.composite
def tou_tariffs(draw: st.DrawFn, *, steps: bool = False) -> TariffSpec:
    """Up to three time-of-day elements, then an unrestricted fallback (all step_size 1
    unless `steps`)."""

    def comps() -> list[dict[str, Any]]:
        out = []
        for kind in ("ENERGY", "TIME", "PARKING_TIME"):
            if draw(st.booleans()):
                step = draw(st.sampled_from([1, 60, 300, 900])) if steps else 1
                out.append(component(kind, str(draw(prices)), step))
        return out

    elements = []
    for _ in range(draw(st.integers(0, 3))):
        window: dict[str, str] = {}
        if draw(st.booleans()):
            window["start_time"] = draw(clock)
        if draw(st.booleans()):
            window["end_time"] = draw(clock)
        c = comps()
        if c:
            elements.append(element(*c, **window))
    fallback = comps() or [component("ENERGY", str(draw(prices)))]
    if draw(st.booleans()):
        fallback.append(component("FLAT", str(draw(prices))))
    elements.append(element(*fallback))
    low = draw(st.none() | st.decimals(min_value=0, max_value=5, places=2))
    high = draw(st.none() | st.decimals(min_value=5, max_value=80, places=2))
    return TariffSpec.from_document(
        elements,
        currency="AUD",
        tax_rate=draw(st.sampled_from([Decimal("0.10"), Decimal("0.15"), Decimal("0")])),
        parking_grace_minutes=draw(st.integers(0, 30)),
        min_price=low,
        max_price=high,
    )


starts = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))
seconds = st.integers(0, 8 * 3600)
energies = st.decimals(min_value=0, max_value=150, places=3)


def session(start: datetime, charge_s: int, park_s: int, kwh: Decimal, tz: str) -> Timeline:
    end = start + timedelta(seconds=charge_s)
    return Timeline(start, end, end + timedelta(seconds=park_s), kwh, (), tz)


@EXAMPLES
@given(tou_tariffs(), starts, seconds, seconds, energies, energies, st.sampled_from(ZONES))
def test_amount_never_decreases_as_energy_grows(
    t: TariffSpec, start: datetime, c: int, p: int, e1: Decimal, e2: Decimal, tz: str
) -> None:
    low, high = sorted((e1, e2))
    assert (
        price(t, session(start, c, p, low, tz)).amount
        <= price(t, session(start, c, p, high, tz)).amount
    )


@EXAMPLES
@given(tou_tariffs(), starts, seconds, seconds, seconds, energies, st.sampled_from(ZONES))
def test_amount_never_decreases_as_parking_grows(
    t: TariffSpec, start: datetime, c: int, p1: int, p2: int, kwh: Decimal, tz: str
) -> None:
    low, high = sorted((p1, p2))
    assert (
        price(t, session(start, c, low, kwh, tz)).amount
        <= price(t, session(start, c, high, kwh, tz)).amount
    )


@EXAMPLES
@given(tou_tariffs(), starts, seconds, seconds, st.integers(0, 100), st.sampled_from(ZONES))
def test_amount_never_decreases_as_charging_grows_at_constant_power(
    t: TariffSpec, start: datetime, c1: int, c2: int, wh_per_s: int, tz: str
) -> None:
    low, high = sorted((c1, c2))

    def cost(c: int) -> Decimal:
        return price(t, session(start, c, 0, Decimal(wh_per_s * c) / 1000, tz)).amount

    assert cost(low) <= cost(high)


@EXAMPLES
@given(tou_tariffs(steps=True), starts, seconds, seconds, energies, st.sampled_from(ZONES))
def test_period_invariants(
    t: TariffSpec, start: datetime, c: int, p: int, kwh: Decimal, tz: str
) -> None:
    tl = session(start, c, p, kwh, tz)
    result = price(t, tl)
    periods = result.periods
    assert result.amount == sum((x.amount for x in periods), Decimal("0.00"))
    assert result.gst == sum((x.gst for x in periods), Decimal("0.00"))
    for x in periods:
        assert x.gst == round_money(x.amount * t.tax_rate / (1 + t.tax_rate))
        assert x.amount == round_money(x.amount)
    if t.min_price is not None:
        assert result.amount >= round_money(t.min_price)
    if t.max_price is not None:
        assert result.amount <= round_money(t.max_price)
    assert sum(x.consumption_kwh for x in periods) == kwh
    # Periods of one dimension never overlap; together they tile charging, then parking.
    for dims, lo, hi in ((("ENERGY", "TIME"), 0, c), (("PARKING_TIME",), c, c + p)):
        spans = sorted(
            (int((x.start - start).total_seconds()), x.duration_s, x.dimension)
            for x in periods
            if x.dimension in dims
        )
        for dim in dims:
            ends = [s + d for s, d, k in spans if k == dim]
            starts_ = [s for s, d, k in spans if k == dim]
            assert all(e <= s for e, s in zip(ends, starts_[1:], strict=False))
        reach = lo
        for s, d, _ in spans:
            assert s <= reach
            reach = max(reach, s + d)
        assert reach == hi


def _local_matches(r: Restrictions | None, moment: datetime, tz: str) -> bool:
    """An independent check of a time-of-day window at one instant."""
    if r is None:
        return True
    t = moment.astimezone(ZoneInfo(tz)).time()
    st_, et = r.start_time or time(0), r.end_time
    if et is None:
        return t >= st_
    if r.start_time is None:
        return t < et
    if st_ < et:
        return st_ <= t < et
    if st_ > et:
        return t >= st_ or t < et
    return True


@EXAMPLES
@given(tou_tariffs(), starts, seconds, seconds, energies, st.sampled_from(ZONES))
def test_each_period_has_one_price_throughout(
    t: TariffSpec, start: datetime, c: int, p: int, kwh: Decimal, tz: str
) -> None:
    """Each period's unit price is the first matching element's at its first and last second."""
    for x in price(t, session(start, c, p, kwh, tz)).periods:
        if x.dimension == "FLAT" or x.duration_s == 0:
            continue
        for moment in (x.start, x.start + timedelta(seconds=x.duration_s - 1)):
            applicable = Decimal(0)
            for el in t.elements:
                comp = el.component(x.dimension)
                if comp is not None and _local_matches(el.restrictions, moment, tz):
                    applicable = comp.price
                    break
            assert applicable == x.unit_price


@EXAMPLES
@given(
    st.sampled_from([1, 100, 1000]),
    st.sampled_from([1, 60, 900]),
    st.sampled_from([1, 300]),
    prices,
    prices,
    prices,
    seconds,
    seconds,
    energies,
    st.integers(0, 30),
)
def test_single_element_matches_a_reference_model(
    e_step: int,
    t_step: int,
    p_step: int,
    pe: Decimal,
    pt: Decimal,
    pp: Decimal,
    c: int,
    p: int,
    kwh: Decimal,
    grace: int,
) -> None:
    t = TariffSpec.from_document(
        [
            element(
                component("ENERGY", str(pe), e_step),
                component("TIME", str(pt), t_step),
                component("PARKING_TIME", str(pp), p_step),
            )
        ],
        currency="AUD",
        tax_rate=Decimal("0.10"),
        parking_grace_minutes=grace,
    )

    def up(quantity: Decimal, step: int) -> Decimal:
        return (quantity / step).to_integral_value(rounding=ROUND_CEILING) * step

    billable = max(0, p - grace * 60)
    wh = up(kwh * 1000, e_step)
    charging = Decimal(c) if billable else up(Decimal(c), t_step)
    parking = up(Decimal(billable), p_step)
    # The exact total, rounded to the cent once (pricing.rounding).
    exact = pe * wh / 1000
    if c:
        exact += pt * charging / 3600
    if p:
        exact += pp * parking / 3600
    expected = round_money(exact)
    start = datetime(2026, 2, 10, 1, tzinfo=UTC)
    assert price(t, session(start, c, p, kwh, "Australia/Sydney")).amount == expected


@EXAMPLES
@given(
    tou_tariffs(steps=True),
    starts,
    seconds,
    seconds,
    energies,
    st.floats(0, 1),
    st.floats(0, 1),
    st.sampled_from(ZONES),
)
def test_idle_stretches_keep_the_invariants(
    t: TariffSpec,
    start: datetime,
    c: int,
    p: int,
    kwh: Decimal,
    f1: float,
    f2: float,
    tz: str,
) -> None:
    lo, hi = sorted((int(c * f1), int(c * f2)))
    tl = Timeline(
        start,
        start + timedelta(seconds=c),
        start + timedelta(seconds=c + p),
        kwh,
        (),
        tz,
        ((start + timedelta(seconds=lo), start + timedelta(seconds=hi)),),
    )
    periods = price(t, tl).periods
    assert sum(x.consumption_kwh for x in periods) == kwh
    parking = sum(x.duration_s for x in periods if x.dimension == "PARKING_TIME")
    assert parking == (hi - lo) + p
    spans = sorted(
        (int((x.start - start).total_seconds()), x.duration_s)
        for x in periods
        if x.dimension != "FLAT"
    )
    reach = 0
    for s, d in spans:
        assert s <= reach
        reach = max(reach, s + d)
    assert reach == c + p
    for x in periods:
        assert x.gst == round_money(x.amount * t.tax_rate / (1 + t.tax_rate))
