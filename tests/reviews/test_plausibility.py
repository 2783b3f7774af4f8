"""Which completed sessions are held for review: worked examples, then properties over any
session (fleetcharge.reviews.plausibility is pure)."""

from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetcharge.reviews.plausibility import (
    Policy,
    Reason,
    SessionFacts,
    deliverable_kwh,
    judge,
    vehicle_limit,
)

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
POLICY = Policy()


def session(
    energy: str,
    *,
    hours: float = 0,
    days: float = 0,
    kw: str = "22",
    current: str = "AC",
    vehicle_kw: str | None = None,
    flags: frozenset[str] = frozenset(),
) -> SessionFacts:
    return SessionFacts(
        start=T0,
        stop=T0 + timedelta(days=days, hours=hours),
        energy_kwh=Decimal(energy),
        station_kw=Decimal(kw),
        current_type=current,
        vehicle_kw=Decimal(vehicle_kw) if vehicle_kw is not None else None,
        flags=flags,
    )


def test_the_forged_month_long_200_000_kwh_session_on_a_22_kw_charger_is_held() -> None:
    verdict = judge(session("200000", days=29))
    assert verdict.held
    assert verdict.reasons == ["energy_above_station_power", "duration_too_long"]
    # 22 kW for 696 h, 10 % over the rating, and 1 kWh of slack.
    assert verdict.deliverable_kwh == Decimal("16844.200")
    assert verdict.findings[0].detail == (
        "200000 kWh in 696.00 h: a 22 kW AC station delivers at most 16844.200 kWh"
    )


@pytest.mark.parametrize(
    "facts",
    [
        session("30", hours=2),  # 15 kW average on 22 kW AC
        session("43.9", hours=2),  # 22 kW for 2 h, a little over: mains voltage runs high
        session("40", hours=0.8, kw="50", current="DC"),  # a DC top-up
        session("0.6", hours=0.01),  # a minute's charge: within the slack
        session("0", days=2.9),  # left plugged in over a weekend, nothing drawn
        session("11", hours=1, vehicle_kw="11"),  # the car's own limit, reached
        session("0"),  # started and stopped at once, nothing delivered
    ],
)
def test_ordinary_sessions_are_not_held(facts: SessionFacts) -> None:
    assert judge(facts).findings == ()


@pytest.mark.parametrize(
    ("facts", "reasons"),
    [
        (session("30", hours=1), ["energy_above_station_power"]),
        (session("30", hours=2, vehicle_kw="7.4"), ["energy_above_vehicle_power"]),
        (session("0.5"), ["energy_without_duration"]),
        (session("0", days=3, hours=1), ["duration_too_long"]),
        (session("5", hours=1, flags=frozenset({"clock_adjusted"})), ["clock_adjusted"]),
        (
            session("0.5", flags=frozenset({"stop_before_start", "local_clock"})),
            ["energy_without_duration", "stop_before_start"],
        ),
        (
            session("100", hours=1, kw="350", current="DC", vehicle_kw="50"),
            ["energy_above_vehicle_power"],
        ),
    ],
)
def test_implausible_sessions_are_held_with_their_reasons(
    facts: SessionFacts, reasons: list[str]
) -> None:
    assert judge(facts).reasons == reasons


def test_the_vehicle_limit_follows_the_stations_current_type() -> None:
    assert vehicle_limit("AC", Decimal("7.4"), Decimal(50)) == Decimal("7.4")
    assert vehicle_limit("DC", Decimal("7.4"), Decimal(50)) == Decimal(50)
    assert vehicle_limit("DC", Decimal("7.4"), None) is None


# Properties over any session.

KW = st.decimals(min_value=1, max_value=3999, places=1)
SECONDS = st.integers(min_value=1, max_value=int(POLICY.max_duration.total_seconds()))
ENERGY = st.decimals(min_value=0, max_value=10**6, places=3)
FLAGS = st.frozensets(
    st.sampled_from(["clock_adjusted", "stop_before_start", "local_clock", "replayed_offline"])
)


def facts_of(
    seconds: int, energy: Decimal, kw: Decimal, vehicle_kw: Decimal | None = None, **more: object
) -> SessionFacts:
    return SessionFacts(
        start=T0,
        stop=T0 + timedelta(seconds=seconds),
        energy_kwh=energy,
        station_kw=kw,
        vehicle_kw=vehicle_kw,
        **more,  # type: ignore[arg-type]
    )


