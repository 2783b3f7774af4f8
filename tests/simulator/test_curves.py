"""Charging curves: physical properties for any car and EVSE, and worked examples by hand."""

import math
import random
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetcharge.simulator.curves import (
    VEHICLES,
    ChargeSpec,
    ChargingCurve,
    CurrentType,
    Evse,
    Vehicle,
    random_charge,
)

DC_CAR = Vehicle("75 kWh, 150 kW DC", battery_kwh=75, ac_kw=11, dc_kw=150, dc_knee_soc=60)


@st.composite
def specs(draw: st.DrawFn) -> ChargeSpec:
    vehicle = Vehicle(
        "any",
        battery_kwh=draw(st.floats(10, 200)),
        ac_kw=draw(st.floats(1.4, 22)),
        dc_kw=draw(st.floats(20, 350)),
        ac_phases=draw(st.sampled_from([1, 3])),
        dc_knee_soc=draw(st.floats(30, 85)),
        ac_knee_soc=draw(st.floats(80, 99)),
        taper_floor=draw(st.floats(0.05, 0.5)),
    )
    evse = Evse(
        draw(st.sampled_from(CurrentType)),
        max_kw=draw(st.floats(3, 350)),
        phases=draw(st.sampled_from([1, 3])),
    )
    start = draw(st.floats(0, 100))
    target = draw(st.floats(start, 100))
    return ChargeSpec(vehicle, evse, start, target)


def car_limit_kw(spec: ChargeSpec) -> float:
    if spec.evse.current_type is CurrentType.DC:
        return spec.vehicle.dc_kw
    return spec.vehicle.ac_kw


@settings(max_examples=150, deadline=None)
@given(spec=specs(), interval=st.integers(10, 900), parked=st.integers(0, 7200))
def test_samples_obey_the_physics(spec: ChargeSpec, interval: int, parked: int) -> None:
    curve = ChargingCurve(spec)
    samples = list(curve.samples(interval, parked))
    limit_w = min(spec.evse.max_kw, car_limit_kw(spec)) * 1000
    assert len(samples) == len(range(interval, curve.charging_s + parked, interval))

    previous_energy, previous_soc, previous_power, integral = 0, spec.start_soc, math.inf, 0.0
    for sample in samples:
        assert isinstance(sample.energy_wh, int)
        assert sample.energy_wh >= previous_energy  # the register never goes back
        assert 0 <= sample.power_w <= limit_w  # never above min(EVSE, car)
        assert sample.power_w <= previous_power * (1 + 1e-9)  # SoC only rises, power only falls
        assert previous_soc <= sample.soc <= spec.target_soc
        integral += sample.power_w * interval / 3600
        assert abs(sample.energy_wh - integral) < 1  # energy is the integral of power
        previous_energy, previous_soc, previous_power = sample.energy_wh, sample.soc, sample.power_w
    # Once a whole interval lies after the target, the car draws nothing.
    assert all(s.power_w == 0 for s in samples if s.offset_s - interval >= curve.charging_s)
    assert curve.energy_at(curve.charging_s) == pytest.approx(curve.energy_wh, abs=1e-6)
    assert curve.soc_at(curve.charging_s) == pytest.approx(spec.target_soc)


