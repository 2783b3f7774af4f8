"""Realistic EV charging curves: power over time for one session and its meter samples. Pure.

Power depends on the battery's state of charge (SoC): the lesser of the EVSE's limit and the
car's curve. The car's curve is flat at its peak (the DC peak, or its onboard AC charger) up to a
knee, then falls linearly to `taper_floor` x peak at 100 %. Between knots power is linear in SoC,
P = P0 + m (s - s0), and dSoC/dt = 100 P / C, so dP/dt = (100 m / C) P: on a taper segment power
decays exponentially in time and energy has a closed form. No numerical integration, so energy is
exact at any instant and a multi-hour session costs a handful of `exp` calls.

A sample reports the mean power over the interval that ends at it, so the register is exactly the
integral of the reported power (up to the Wh rounding of the register).
"""

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

AC_VOLTS = 230.0
WH_PER_KWH = 1000.0
SECONDS_PER_HOUR = 3600.0


class CurrentType(StrEnum):
    AC = "AC"
    DC = "DC"


@dataclass(frozen=True, slots=True)
class Vehicle:
    """What the car can take: its battery, onboard AC charger and DC curve."""

    name: str
    battery_kwh: float
    ac_kw: float
    dc_kw: float
    ac_phases: int = 3
    dc_knee_soc: float = 60.0
    ac_knee_soc: float = 95.0
    taper_floor: float = 0.1
    dc_volts: float = 400.0

    def __post_init__(self) -> None:
        if self.battery_kwh <= 0 or self.ac_kw <= 0 or self.dc_kw <= 0 or self.dc_volts <= 0:
            raise ValueError(f"{self.name}: battery, powers and voltage must be positive")
        if self.ac_phases not in (1, 2, 3):
            raise ValueError(f"{self.name}: ac_phases must be 1, 2 or 3")
        if not (0 <= self.dc_knee_soc < 100 and 0 <= self.ac_knee_soc < 100):
            raise ValueError(f"{self.name}: knees must be in [0, 100)")
        if not 0 < self.taper_floor <= 1:
            raise ValueError(f"{self.name}: taper_floor must be in (0, 1]")


@dataclass(frozen=True, slots=True)
class Evse:
    """The station side: current type, power limit and (AC) phases wired."""

    current_type: CurrentType
    max_kw: float
    phases: int = 3

    def __post_init__(self) -> None:
        if self.max_kw <= 0:
            raise ValueError("EVSE max_kw must be positive")
        if self.phases not in (1, 2, 3):
            raise ValueError("EVSE phases must be 1, 2 or 3")


@dataclass(frozen=True, slots=True)
class ChargeSpec:
    """One charge: this car on this EVSE from `start_soc` to `target_soc` (percent)."""

    vehicle: Vehicle
    evse: Evse
    start_soc: float
    target_soc: float

    def __post_init__(self) -> None:
        if not 0 <= self.start_soc <= self.target_soc <= 100:
            raise ValueError("need 0 <= start_soc <= target_soc <= 100")


@dataclass(frozen=True, slots=True)
class MeterSample:
    """A meter reading `offset_s` seconds after the transaction started.

    `energy_wh` is the energy delivered so far (floored, so it never runs ahead of the curve);
    `power_w` and `current_a` are means over the interval ending here; `soc` is percent.
    """

    offset_s: int
    energy_wh: int
    power_w: float
    current_a: float
    soc: float

    @property
    def charging(self) -> bool:
        """False once the car is full: power 0, the connector reports SuspendedEV."""
        return self.power_w > 0


@dataclass(frozen=True, slots=True)
class _Segment:
    start_s: float
    end_s: float
    energy_wh: float  # delivered before this segment
    end_energy_wh: float
    power_w: float  # at the start of the segment
    rate: float  # per second: power(t) = power_w * exp(rate * t); 0 on a flat segment

    def energy_after(self, t: float) -> float:
        if self.rate == 0:
            gained = self.power_w * t / SECONDS_PER_HOUR
        else:
            gained = self.power_w * math.expm1(self.rate * t) / self.rate / SECONDS_PER_HOUR
        return min(self.energy_wh + gained, self.end_energy_wh)


