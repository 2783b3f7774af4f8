"""Whether a completed session could have happened as reported. Pure.

A session is implausible, and held for an operator's review instead of billed, when:
- its energy is more than the station could deliver at its rated power for the whole time
  from start to stop (the vehicle's, when recorded, on the station's current type), with
  `Policy.power_margin` above the rating (mains voltage runs up to 10 % high) and
  `Policy.slack_kwh` for meters and clocks that count in whole units;
- it delivered energy with no time between start and stop;
- it lasted longer than `Policy.max_duration` from start to stop;
- the station's clock could not be believed: a timestamp was replaced by the time we
  received it (`clock_adjusted`), or the stop came before the start (`stop_before_start`).

The whole time from start to stop bounds the energy, parking included: a session is never
held because the car sat idle, only for energy no charger could have delivered.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from fleetcharge.models.ocpp import Flag


class Reason(StrEnum):
    """Why a session is held; the values are stable codes (API, CLI, database)."""

    ENERGY_ABOVE_STATION_POWER = "energy_above_station_power"
    ENERGY_ABOVE_VEHICLE_POWER = "energy_above_vehicle_power"
    ENERGY_WITHOUT_DURATION = "energy_without_duration"
    DURATION_TOO_LONG = "duration_too_long"
    CLOCK_ADJUSTED = "clock_adjusted"
    STOP_BEFORE_START = "stop_before_start"
    # Not a finding of `judge`: the central system ended the transaction at its last
    # evidence, with no StopTransaction (fleetcharge.csms.settling).
    SETTLED_WITHOUT_STOP = "settled_without_stop"


# The transaction flags that make its times implausible.
CLOCK_REASONS = {
    Flag.CLOCK_ADJUSTED: Reason.CLOCK_ADJUSTED,
    Flag.STOP_BEFORE_START: Reason.STOP_BEFORE_START,
}
SECONDS_PER_HOUR = Decimal(3600)


@dataclass(frozen=True)
class Policy:
    power_margin: Decimal = Decimal("1.10")
    slack_kwh: Decimal = Decimal(1)
    max_duration: timedelta = timedelta(days=3)


@dataclass(frozen=True)
class SessionFacts:
    """A completed session as reported: times used, energy, and the power limits."""

    start: datetime
    stop: datetime
    energy_kwh: Decimal
    station_kw: Decimal
    current_type: str = "AC"  # AC | DC
    # The vehicle's limit on the station's current type, when recorded.
    vehicle_kw: Decimal | None = None
    flags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Finding:
    reason: Reason
    detail: str  # for people: the numbers behind the reason


@dataclass(frozen=True)
class Verdict:
    findings: tuple[Finding, ...]
    # The most energy the power limits allow over the session's time.
    deliverable_kwh: Decimal

    @property
    def held(self) -> bool:
        return bool(self.findings)

    @property
    def reasons(self) -> list[str]:
        return [finding.reason.value for finding in self.findings]


def vehicle_limit(
    current_type: str, ac_kw: Decimal | None, dc_kw: Decimal | None
) -> Decimal | None:
    """The vehicle's limit on a station of this current type (None: not recorded)."""
    return dc_kw if current_type == "DC" else ac_kw


def deliverable_kwh(kw: Decimal, duration: timedelta, policy: Policy) -> Decimal:
    """The most energy `kw` can plausibly deliver in `duration`, to the Wh (rounded down)."""
    hours = Decimal(max(duration.total_seconds(), 0)) / SECONDS_PER_HOUR
    return (kw * policy.power_margin * hours + policy.slack_kwh).quantize(
        Decimal("0.001"), rounding=ROUND_DOWN
    )


def judge(facts: SessionFacts, policy: Policy = Policy()) -> Verdict:
    """What is implausible about the session (nothing: it is billed as usual)."""
    duration = facts.stop - facts.start
    findings: list[Finding] = []
    energy = facts.energy_kwh
    station_bound = deliverable_kwh(facts.station_kw, duration, policy)
    vehicle_bound = (
        deliverable_kwh(facts.vehicle_kw, duration, policy)
        if facts.vehicle_kw is not None
        else None
    )
    bound = min(station_bound, vehicle_bound) if vehicle_bound is not None else station_bound
    took = _hours(duration)
    if duration <= timedelta(0):
        if energy > 0:
            detail = f"{energy} kWh with no time between start and stop"
            findings.append(Finding(Reason.ENERGY_WITHOUT_DURATION, detail))
    else:
        if energy > station_bound:
            detail = (
                f"{energy} kWh in {took}: a {facts.station_kw} kW {facts.current_type} station "
                f"delivers at most {station_bound} kWh"
            )
            findings.append(Finding(Reason.ENERGY_ABOVE_STATION_POWER, detail))
        if vehicle_bound is not None and energy > vehicle_bound:
            detail = (
                f"{energy} kWh in {took}: the vehicle takes at most {facts.vehicle_kw} kW "
                f"{facts.current_type}, {vehicle_bound} kWh"
            )
            findings.append(Finding(Reason.ENERGY_ABOVE_VEHICLE_POWER, detail))
    if duration > policy.max_duration:
        detail = f"{took} from start to stop: longer than {_hours(policy.max_duration)}"
        findings.append(Finding(Reason.DURATION_TOO_LONG, detail))
    for flag, reason in CLOCK_REASONS.items():
        if flag in facts.flags:
            findings.append(Finding(reason, _CLOCK_DETAILS[reason]))
    return Verdict(tuple(findings), bound)


_CLOCK_DETAILS = {
    Reason.CLOCK_ADJUSTED: "a station timestamp was implausible and replaced by when we "
    "received it: the session's times are ours, not the station's",
    Reason.STOP_BEFORE_START: "the station reported a stop before the start",
}


def _hours(duration: timedelta) -> str:
    hours = Decimal(duration.total_seconds()) / SECONDS_PER_HOUR
    return f"{hours.quantize(Decimal('0.01'), rounding=ROUND_DOWN)} h"