@settings(max_examples=150, deadline=None)
@given(spec=specs())
def test_power_follows_the_curve_and_dc_tapers(spec: ChargeSpec) -> None:
    curve = ChargingCurve(spec)
    assert curve.limit_w == min(spec.evse.max_kw, car_limit_kw(spec)) * 1000
    end = curve.duration_s
    if end > 1:
        # Instantaneous power is the curve evaluated at the SoC reached by then.
        for t in (0.0, end / 3, end / 2, end * 0.99):
            assert curve.power_at(t) == pytest.approx(curve.power_at_soc(curve.soc_at(t)), rel=1e-6)
    powers = [curve.power_at_soc(soc) for soc in range(101)]
    assert all(a >= b for a, b in pairwise(powers))  # never rises with SoC
    if spec.evse.current_type is CurrentType.DC:
        vehicle = spec.vehicle
        peak_w, knee = vehicle.dc_kw * 1000, vehicle.dc_knee_soc
        floor_w = peak_w * vehicle.taper_floor
        # Full, a DC car takes only a small fraction of its peak, whatever the EVSE offers.
        assert powers[100] == pytest.approx(min(floor_w, spec.evse.max_kw * 1000))
        target = spec.target_soc
        car_w = peak_w - (peak_w - floor_w) * max(0.0, target - knee) / (100 - knee)
        if car_w < 0.99 * curve.limit_w and curve.duration_s > 0:
            # Where the car's taper is below the session's limit, the session slows down.
            end_w = curve.power_at(curve.duration_s * (1 - 1e-9))
            assert end_w == pytest.approx(car_w, rel=1e-6)
            assert end_w < 0.99 * curve.limit_w


def test_dc_at_a_50_kw_station_is_flat_to_80_percent() -> None:
    # The car could take 150 kW; its taper only drops below 50 kW past 89.6 %.
    curve = ChargingCurve(ChargeSpec(DC_CAR, Evse(CurrentType.DC, 50), 20, 80))
    # 45 kWh (60 % of 75 kWh) at 50 kW: 0.9 h.
    assert curve.energy_wh == 45_000
    assert curve.charging_s == 3240
    samples = list(curve.samples(60))
    assert len(samples) == 53  # 60 s ... 3180 s; the stop at 3240 s carries the final reading
    first = samples[0]
    assert (first.offset_s, first.energy_wh, first.power_w) == (60, 833, 50_000)
    assert first.current_a == 125.0  # 50 kW at 400 V
    assert first.soc == pytest.approx(20 + 833.333 / 750, abs=1e-4)
    assert samples[-1].energy_wh == 44_166  # 3180 s x 50 kW = 44 166.7 Wh, floored


def test_dc_at_a_150_kw_station_tapers_past_the_knee() -> None:
    curve = ChargingCurve(ChargeSpec(DC_CAR, Evse(CurrentType.DC, 150), 20, 80))
    # 20 -> 60 %: 30 kWh flat at 150 kW = 720 s.
    assert curve.energy_at(720) == pytest.approx(30_000)
    assert curve.power_at(719) == 150_000
    # 60 -> 80 %: the car's curve runs from 150 kW down to 15 kW at 100 %, i.e. -3.375 kW per %.
    # dP/dt = 100 x (-3.375) / 75 kWh x P = -4.5 P per hour, so P falls from 150 to 82.5 kW in
    # ln(150 / 82.5) / 4.5 h = 478.27 s.
    assert curve.duration_s == pytest.approx(720 + 3600 * math.log(150 / 82.5) / 4.5)
    assert curve.charging_s == 1199
    assert curve.power_at(1198) == pytest.approx(82_500, rel=1e-3)
    assert curve.power_at_soc(70) == pytest.approx(116_250)
    # 5 minutes into the taper: 150 kW x (1 - e^(-4.5 x 300/3600)) / 4.5 per hour.
    expected = 30_000 + 150_000 * (1 - math.exp(-4.5 * 300 / 3600)) / 4.5
    assert curve.energy_at(1020) == pytest.approx(expected)
    assert int(expected) == 40_423  # 10.42 kWh in those 5 minutes
    assert curve.energy_at(1199) == 45_000


