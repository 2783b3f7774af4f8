"""Sending charging profiles to stations (OCPP 1.6 Smart Charging: SetChargingProfile,
ClearChargingProfile, GetCompositeSchedule) through the station router, recording each
profile and the station's answer. Used by the admin API (source `operator`) and by the
site control loop (source `allocator`).

Nothing here raises for a station that cannot be reached or refuses: the outcome says so
(`Offline`, `Timeout`, `Rejected`, `NotSupported`), and is recorded; `error` keeps the
exception for callers (the admin API) that answer with it."""

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal, Protocol

import anyio.to_thread
from sqlalchemy.orm import Session

from fleetcharge.audit.service import record as audit
from fleetcharge.charging_profiles import repository
from fleetcharge.csms.charging_profiles import ChargingProfile
from fleetcharge.csms.commands import (
    Command,
    CommandAnswer,
    StationDisconnected,
    StationFailed,
    StationNotConnected,
    StationTimeout,
)
from fleetcharge.errors import DomainError, InvalidField
from fleetcharge.permissions import Actor


class Router(Protocol):
    """What is needed of the csms `StationRouter`."""

    async def send(self, identity: str, command: Command) -> CommandAnswer: ...


SessionFactory = Callable[[], AbstractContextManager[Session]]
Status = Literal["Accepted", "Rejected", "NotSupported", "Offline", "Timeout"]
ClearStatus = Literal["Accepted", "Unknown", "NotSupported", "Offline", "Timeout"]
Source = Literal["operator", "allocator"]
RATE_UNIT_KEY = "ChargingScheduleAllowedChargingRateUnit"
RATE_UNIT_TTL_S = 3600.0
# CallError codes of a station that does not implement the Smart Charging profile.
_NOT_SUPPORTED_CODES = ("NotSupported", "NotImplemented")


@dataclass(frozen=True)
class ProfileOutcome:
    status: Status
    record: dict[str, Any] | None = None  # the stored profile (repository.view)
    answer: CommandAnswer | None = None
    error: DomainError | None = None


@dataclass(frozen=True)
class ClearOutcome:
    status: ClearStatus
    cleared: list[dict[str, Any]]  # the stored profiles it removed
    answer: CommandAnswer | None = None
    error: DomainError | None = None


def _now() -> datetime:
    return datetime.now(UTC)


async def _db(session_factory: SessionFactory, work: Callable[[Session], Any]) -> Any:
    def run() -> Any:
        with session_factory() as db:
            return work(db)

    return await anyio.to_thread.run_sync(run)


def _failure(error: DomainError) -> str:
    """Why there is no answer, as an outcome."""
    if isinstance(error, StationFailed) and any(
        f" with {code}:" in error.message for code in _NOT_SUPPORTED_CODES
    ):
        return "NotSupported"
    if isinstance(error, StationTimeout):
        return "Timeout"
    if isinstance(error, StationNotConnected | StationDisconnected):
        return "Offline"
    return "Rejected"  # any other CallError: the station did not take it


async def _send(router: Router, identity: str, command: Command) -> Any:
    try:
        return await router.send(identity, command)
    except DomainError as error:
        return error


def checked_profile(profile: dict[str, Any], connector_id: int) -> dict[str, Any]:
    """The profile as sent (validated in full), and the rules tying it to the connector."""
    payload = ChargingProfile.model_validate(profile).payload()
    purpose = payload["chargingProfilePurpose"]
    if purpose == "ChargePointMaxProfile" and connector_id != 0:
        raise InvalidField("a ChargePointMaxProfile goes to connector 0", field="connectorId")
    if purpose == "TxProfile" and connector_id == 0:
        raise InvalidField("a TxProfile goes to the transaction's connector", field="connectorId")
    if purpose != "TxProfile" and "transactionId" in payload:
        raise InvalidField("only a TxProfile names a transaction", field="transactionId")
    return payload


async def send_profile(
    router: Router,
    session_factory: SessionFactory,
    *,
    identity: str,
    connector_id: int,
    profile: dict[str, Any],
    source: Source,
    actor: Actor | None = None,
    at: datetime | None = None,
) -> ProfileOutcome:
    """SetChargingProfile, recorded before it is sent and answered when it is."""
    payload = checked_profile(profile, connector_id)
    sent_at = at or _now()

    def store(db: Session) -> int:
        station = repository.station_of(db, identity)
        return repository.add(db, station.id, connector_id, payload, source, sent_at).id

    record_id: int = await _db(session_factory, store)
    command = Command(
        "SetChargingProfile", {"connectorId": connector_id, "csChargingProfiles": payload}
    )
    result = await _send(router, identity, command)
    error = result if isinstance(result, DomainError) else None
    answer = None if error is not None else result
    status = _failure(error) if error is not None else str(result.status)

    def answered(db: Session) -> dict[str, Any]:
        stored = repository.answered(db, record_id, status, sent_at)
        view = repository.view(stored)
        if actor is not None:
            audit(db, actor, "set_profile", "charging_profile", stored.uuid, None, None, view)
        return view

    view = await _db(session_factory, answered)
    return ProfileOutcome(status, view, answer, error)  # type: ignore[arg-type]


