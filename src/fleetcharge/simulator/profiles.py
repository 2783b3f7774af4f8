"""A simulated station's charging profiles (OCPP 1.6 Smart Charging, section 3.13): the stack
per connector and the limit it sets at a moment. Pure: no I/O, no clock of its own.

Per purpose, the valid profile with the highest stack level that has a period at the moment
wins (validFrom/validTo; Absolute from startSchedule, Relative from the transaction's start,
Recurring from startSchedule's last daily or weekly repeat). A connector's limit is its
TxProfile's (for its transaction), else its TxDefaultProfile's (its own, else connector 0's),
capped by the ChargePointMaxProfile. Limits are kept in W: A times the period's numberPhases
(else the connector's phases) times 230 V. The ChargePointMaxProfile caps each connector
rather than their sum: a simplification the simulator's single-vehicle tests do not feel.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

VOLTS = 230.0
MAX_PROFILE = "ChargePointMaxProfile"
DEFAULT_PROFILE = "TxDefaultProfile"
TX_PROFILE = "TxProfile"
PURPOSES = (MAX_PROFILE, DEFAULT_PROFILE, TX_PROFILE)
_RECURRENCE = {"Daily": timedelta(days=1), "Weekly": timedelta(weeks=1)}


class ProfilesMode(StrEnum):
    """What the simulated station does with profiles: applies them, answers Rejected, or
    answers with a CallError NotSupported (no Smart Charging feature profile)."""

    SUPPORTED = "supported"
    REJECTED = "rejected"
    NOT_SUPPORTED = "not-supported"


@dataclass(frozen=True, slots=True)
class Period:
    start_s: int
    limit: float
    phases: int | None = None


def _moment(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


@dataclass(frozen=True, slots=True)
class Profile:
    profile_id: int
    connector_id: int
    purpose: str
    stack_level: int
    kind: str  # Absolute, Relative, Recurring
    unit: str  # A or W
    periods: tuple[Period, ...]
    start: datetime | None = None  # startSchedule
    duration_s: int | None = None
    recurrency: str | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    transaction_id: int | None = None

    @classmethod
    def parse(cls, connector_id: int, data: dict[str, Any]) -> "Profile":
        """From csChargingProfiles as received (camelCase); ValueError if it is no profile."""
        try:
            schedule = data["chargingSchedule"]
            periods = tuple(
                Period(int(p["startPeriod"]), float(p["limit"]), p.get("numberPhases"))
                for p in schedule["chargingSchedulePeriod"]
            )
            profile = cls(
                profile_id=int(data["chargingProfileId"]),
                connector_id=connector_id,
                purpose=str(data["chargingProfilePurpose"]),
                stack_level=int(data["stackLevel"]),
                kind=str(data["chargingProfileKind"]),
                unit=str(schedule["chargingRateUnit"]),
                periods=periods,
                start=_moment(schedule.get("startSchedule")),
                duration_s=schedule.get("duration"),
                recurrency=data.get("recurrencyKind"),
                valid_from=_moment(data.get("validFrom")),
                valid_to=_moment(data.get("validTo")),
                transaction_id=data.get("transactionId"),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not a charging profile: {error}") from None
        if not periods or profile.purpose not in PURPOSES or profile.unit not in ("A", "W"):
            raise ValueError("not a charging profile")
        if profile.kind != "Relative" and profile.start is None:
            raise ValueError("an Absolute or Recurring profile needs a startSchedule")
        return profile

    def schedule_start(self, at: datetime, tx_start: datetime | None) -> datetime | None:
        if self.kind == "Relative":
            return tx_start
        assert self.start is not None
        if self.kind == "Recurring":
            every = _RECURRENCE.get(self.recurrency or "", timedelta(days=1))
            return self.start + every * math.floor((at - self.start) / every)
        return self.start

    def limit_w(
        self, at: datetime, tx_start: datetime | None, phases: int
    ) -> tuple[float, int] | None:
        """(limit in W, numberPhases) of the period in force at `at`; None: none is."""
        if self.valid_from is not None and at < self.valid_from:
            return None
        if self.valid_to is not None and at >= self.valid_to:
            return None
        start = self.schedule_start(at, tx_start)
        if start is None:
            return None
        elapsed = (at - start).total_seconds()
        if elapsed < 0 or (self.duration_s is not None and elapsed >= self.duration_s):
            return None
        period = [p for p in self.periods if p.start_s <= elapsed][-1]
        used = period.phases or phases
        watts = period.limit if self.unit == "W" else period.limit * VOLTS * used
        return watts, used

    def changes(
        self, start: datetime, end: datetime, tx_start: datetime | None
    ) -> Iterable[datetime]:
        """The moments in [start, end) at which this profile's limit may change."""
        moments = [self.valid_from, self.valid_to]
        first = self.schedule_start(start, tx_start)
        if first is not None:
            every = _RECURRENCE.get(self.recurrency or "") if self.kind == "Recurring" else None
            origin = first
            while origin < end:
                moments += [origin + timedelta(seconds=p.start_s) for p in self.periods]
                if self.duration_s is not None:
                    moments.append(origin + timedelta(seconds=self.duration_s))
                if every is None:
                    break
                moments.append(origin + every)
                origin += every
        return (m for m in moments if m is not None and start <= m < end)


