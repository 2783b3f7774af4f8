"""The simulated station's profile stack (pure): precedence, validity, kinds, clearing, the
composite schedule, and a car drawing the smaller of its curve and the limit."""

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fleetcharge.simulator.curves import VEHICLES, ChargeSpec, ChargingCurve, CurrentType, Evse
from fleetcharge.simulator.limited_charge import LimitedCharge
from fleetcharge.simulator.profiles import Profile, ProfileStack

T0 = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
TX = 7


def profile(
    profile_id: int,
    purpose: str = "TxProfile",
    stack_level: int = 0,
    periods: list[tuple[int, float]] | None = None,
    *,
    unit: str = "A",
    kind: str = "Relative",
    connector_id: int = 1,
    **extra: Any,
) -> Profile:
    schedule: dict[str, Any] = {
        "chargingRateUnit": unit,
        "chargingSchedulePeriod": [
            {"startPeriod": start, "limit": limit} for start, limit in periods or [(0, 16.0)]
        ],
    }
    if kind != "Relative":
        schedule["startSchedule"] = extra.pop("start", T0).isoformat()
    if "duration" in extra:
        schedule["duration"] = extra.pop("duration")
    data = {
        "chargingProfileId": profile_id,
        "stackLevel": stack_level,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": kind,
        "chargingSchedule": schedule,
        **extra,
    }
    return Profile.parse(connector_id, data)


def test_a_tx_profile_needs_a_transaction_on_its_connector() -> None:
    stack = ProfileStack()
    assert not stack.install(profile(1), transaction_id=None)
    assert not stack.install(profile(1, connector_id=0), transaction_id=TX)
    assert not stack.install(profile(1, transactionId=TX + 1), transaction_id=TX)
    assert stack.install(profile(1, transactionId=TX), transaction_id=TX)
    assert not stack.install(profile(2, "ChargePointMaxProfile", kind="Absolute"), TX)


def test_limits_in_amperes_are_drawn_on_the_phases_at_230_volts() -> None:
    stack = ProfileStack()
    stack.install(profile(1, periods=[(0, 8.0)]), TX)
    assert stack.limit_w(1, T0, tx_start=T0, phases=3) == 8 * 230 * 3
    assert stack.limit_w(1, T0, tx_start=T0, phases=1) == 8 * 230
    assert stack.limit_w(1, T0) is None  # no transaction: no TxProfile applies


def test_periods_validity_and_duration() -> None:
    stack = ProfileStack()
    stack.install(
        profile(1, periods=[(0, 10.0), (600, 6.0)], unit="W", duration=1200), transaction_id=TX
    )
    stack.install(
        profile(
            2,
            "TxDefaultProfile",
            periods=[(0, 3.0)],
            unit="W",
            kind="Absolute",
            connector_id=0,
            validFrom=(T0 + timedelta(seconds=1500)).isoformat(),
        ),
        None,
    )
    at = [T0 + timedelta(seconds=s) for s in (0, 599, 600, 1199, 1200, 1499, 1500)]
    limits = [stack.limit_w(1, moment, tx_start=T0) for moment in at]
    assert limits == [10.0, 10.0, 6.0, 6.0, None, None, 3.0]


def test_recurring_daily_profile_repeats() -> None:
    stack = ProfileStack()
    day = profile(
        1,
        "ChargePointMaxProfile",
        periods=[(0, 100.0), (3600, 50.0)],
        unit="W",
        kind="Recurring",
        connector_id=0,
        recurrencyKind="Daily",
        start=T0 - timedelta(days=3),
    )
    stack.install(day, None)
    assert stack.limit_w(1, T0 + timedelta(minutes=30)) == 100.0
    assert stack.limit_w(1, T0 + timedelta(hours=5)) == 50.0
    assert stack.limit_w(1, T0 + timedelta(days=1, minutes=1)) == 100.0


def test_a_profile_replaces_one_with_its_id_or_its_stack_level_and_purpose() -> None:
    stack = ProfileStack()
    stack.install(profile(1, periods=[(0, 16.0)]), TX)
    stack.install(profile(2, periods=[(0, 10.0)]), TX)  # same level and purpose: replaces 1
    assert set(stack.profiles) == {2}
    stack.install(profile(2, stack_level=3, periods=[(0, 6.0)]), TX)  # same id: replaces
    assert stack.profiles[2].stack_level == 3


def test_clear_by_id_or_by_criteria_and_at_the_end_of_the_transaction() -> None:
    stack = ProfileStack()
    stack.install(profile(1), TX)
    stack.install(profile(2, "TxDefaultProfile", stack_level=1, connector_id=0), None)
    assert not stack.clear(profile_id=9)
    assert stack.clear(purpose="TxDefaultProfile")
    assert set(stack.profiles) == {1}
    stack.transaction_ended(1)
    assert stack.profiles == {}


def test_composite_schedule_steps_where_the_limit_changes() -> None:
    stack = ProfileStack()
    stack.install(profile(1, periods=[(0, 16.0), (600, 8.0)]), TX)
    periods = stack.composite(1, T0, 1800, unit="A", tx_start=T0, phases=3, max_w=22_000)
    assert [(p.start_s, p.limit) for p in periods] == [(0, 16.0), (600, 8.0)]
    watts = stack.composite(1, T0, 1800, unit="W", tx_start=T0, phases=3, max_w=7_000)
    assert [(p.start_s, p.limit) for p in watts] == [(0, 7000.0), (600, 5520.0)]