async def clear_profile(
    router: Router,
    session_factory: SessionFactory,
    *,
    identity: str,
    profile_id: int | None = None,
    connector_id: int | None = None,
    purpose: str | None = None,
    stack_level: int | None = None,
    actor: Actor | None = None,
    at: datetime | None = None,
) -> ClearOutcome:
    """ClearChargingProfile with the specification's criteria (none: every profile)."""
    moment = at or _now()
    station_id: int = await _db(session_factory, lambda db: repository.station_of(db, identity).id)
    payload: dict[str, Any] = {}
    for key, value in (
        ("id", profile_id),
        ("connectorId", connector_id),
        ("chargingProfilePurpose", purpose),
        ("stackLevel", stack_level),
    ):
        if value is not None:
            payload[key] = value
    result = await _send(router, identity, Command("ClearChargingProfile", payload))
    if isinstance(result, DomainError):
        failed = _failure(result)
        status = "Unknown" if failed == "Rejected" else failed
        return ClearOutcome(status, [], None, result)  # type: ignore[arg-type]

    def recorded(db: Session) -> list[dict[str, Any]]:
        if result.status != "Accepted":
            return []
        removed = repository.cleared(
            db,
            station_id,
            moment,
            profile_id=profile_id,
            connector_id=connector_id,
            purpose=purpose,
            stack_level=stack_level,
        )
        views = [repository.view(record) for record in removed]
        if actor is not None:
            station = repository.station_of(db, identity)
            after = {"criteria": payload, "cleared": [view["uuid"] for view in views]}
            audit(db, actor, "clear_profiles", "station", station.uuid, None, None, after)
        return views

    cleared = await _db(session_factory, recorded)
    return ClearOutcome(str(result.status), cleared, result)  # type: ignore[arg-type]


async def composite_schedule(
    router: Router,
    *,
    identity: str,
    connector_id: int,
    duration: int,
    unit: Literal["A", "W"] | None = None,
) -> CommandAnswer:
    """GetCompositeSchedule: the station's answer (raises as any operator command does)."""
    payload: dict[str, Any] = {"connectorId": connector_id, "duration": duration}
    if unit is not None:
        payload["chargingRateUnit"] = unit
    answer = await router.send(identity, Command("GetCompositeSchedule", payload))
    return replace(answer, answer=_plain(answer.answer))


def _plain(value: Any) -> Any:
    """The answer with its decimals (limits, as the ocpp library reads them) as floats."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


_rate_units: dict[str, tuple[float, Literal["A", "W"]]] = {}


def unit_of(value: str | None) -> Literal["A", "W"]:
    """ChargingScheduleAllowedChargingRateUnit's value as the unit to send: a CSL of Current
    and Power; W when Power is allowed, A otherwise (and when unknown)."""
    allowed = {part.strip().casefold() for part in (value or "").split(",")}
    return "W" if "power" in allowed else "A"


async def rate_unit(
    router: Router, session_factory: SessionFactory, identity: str
) -> Literal["A", "W"]:
    """The unit the station takes limits in, asked with GetConfiguration (kept an hour)."""
    cached = _rate_units.get(identity)
    if cached is not None and time.monotonic() - cached[0] < RATE_UNIT_TTL_S:
        return cached[1]
    result = await _send(router, identity, Command("GetConfiguration", {"key": [RATE_UNIT_KEY]}))
    if isinstance(result, DomainError):
        return "A"  # not cached: asked again once it answers
    value = next(
        (
            item.get("value")
            for item in result.answer.get("configurationKey") or []
            if isinstance(item, dict) and item.get("key") == RATE_UNIT_KEY
        ),
        None,
    )
    unit = unit_of(value)
    _rate_units[identity] = (time.monotonic(), unit)
    return unit


def forget_rate_unit(identity: str | None = None) -> None:
    """Drop the cached unit (of one station, or all): after a reboot, or in tests."""
    if identity is None:
        _rate_units.clear()
    else:
        _rate_units.pop(identity, None)
