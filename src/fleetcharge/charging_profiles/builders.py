"""Complete OCPP 1.6 ChargingProfiles (section 7.8) from limits in watts: pure, no I/O.

In amperes a limit is per phase, `W / (voltage * phases)`, with one decimal rounded down so
that the station never draws more than the watts asked for."""

import math
from datetime import datetime
from typing import Any, Literal

from fleetcharge.csms.charging_profiles import ChargingProfile

Unit = Literal["A", "W"]
Purpose = Literal["ChargePointMaxProfile", "TxDefaultProfile", "TxProfile"]
# Below a float's noise: 8.0 computed as 7.9999999999 is still 8.0.
_EPSILON = 1e-9


def limit_in(unit: Unit, watts: float, phases: int, voltage: float = 230.0) -> float:
    """`watts` in the schedule's unit, one decimal, rounded down (never below 0)."""
    if phases not in (1, 2, 3):
        raise ValueError("phases must be 1, 2 or 3")
    if voltage <= 0:
        raise ValueError("voltage must be positive")
    value = watts / (voltage * phases) if unit == "A" else watts
    return max(0.0, math.floor(value * 10 + _EPSILON) / 10)


def _schedule(
    periods_w: list[tuple[int, float]],
    unit: Unit,
    phases: int,
    voltage: float,
    start: datetime | None,
) -> dict[str, Any]:
    if not periods_w:
        raise ValueError("a schedule needs at least one period")
    periods: list[dict[str, Any]] = []
    for start_period, watts in periods_w:
        period: dict[str, Any] = {
            "startPeriod": start_period,
            "limit": limit_in(unit, watts, phases, voltage),
        }
        if unit == "A":
            period["numberPhases"] = phases
        periods.append(period)
    schedule: dict[str, Any] = {"chargingRateUnit": unit, "chargingSchedulePeriod": periods}
    if start is not None:
        schedule["startSchedule"] = start
    return schedule


def _profile(
    *,
    profile_id: int,
    purpose: Purpose,
    stack_level: int,
    periods_w: list[tuple[int, float]],
    unit: Unit,
    phases: int,
    voltage: float,
    start: datetime | None,
    transaction_id: int | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "chargingProfileId": profile_id,
        "stackLevel": stack_level,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": "Relative" if start is None else "Absolute",
        "chargingSchedule": _schedule(periods_w, unit, phases, voltage, start),
    }
    if transaction_id is not None:
        data["transactionId"] = transaction_id
    # Checked as any operator's profile is: a builder bug fails here, not at the station.
    return ChargingProfile.model_validate(data).payload()


def tx_profile(
    *,
    profile_id: int,
    transaction_id: int,
    stack_level: int,
    periods_w: list[tuple[int, float]],
    unit: Unit,
    phases: int,
    voltage: float = 230.0,
    start: datetime | None = None,
) -> dict[str, Any]:
    """A TxProfile for `transaction_id`: Absolute from `start`, else Relative (from the
    transaction's start). `periods_w`: (seconds from the schedule's start, limit in W)."""
    return _profile(
        profile_id=profile_id,
        purpose="TxProfile",
        stack_level=stack_level,
        periods_w=periods_w,
        unit=unit,
        phases=phases,
        voltage=voltage,
        start=start,
        transaction_id=transaction_id,
    )


def default_profile(
    *,
    profile_id: int,
    stack_level: int,
    periods_w: list[tuple[int, float]],
    unit: Unit,
    phases: int,
    voltage: float = 230.0,
    start: datetime | None = None,
) -> dict[str, Any]:
    """A TxDefaultProfile (send it to connector 0: every connector's fail-safe)."""
    return _profile(
        profile_id=profile_id,
        purpose="TxDefaultProfile",
        stack_level=stack_level,
        periods_w=periods_w,
        unit=unit,
        phases=phases,
        voltage=voltage,
        start=start,
    )


def max_profile(
    *,
    profile_id: int,
    stack_level: int,
    periods_w: list[tuple[int, float]],
    unit: Unit,
    phases: int,
    start: datetime,
    voltage: float = 230.0,
) -> dict[str, Any]:
    """A ChargePointMaxProfile (connector 0 only), Absolute from `start`: a Relative one has
    no transaction to start from."""
    return _profile(
        profile_id=profile_id,
        purpose="ChargePointMaxProfile",
        stack_level=stack_level,
        periods_w=periods_w,
        unit=unit,
        phases=phases,
        voltage=voltage,
        start=start,
    )