# -- properties --------------------------------------------------------------------------

limits = st.floats(min_value=0, max_value=64).map(lambda a: round(a, 1))
levels = st.integers(min_value=0, max_value=10)
tx_profiles = st.lists(
    st.tuples(levels, st.lists(st.tuples(st.integers(0, 3600), limits), min_size=1, max_size=4)),
    min_size=1,
    max_size=5,
)


def _periods(raw: list[tuple[int, float]]) -> list[tuple[int, float]]:
    starts = sorted({0, *(start for start, _ in raw[1:])})
    return list(zip(starts, [limit for _, limit in raw], strict=False))


def _stack(raw: list[tuple[int, list[tuple[int, float]]]], cap: float | None) -> ProfileStack:
    stack = ProfileStack()
    for number, (level, periods) in enumerate(raw, start=1):
        stack.install(profile(number, stack_level=level, periods=_periods(periods)), TX)
    if cap is not None:
        stack.install(
            profile(
                99, "ChargePointMaxProfile", periods=[(0, cap)], kind="Absolute", connector_id=0
            ),
            None,
        )
    return stack


@settings(max_examples=60, deadline=None)
@given(tx_profiles, st.none() | limits, st.integers(0, 3600))
def test_the_highest_stack_level_wins_capped_by_the_station_maximum(
    raw: list[tuple[int, list[tuple[int, float]]]], cap: float | None, second: int
) -> None:
    stack = _stack(raw, cap)
    at = T0 + timedelta(seconds=second)
    limit = stack.limit_w(1, at, tx_start=T0, phases=3)
    assert limit is not None
    top = max(
        (p for p in stack.profiles.values() if p.purpose == "TxProfile"),
        key=lambda p: p.stack_level,
    )
    expected = top.limit_w(at, T0, 3)
    assert expected is not None
    if cap is not None:
        assert limit <= cap * 230 * 3 + 1e-9
        assert limit == min(expected[0], cap * 230 * 3)
    else:
        assert limit == expected[0]


@settings(max_examples=60, deadline=None)
@given(tx_profiles, st.none() | limits, st.integers(60, 7200))
def test_the_composite_never_exceeds_an_active_limit(
    raw: list[tuple[int, list[tuple[int, float]]]], cap: float | None, duration: int
) -> None:
    stack = _stack(raw, cap)
    periods = stack.composite(1, T0, duration, unit="W", tx_start=T0, phases=3, max_w=22_000)
    assert periods[0].start_s == 0
    assert [p.start_s for p in periods] == sorted({p.start_s for p in periods})
    for index, period in enumerate(periods):
        end = periods[index + 1].start_s if index + 1 < len(periods) else duration
        for second in range(period.start_s, end, max(1, (end - period.start_s) // 7)):
            limit = stack.limit_w(1, T0 + timedelta(seconds=second), tx_start=T0, phases=3)
            assert period.limit <= (22_000 if limit is None else min(limit, 22_000)) + 1e-9


@settings(max_examples=60, deadline=None)
@given(tx_profiles, st.integers(0, 3600), st.data())
def test_a_cleared_profile_no_longer_applies(
    raw: list[tuple[int, list[tuple[int, float]]]], second: int, data: st.DataObject
) -> None:
    stack = _stack(raw, None)
    gone = data.draw(st.sampled_from(sorted(stack.profiles)))
    cleared = stack.profiles[gone]
    assert stack.clear(profile_id=gone)
    assert gone not in stack.profiles
    at = T0 + timedelta(seconds=second)
    # What the rest alone gives: the highest stack level with a period in force.
    rest = sorted(stack.profiles.values(), key=lambda p: -p.stack_level)
    in_force = [limit for p in rest if (limit := p.limit_w(at, T0, 3)) is not None]
    expected = in_force[0][0] if in_force else None
    assert stack.limit_w(1, at, tx_start=T0) == expected
    if not rest:
        assert cleared.limit_w(at, T0, 3) is not None  # it applied, and no longer does


# -- the car under a limit ---------------------------------------------------------------

CAR = ChargeSpec(VEHICLES[1], Evse(CurrentType.AC, max_kw=22, phases=3), 30, 80)


def test_without_a_limit_the_car_follows_its_curve_exactly() -> None:
    curve = ChargingCurve(CAR)
    charge = LimitedCharge(curve)
    for t in (60, 120, 600):
        assert charge.sample(t - 60, t) == curve.sample(t - 60, t)
    assert not charge.limited


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=0, max_value=11_000), st.integers(0, 1200))
def test_the_car_draws_the_smaller_of_its_curve_and_the_limit(limit: float, from_s: int) -> None:
    curve = ChargingCurve(CAR)
    charge = LimitedCharge(curve, lambda t: limit if t >= from_s else None)
    previous = 0
    for t in range(60, 3600, 60):
        sample = charge.sample(previous, t)
        if previous >= from_s:
            assert sample.power_w <= limit + 1e-6
        assert sample.power_w <= curve.limit_w + 1e-6
        previous = t
    assert charge.energy_at(3600) <= curve.energy_at(3600) + 1e-6