@dataclass
class ProfileStack:
    """The profiles installed on one station."""

    max_stack_level: int = 10
    max_installed: int = 20
    profiles: dict[int, Profile] = field(default_factory=dict)

    def install(self, profile: Profile, transaction_id: int | None) -> bool:
        """SetChargingProfile: False (Rejected) for a profile the station cannot apply;
        `transaction_id` the connector's transaction, if any."""
        if profile.stack_level > self.max_stack_level:
            return False
        if profile.purpose == MAX_PROFILE and profile.connector_id != 0:
            return False
        if profile.purpose == TX_PROFILE:
            if profile.connector_id == 0 or transaction_id is None:
                return False  # section 5.16.1: no transaction on the connector
            if profile.transaction_id not in (None, transaction_id):
                return False
        kept = {
            key: other
            for key, other in self.profiles.items()
            if key != profile.profile_id
            and not (
                other.connector_id == profile.connector_id
                and other.stack_level == profile.stack_level
                and other.purpose == profile.purpose
            )
        }
        if len(kept) >= self.max_installed:
            return False
        kept[profile.profile_id] = profile
        self.profiles = kept
        return True

    def clear(
        self,
        profile_id: int | None = None,
        connector_id: int | None = None,
        purpose: str | None = None,
        stack_level: int | None = None,
    ) -> bool:
        """ClearChargingProfile: True (Accepted) when a profile matched (else Unknown)."""

        def matches(profile: Profile) -> bool:
            if profile_id is not None:
                return profile.profile_id == profile_id
            return (
                (connector_id is None or profile.connector_id == connector_id)
                and (purpose is None or profile.purpose == purpose)
                and (stack_level is None or profile.stack_level == stack_level)
            )

        gone = [key for key, profile in self.profiles.items() if matches(profile)]
        for key in gone:
            del self.profiles[key]
        return bool(gone)

    def transaction_ended(self, connector_id: int) -> None:
        """A TxProfile ends with its transaction."""
        self.profiles = {
            key: p
            for key, p in self.profiles.items()
            if not (p.purpose == TX_PROFILE and p.connector_id == connector_id)
        }

    def _winner(
        self,
        purpose: str,
        connector_id: int,
        at: datetime,
        tx_start: datetime | None,
        phases: int,
    ) -> tuple[float, int] | None:
        candidates = sorted(
            (
                p
                for p in self.profiles.values()
                if p.purpose == purpose and p.connector_id == connector_id
            ),
            key=lambda p: -p.stack_level,
        )
        for profile in candidates:
            limit = profile.limit_w(at, tx_start, phases)
            if limit is not None:
                return limit
        return None

    def limit_w(
        self,
        connector_id: int,
        at: datetime,
        *,
        tx_start: datetime | None = None,
        phases: int = 3,
    ) -> float | None:
        """The connector's limit in W at `at` (None: no profile limits it). `tx_start`: when
        its transaction started (None: no transaction)."""
        limits: list[float] = []
        if connector_id > 0:
            found = None
            if tx_start is not None:
                found = self._winner(TX_PROFILE, connector_id, at, tx_start, phases)
            for connector in (connector_id, 0):
                if found is None:
                    found = self._winner(DEFAULT_PROFILE, connector, at, tx_start, phases)
            if found is not None:
                limits.append(found[0])
        station = self._winner(MAX_PROFILE, 0, at, tx_start, phases)
        if station is not None:
            limits.append(station[0])
        return min(limits) if limits else None

    def composite(
        self,
        connector_id: int,
        start: datetime,
        duration_s: int,
        *,
        unit: str,
        tx_start: datetime | None = None,
        phases: int = 3,
        max_w: float,
    ) -> list[Period]:
        """GetCompositeSchedule's periods from `start` for `duration_s`: the limit in force,
        `max_w` (the connector's rating) where no profile limits it; in `unit`."""
        end = start + timedelta(seconds=duration_s)
        moments = {start}
        for profile in self.profiles.values():
            moments.update(profile.changes(start, end, tx_start))
        periods: list[Period] = []
        for moment in sorted(moments):
            watts = self.limit_w(connector_id, moment, tx_start=tx_start, phases=phases)
            watts = max_w if watts is None else min(watts, max_w)
            limit = watts if unit == "W" else watts / (VOLTS * phases)
            limit = math.floor(limit * 10 + 1e-9) / 10
            if periods and periods[-1].limit == limit:
                continue
            offset = int((moment - start).total_seconds())
            if periods and periods[-1].start_s == offset:
                periods[-1] = Period(offset, limit, phases if unit == "A" else None)
            else:
                periods.append(Period(offset, limit, phases if unit == "A" else None))
        return periods