def test_ac_7_kw_car_at_an_11_kw_station_for_two_hours() -> None:
    car = Vehicle("7 kW onboard", battery_kwh=56, ac_kw=7, dc_kw=50, ac_phases=1)
    curve = ChargingCurve(ChargeSpec(car, Evse(CurrentType.AC, 11), 75, 100))
    # Flat at 7 kW (the onboard charger, not the station's 11 kW) from 75 to 95 %:
    # 11.2 kWh in 1.6 h. Single phase: 7000 W / 230 V = 30.43 A.
    assert curve.power_at(0) == 7000
    assert curve.energy_at(5760) == pytest.approx(11_200)
    assert curve.current_for(7000) == pytest.approx(30.4348, abs=1e-4)
    # Then 7 kW -> 0.7 kW over the last 5 % (2.8 kWh): -1.26 kW per %, so
    # dP/dt = -100 x 1.26 / 56 x P = -2.25 P per hour. The remaining 0.4 h deliver
    # 7 kW / 2.25 x (1 - e^-0.9) = 1.846 kWh instead of 2.8 kWh flat.
    after_two_hours = 11_200 + 7000 / 2.25 * (1 - math.exp(-0.9))
    assert curve.energy_at(7200) == pytest.approx(after_two_hours)
    assert int(after_two_hours) == 13_046  # 14 kWh flat, minus 954 Wh of taper
    assert curve.power_at(7200) == pytest.approx(7000 * math.exp(-0.9))
    # Full after ln(10) / 2.25 h of taper.
    assert curve.duration_s == pytest.approx(5760 + 3600 * math.log(10) / 2.25)


def test_ac_current_is_per_phase_on_three_phases() -> None:
    car = Vehicle("11 kW onboard", battery_kwh=60, ac_kw=11, dc_kw=100, ac_phases=3)
    curve = ChargingCurve(ChargeSpec(car, Evse(CurrentType.AC, 22), 20, 80))
    assert curve.limit_w == 11_000
    assert curve.current_for(11_000) == pytest.approx(11_000 / 690)
    single_phase = ChargingCurve(ChargeSpec(car, Evse(CurrentType.AC, 7.4, phases=1), 20, 80))
    assert single_phase.limit_w == 7400
    assert single_phase.current_for(7400) == pytest.approx(7400 / 230)


def test_parked_car_reports_zero_power_at_the_target() -> None:
    curve = ChargingCurve(ChargeSpec(DC_CAR, Evse(CurrentType.DC, 50), 20, 80))
    parked = [s for s in curve.samples(60, 1800) if s.offset_s > curve.charging_s]
    assert len(parked) == 29  # 3300 s ... 5040 s
    assert all(not s.charging and s.energy_wh == 45_000 and s.soc == 80 for s in parked)


def test_a_car_already_at_its_target_does_not_charge() -> None:
    curve = ChargingCurve(ChargeSpec(DC_CAR, Evse(CurrentType.DC, 50), 80, 80))
    assert (curve.charging_s, curve.energy_wh, curve.power_at(0)) == (0, 0, 0)
    assert [s.power_w for s in curve.samples(60, 180)] == [0, 0]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"battery_kwh": 0},
        {"ac_phases": 2.5},
        {"dc_knee_soc": 100},
        {"taper_floor": 0},
    ],
)
def test_impossible_vehicles_are_refused(kwargs: dict[str, float]) -> None:
    values = {"battery_kwh": 60, "ac_kw": 11, "dc_kw": 100} | kwargs
    with pytest.raises(ValueError):
        Vehicle("bad", **values)  # type: ignore[arg-type]


def test_soc_window_must_be_ordered() -> None:
    with pytest.raises(ValueError):
        ChargeSpec(DC_CAR, Evse(CurrentType.DC, 50), 80, 20)


def test_random_charges_are_reproducible_and_plausible() -> None:
    evse = Evse(CurrentType.DC, 50)
    first = [random_charge(random.Random(5), evse) for _ in range(3)]
    assert first[0] == first[1] == first[2]
    for spec in (random_charge(random.Random(seed), evse) for seed in range(200)):
        assert spec.vehicle in VEHICLES
        assert 10 <= spec.start_soc <= 50 and spec.target_soc in (80, 85, 90)
