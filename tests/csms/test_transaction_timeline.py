"""Building the pricing timeline from a transaction's reports: examples and properties."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from fleetcharge.csms.transaction_timeline import (
    PowerReading,
    RegisterReading,
    StatusChange,
    TransactionFacts,
    build_timeline,
)
from fleetcharge.models.ocpp import Flag
from fleetcharge.money import round_kwh
from fleetcharge.pricing.engine import price
from fleetcharge.pricing.schemas import PriceComponent, TariffSpec

T0 = datetime(2025, 3, 3, 23, 0, tzinfo=UTC)
ENERGY_AND_PARKING = TariffSpec(
    currency="AUD",
    tax_rate=Decimal("0.1"),
    components=(
        PriceComponent("ENERGY", Decimal("0.40")),
        PriceComponent("PARKING_TIME", Decimal("12.00")),
    ),
)


def m(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def facts(
    meter_start: int = 0,
    meter_stop: int = 10_000,
    stop: float = 60,
    registers: tuple[tuple[float, int], ...] = (),
    statuses: tuple[tuple[float, str], ...] = (),
    **extra: object,
) -> TransactionFacts:
    return TransactionFacts(
        start=T0,
        stop=m(stop),
        meter_start_wh=meter_start,
        meter_stop_wh=meter_stop,
        registers=tuple(RegisterReading(m(t), Decimal(wh)) for t, wh in registers),
        statuses=tuple(StatusChange(m(t), s) for t, s in statuses),
        **extra,  # type: ignore[arg-type]
    )


def test_without_readings_or_statuses_the_car_charges_until_the_stop() -> None:
    built = build_timeline(facts())
    assert (built.timeline.charging_end, built.timeline.idle, built.energy_wh) == (
        m(60),
        (),
        10_000,
    )
    assert built.timeline.energy_kwh == Decimal(10) and built.flags == frozenset()


def test_idle_statuses_and_flat_readings_are_idle_and_the_last_one_ends_charging() -> None:
    built = build_timeline(
        facts(
            registers=((10, 3000), (20, 3000), (30, 6000), (45, 10_000)),
            statuses=(
                (-30, "Finishing"),
                (-5, "Available"),
                (0, "Charging"),
                (25, "SuspendedEVSE"),
                (27, "Charging"),
                (50, "SuspendedEV"),
            ),
        )
    )
    timeline = built.timeline
    assert timeline.idle == ((m(10), m(20)), (m(25), m(27)))
    assert timeline.charging_end == m(
        45
    )  # the register stopped rising at 45, the car said so at 50
    assert [(s.at, s.energy_kwh) for s in timeline.samples] == [
        (m(10), Decimal(3)),
        (m(20), Decimal(3)),
        (m(30), Decimal(6)),
    ]


def test_an_idle_status_contradicted_by_a_rising_register_is_stale() -> None:
    # Left in SuspendedEV by the previous session and never updated, while the car charges.
    built = build_timeline(
        facts(registers=((20, 4000), (40, 8000)), statuses=((-90, "SuspendedEV"),))
    )
    assert (built.timeline.idle, built.timeline.charging_end) == ((), m(60))
    # Without readings, the one rising interval (start to stop) overrules it too.
    assert build_timeline(facts(statuses=((-90, "SuspendedEV"),))).timeline.charging_end == m(60)


def test_a_car_that_never_draws_energy_is_parked_throughout() -> None:
    built = build_timeline(facts(meter_stop=0))
    assert (built.timeline.charging_end, built.energy_wh) == (T0, 0)


def test_readings_from_another_register_are_implausible_and_ignored() -> None:
    # meterStart/meterStop count from 0; the readings are the lifetime register.
    built = build_timeline(facts(registers=((20, 8_400_000), (40, 8_405_000)), meter_stop=9000))
    assert built.energy_wh == 9000 and built.flags == {Flag.IMPLAUSIBLE_READINGS}
    # A meterStop from the lifetime register with meterStart 0: believed only up to the
    # readings that are plausible (none here), and flagged for an operator.
    built = build_timeline(facts(meter_stop=8_405_000))
    assert built.energy_wh == 0 and built.flags == {Flag.IMPLAUSIBLE_READINGS}


def test_parking_after_the_stop_extends_the_session() -> None:
    built = build_timeline(facts(session_end=m(80)))
    assert (built.timeline.charging_end, built.timeline.stop) == (m(60), m(80))


def test_power_readings_reach_the_engine_while_charging() -> None:
    power = (PowerReading(m(5), Decimal(7)), PowerReading(m(70), Decimal(1)))
    built = build_timeline(facts(power=power))
    assert [(s.at, s.power_kw) for s in built.timeline.samples] == [(m(5), Decimal(7))]


STATUSES = st.sampled_from(
    ["Charging", "SuspendedEV", "SuspendedEVSE", "Finishing", "Preparing", "Available", "Faulted"]
)


@st.composite
def transactions(draw: st.DrawFn) -> TransactionFacts:
    total_s = draw(st.integers(0, 6 * 3600))
    meter_start = draw(st.integers(0, 10**7))
    stop_delta = draw(st.integers(-20_000, 200_000))
    readings = draw(
        st.lists(
            st.tuples(st.integers(-600, total_s + 600), st.integers(-50_000, 250_000)), max_size=12
        )
    )
    statuses = draw(st.lists(st.tuples(st.integers(-3600, total_s + 600), STATUSES), max_size=8))
    return TransactionFacts(
        start=T0,
        stop=T0 + timedelta(seconds=total_s),
        meter_start_wh=meter_start,
        meter_stop_wh=meter_start + stop_delta,
        registers=tuple(
            RegisterReading(T0 + timedelta(seconds=s), Decimal(meter_start + wh))
            for s, wh in readings
        ),
        statuses=tuple(StatusChange(T0 + timedelta(seconds=s), status) for s, status in statuses),
        max_power_kw=draw(st.sampled_from([None, Decimal(7), Decimal(22), Decimal(350)])),
    )


@settings(max_examples=300, deadline=None)
@given(transactions())
def test_timelines_are_consistent_and_price_every_second_once(facts: TransactionFacts) -> None:
    built = build_timeline(facts)
    timeline = built.timeline
    start, stop = timeline.start, timeline.stop
    assert built.energy_wh >= 0 and timeline.energy_kwh >= 0
    assert start <= timeline.charging_end <= stop
    highest: Decimal | int = max([Decimal(facts.meter_stop_wh), *(r.wh for r in facts.registers)])
    assert built.energy_wh <= max(0, highest - facts.meter_start_wh)

    idle_s = 0
    previous_end = start
    for a, b in timeline.idle:
        assert previous_end <= a < b <= timeline.charging_end
        idle_s += int((b - a).total_seconds())
        previous_end = b
    charging_s = int((timeline.charging_end - start).total_seconds()) - idle_s
    parked_s = idle_s + int((stop - timeline.charging_end).total_seconds())
    assert charging_s >= 0
    assert charging_s + parked_s == int((stop - start).total_seconds())

    priced = price(ENERGY_AND_PARKING, timeline)
    by_dimension = {"ENERGY": 0, "PARKING_TIME": 0}
    for period in priced.periods:
        by_dimension[period.dimension] += period.duration_s
    assert by_dimension == {"ENERGY": charging_s, "PARKING_TIME": parked_s}
    assert sum(p.consumption_kwh for p in priced.periods) == round_kwh(timeline.energy_kwh)
    assert priced.amount >= 0


@given(
    st.integers(0, 10**7),
    st.lists(st.integers(0, 5000), max_size=10),
    st.integers(0, 5000),
)
def test_consistent_reports_bill_exactly_meter_stop_minus_meter_start(
    meter_start: int, steps: list[int], last_step: int
) -> None:
    levels = [meter_start]
    for step in steps:
        levels.append(levels[-1] + step)
    meter_stop = levels[-1] + last_step
    registers = tuple((10 + i, wh) for i, wh in enumerate(levels[1:]))
    built = build_timeline(
        facts(meter_start=meter_start, meter_stop=meter_stop, stop=60, registers=registers)
    )
    assert built.energy_wh == meter_stop - meter_start
    assert built.flags == frozenset()