@given(SECONDS, KW, st.decimals(min_value=0, max_value=1, places=4))
def test_energy_the_station_can_deliver_in_the_time_is_never_held(
    seconds: int, kw: Decimal, share: Decimal
) -> None:
    most = kw * Decimal(seconds) / 3600
    energy = (most * share).quantize(Decimal("0.001"), rounding=ROUND_DOWN)
    assert judge(facts_of(seconds, energy, kw)).findings == ()


@given(SECONDS, KW, st.decimals(min_value="0.001", max_value=10**5, places=3))
def test_energy_above_what_the_station_can_deliver_is_always_held(
    seconds: int, kw: Decimal, excess: Decimal
) -> None:
    bound = deliverable_kwh(kw, timedelta(seconds=seconds), POLICY)
    verdict = judge(facts_of(seconds, bound + excess, kw))
    assert verdict.reasons == [Reason.ENERGY_ABOVE_STATION_POWER]
    assert verdict.deliverable_kwh == bound


@given(SECONDS, KW, KW, ENERGY)
def test_the_vehicle_holds_exactly_what_its_own_limit_cannot_take(
    seconds: int, kw: Decimal, vehicle_kw: Decimal, energy: Decimal
) -> None:
    verdict = judge(facts_of(seconds, energy, kw, vehicle_kw))
    vehicle_bound = deliverable_kwh(vehicle_kw, timedelta(seconds=seconds), POLICY)
    station_bound = deliverable_kwh(kw, timedelta(seconds=seconds), POLICY)
    assert (Reason.ENERGY_ABOVE_VEHICLE_POWER in verdict.reasons) == (energy > vehicle_bound)
    assert (Reason.ENERGY_ABOVE_STATION_POWER in verdict.reasons) == (energy > station_bound)
    assert verdict.deliverable_kwh == min(vehicle_bound, station_bound)


@settings(max_examples=200)
@given(st.integers(-(10**6), 60 * 86400), KW, ENERGY, ENERGY, FLAGS)
def test_more_energy_never_makes_a_held_session_plausible(
    seconds: int, kw: Decimal, energy: Decimal, more: Decimal, flags: frozenset[str]
) -> None:
    less = judge(facts_of(seconds, energy, kw, flags=flags))
    greater = judge(facts_of(seconds, energy + more, kw, flags=flags))
    assert set(less.reasons) <= set(greater.reasons)


@given(st.integers(0, 120 * 86400), KW, ENERGY)
def test_sessions_longer_than_the_maximum_are_held_and_no_others_for_their_length(
    seconds: int, kw: Decimal, energy: Decimal
) -> None:
    too_long = timedelta(seconds=seconds) > POLICY.max_duration
    reasons = judge(facts_of(seconds, energy, kw)).reasons
    assert (Reason.DURATION_TOO_LONG in reasons) == too_long


@given(st.integers(-86400, 0), KW, ENERGY, FLAGS)
def test_energy_without_time_is_always_held(
    seconds: int, kw: Decimal, energy: Decimal, flags: frozenset[str]
) -> None:
    reasons = judge(facts_of(seconds, energy, kw, flags=flags)).reasons
    assert (Reason.ENERGY_WITHOUT_DURATION in reasons) == (energy > 0)
    assert Reason.ENERGY_ABOVE_STATION_POWER not in reasons


@given(st.integers(-86400, 120 * 86400), KW, ENERGY, FLAGS, st.integers(-(10**9), 10**9))
def test_the_verdict_depends_on_durations_not_on_when(
    seconds: int, kw: Decimal, energy: Decimal, flags: frozenset[str], shift: int
) -> None:
    here = facts_of(seconds, energy, kw, flags=flags)
    moved = SessionFacts(
        start=here.start + timedelta(seconds=shift),
        stop=here.stop + timedelta(seconds=shift),
        energy_kwh=energy,
        station_kw=kw,
        flags=flags,
    )
    assert judge(here) == judge(moved)


@given(st.integers(-86400, 120 * 86400), KW, ENERGY, FLAGS)
def test_reasons_are_stable_codes_each_given_once_with_its_numbers(
    seconds: int, kw: Decimal, energy: Decimal, flags: frozenset[str]
) -> None:
    verdict = judge(facts_of(seconds, energy, kw, flags=flags))
    assert len(set(verdict.reasons)) == len(verdict.reasons)
    assert set(verdict.reasons) <= {reason.value for reason in Reason}
    clock = {"clock_adjusted", "stop_before_start"} & flags
    assert clock <= set(verdict.reasons)
    assert verdict.held == bool(verdict.findings)
    for finding in verdict.findings:
        if finding.reason.startswith("energy"):
            assert str(energy) in finding.detail
