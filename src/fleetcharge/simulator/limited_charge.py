"""A vehicle charging on its curve under a station's changing limit: it draws the smaller of
the two. Pure: the limit is asked of a callback, by seconds since the transaction started.

Until a limit first applies the energy is the curve's own (exact, as without profiles); from
then on it is integrated in steps of at most STEP_S, the power at each step's start."""

import math
from collections.abc import Callable

from fleetcharge.simulator.curves import SECONDS_PER_HOUR, WH_PER_KWH, ChargingCurve, MeterSample

STEP_S = 5.0
# Seconds since the start -> the limit in W then (None: none).
LimitAt = Callable[[float], float | None]


def no_limit(_: float) -> float | None:
    return None


class LimitedCharge:
    def __init__(self, curve: ChargingCurve, limit_at: LimitAt = no_limit) -> None:
        self.curve = curve
        self.limit_at = limit_at
        self._capacity_wh = curve.spec.vehicle.battery_kwh * WH_PER_KWH
        self._t = 0.0
        self._energy_wh = 0.0
        self._on_curve = True  # no limit has applied yet

    @property
    def limited(self) -> bool:
        return not self._on_curve

    def _soc(self, energy_wh: float) -> float:
        soc = self.curve.spec.start_soc + 100 * energy_wh / self._capacity_wh
        return min(soc, self.curve.spec.target_soc)

    def _power(self, energy_wh: float, limit: float | None) -> float:
        if energy_wh >= self.curve.energy_wh:
            return 0.0
        power = self.curve.power_at_soc(self._soc(energy_wh))
        return power if limit is None else max(0.0, min(power, limit))

    def energy_at(self, t: float) -> float:
        """Energy (Wh) delivered in the first `t` seconds; `t` never goes back (a later call
        with an earlier `t` answers the latest energy)."""
        while self._t < t:
            end = min(t, self._t + STEP_S)
            limit = self.limit_at(self._t)
            if limit is None and self._on_curve:
                self._energy_wh = self.curve.energy_at(end)
            else:
                self._on_curve = False
                gained = self._power(self._energy_wh, limit) * (end - self._t) / SECONDS_PER_HOUR
                self._energy_wh = min(self.curve.energy_wh, self._energy_wh + gained)
            self._t = end
        return self._energy_wh

    def full(self, t: float) -> bool:
        return self.energy_at(t) >= self.curve.energy_wh - 1e-6

    def sample(self, previous_s: int, t: int) -> MeterSample:
        """The periodic sample at `t`, its power the mean over (previous_s, t]."""
        before = self.energy_at(previous_s)
        after = self.energy_at(t)
        if self._on_curve:
            return self.curve.sample(previous_s, t)
        mean = max(0.0, (after - before) * SECONDS_PER_HOUR / max(1, t - previous_s))
        return MeterSample(
            t, math.floor(after), mean, self.curve.current_for(mean), self._soc(after)
        )

    def reading(self, t: float) -> MeterSample:
        """An on-demand reading at `t`, its power the instantaneous one."""
        energy = self.energy_at(t)
        if self._on_curve:
            return self.curve.reading(t)
        power = self._power(energy, self.limit_at(t))
        return MeterSample(
            int(t), math.floor(energy), power, self.curve.current_for(power), self._soc(energy)
        )