class ChargingCurve:
    """Power, energy and SoC over time for one `ChargeSpec`; time 0 is the transaction start."""

    def __init__(self, spec: ChargeSpec) -> None:
        self.spec = spec
        vehicle, evse = spec.vehicle, spec.evse
        self._capacity_wh = vehicle.battery_kwh * WH_PER_KWH
        if evse.current_type is CurrentType.DC:
            self._car_peak_w, self._knee = vehicle.dc_kw * WH_PER_KWH, vehicle.dc_knee_soc
        else:
            self._car_peak_w, self._knee = vehicle.ac_kw * WH_PER_KWH, vehicle.ac_knee_soc
        self._evse_w = evse.max_kw * WH_PER_KWH
        #: The most this session can ever draw: min(EVSE, car), in W.
        self.limit_w = min(self._evse_w, self._car_peak_w)
        self._segments = self._integrate()
        #: Exact time (s) at which the target SoC is reached.
        self.duration_s = self._segments[-1].end_s if self._segments else 0.0
        #: Whole seconds of charging; the car is idle (SuspendedEV) from here on.
        self.charging_s = math.ceil(self.duration_s)
        #: Energy needed to go from start to target SoC, in Wh.
        self.energy_wh = self._capacity_wh * (spec.target_soc - spec.start_soc) / 100

    def power_at_soc(self, soc: float) -> float:
        """Power (W) the car draws at this SoC: min(EVSE, car curve)."""
        floor_w = self._car_peak_w * self.spec.vehicle.taper_floor
        if soc <= self._knee:
            car_w = self._car_peak_w
        else:
            car_w = self._car_peak_w - (self._car_peak_w - floor_w) * (
                (soc - self._knee) / (100 - self._knee)
            )
        return min(self._evse_w, car_w)

    def _knots(self) -> list[float]:
        """SoC values where the power curve changes slope: the knee, and where the car's taper
        drops below the EVSE limit."""
        knots = [self._knee]
        floor_w = self._car_peak_w * self.spec.vehicle.taper_floor
        if floor_w < self._evse_w < self._car_peak_w:
            fraction = (self._car_peak_w - self._evse_w) / (self._car_peak_w - floor_w)
            knots.append(self._knee + fraction * (100 - self._knee))
        return knots

    def _integrate(self) -> list[_Segment]:
        start, target = self.spec.start_soc, self.spec.target_soc
        bounds = [start, *sorted(k for k in self._knots() if start < k < target), target]
        segments: list[_Segment] = []
        t = energy = 0.0
        for a, b in pairwise(bounds):
            if b <= a:
                continue
            p_a, p_b = self.power_at_soc(a), self.power_at_soc(b)
            gained = self._capacity_wh * (b - a) / 100
            if math.isclose(p_a, p_b, rel_tol=1e-12):
                rate = 0.0
                length = gained / p_a * SECONDS_PER_HOUR
            else:
                slope = (p_b - p_a) / (b - a)  # W per percent
                rate = 100 * slope / self._capacity_wh / SECONDS_PER_HOUR
                length = math.log(p_b / p_a) / rate
            segments.append(_Segment(t, t + length, energy, energy + gained, p_a, rate))
            t += length
            energy += gained
        return segments

    def _segment(self, t: float) -> _Segment | None:
        for segment in self._segments:
            if t < segment.end_s:
                return segment
        return None

    def energy_at(self, t: float) -> float:
        """Energy (Wh, not rounded) delivered in the first `t` seconds."""
        if t <= 0:
            return 0.0
        segment = self._segment(t)
        if segment is None:
            return self.energy_wh
        return segment.energy_after(t - segment.start_s)

    def power_at(self, t: float) -> float:
        """Instantaneous power (W) at `t`; 0 before the start and once the target is reached."""
        segment = self._segment(t) if t >= 0 else None
        if segment is None:
            return 0.0
        return min(self.limit_w, segment.power_w * math.exp(segment.rate * (t - segment.start_s)))

    def soc_at(self, t: float) -> float:
        soc = self.spec.start_soc + 100 * self.energy_at(t) / self._capacity_wh
        return min(soc, self.spec.target_soc)

    def current_for(self, power_w: float) -> float:
        """Current (A) at this power: per phase at 230 V on AC, at the pack voltage on DC."""
        vehicle, evse = self.spec.vehicle, self.spec.evse
        if evse.current_type is CurrentType.DC:
            return power_w / vehicle.dc_volts
        return power_w / (AC_VOLTS * min(vehicle.ac_phases, evse.phases))

    def reading(self, t: float) -> MeterSample:
        """An on-demand reading at `t` with instantaneous power (for a triggered MeterValues)."""
        power = self.power_at(t)
        return MeterSample(
            int(t), int(self.energy_at(t)), power, self.current_for(power), self.soc_at(t)
        )

    def sample(self, previous_s: int, t: int) -> MeterSample:
        """The periodic sample at `t`, its power the mean over (previous_s, t]: nothing once
        the target was reached before the interval began (not a rounding error's fraction of
        a watt)."""
        if previous_s >= self.duration_s:
            return MeterSample(t, int(self.energy_at(t)), 0.0, 0.0, self.soc_at(t))
        mean = (
            (self.energy_at(t) - self.energy_at(previous_s)) * SECONDS_PER_HOUR / (t - previous_s)
        )
        power = min(self.limit_w, max(0.0, mean))
        return MeterSample(
            t, int(self.energy_at(t)), power, self.current_for(power), self.soc_at(t)
        )

    def samples(self, interval_s: int, parked_s: int = 0) -> Iterator[MeterSample]:
        """Periodic samples every `interval_s` until the car leaves `parked_s` seconds after it
        is full. A sample falling on the stop itself is left to the stop's meter reading."""
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        stop = self.charging_s + parked_s
        previous = 0
        for t in range(interval_s, stop, interval_s):
            yield self.sample(previous, t)
            previous = t


#: A plausible mix of vehicles on an Australian fleet; generic, not any maker's published curve.
VEHICLES: tuple[Vehicle, ...] = (
    Vehicle("compact hatch", battery_kwh=40, ac_kw=7.4, dc_kw=50, ac_phases=1, dc_knee_soc=55),
    Vehicle("mid-size sedan", battery_kwh=60, ac_kw=11, dc_kw=120, dc_knee_soc=55),
    Vehicle("long-range sedan", battery_kwh=82, ac_kw=11, dc_kw=250, dc_knee_soc=50),
    Vehicle("family SUV", battery_kwh=77, ac_kw=11, dc_kw=175, dc_knee_soc=65),
    Vehicle("delivery van", battery_kwh=68, ac_kw=11, dc_kw=115, dc_knee_soc=75),
    Vehicle("dual-cab ute", battery_kwh=88, ac_kw=7.2, dc_kw=140, ac_phases=1, dc_knee_soc=70),
)


def random_charge(rng: random.Random, evse: Evse) -> ChargeSpec:
    """A typical fleet charge: arrive at 10-50 %, stop at 80 % on DC, 80-100 % on AC."""
    vehicle = rng.choice(VEHICLES)
    start = float(rng.randint(10, 50))
    targets = (
        (80.0, 80.0, 85.0, 90.0) if evse.current_type is CurrentType.DC else (80.0, 90.0, 100.0)
    )
    return ChargeSpec(vehicle, evse, start, rng.choice(targets))
