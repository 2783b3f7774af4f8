"""What the allocator is given: sessions, the circuit tree, the site limit, a strategy.

Plain frozen values with no I/O; the central system builds them from its database and
measurements. Invalid values raise `ProblemError` naming the field, so a caller can turn it
into a precise 4xx or CLI message.

Units: power in W, current in A per phase, energy in kWh, times as aware datetimes. A limit
given in A is converted with the session's (or circuit's) phase-to-neutral voltage.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from math import isfinite
from typing import Literal

PHASES = (0, 1, 2)  # L1, L2, L3 of the site's supply, after any phase rotation
DEFAULT_VOLTAGE = 230.0


class ProblemError(ValueError):
    """An input the allocator cannot work with; `field` names it (dotted path)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Strategy(StrEnum):
    EQUAL_SHARE = "equal_share"  # equal power to every session, capped by its own limits
    PRIORITY = "priority"  # higher priority is served fully first, equal share within a level
    DEADLINE = "deadline"  # least laxity first, leftover to the rest (work-conserving)


@dataclass(frozen=True, slots=True)
class Rate:
    """A power (W) or a current per phase (A), as stations and circuits declare them."""

    value: float
    unit: Literal["W", "A"]

    @classmethod
    def kw(cls, value: float) -> "Rate":
        return cls(value * 1000.0, "W")

    @classmethod
    def amps(cls, value: float) -> "Rate":
        return cls(value, "A")

    def watts(self, voltage: float, phase_count: int) -> float:
        return self.value if self.unit == "W" else self.value * voltage * phase_count

    def check(self, name: str) -> None:
        if self.unit not in ("W", "A"):
            raise ProblemError(name, f"unit must be W or A, not {self.unit!r}")
        if not isfinite(self.value) or self.value < 0:
            raise ProblemError(name, "must be a finite number >= 0")


@dataclass(frozen=True, slots=True)
class Session:
    """A vehicle plugged in (a transaction), with what limits its charging."""

    id: str
    station_id: str
    station_max: Rate
    phases: tuple[int, ...] = PHASES  # which supply phases it draws on, equally
    voltage: float = DEFAULT_VOLTAGE
    vehicle_max: Rate | None = None
    # The lowest rate at which it charges at all (IEC 61851: 6 A); below it: paused (0).
    minimum: Rate = field(default_factory=lambda: Rate.amps(6.0))
    energy_needed_kwh: float | None = None  # still needed; None: unknown (as much as it takes)
    departure: datetime | None = None
    priority: int = 0  # higher is served first (priority strategy) and paused last
    drawn: Rate | None = None  # last measured draw
    # False: the station does not accept limits (rejected or offline); it is counted at
    # `drawn` (its last allocation or measurement) or, unknown, at its station maximum.
    controllable: bool = True

    def check(self, index: int) -> None:
        at = f"sessions[{index}]"
        if not self.id:
            raise ProblemError(f"{at}.id", "must not be empty")
        if not self.phases or len(set(self.phases)) != len(self.phases):
            raise ProblemError(f"{at}.phases", "must name one to three distinct phases")
        if any(p not in PHASES for p in self.phases):
            raise ProblemError(f"{at}.phases", "phases are 0, 1 and 2 (L1-L3)")
        if not isfinite(self.voltage) or self.voltage <= 0:
            raise ProblemError(f"{at}.voltage", "must be > 0")
        self.station_max.check(f"{at}.station_max")
        self.minimum.check(f"{at}.minimum")
        if self.vehicle_max is not None:
            self.vehicle_max.check(f"{at}.vehicle_max")
        if self.drawn is not None:
            self.drawn.check(f"{at}.drawn")
        if not -1000 <= self.priority <= 1000:
            raise ProblemError(f"{at}.priority", "must be between -1000 and 1000")
        need = self.energy_needed_kwh
        if need is not None and (not isfinite(need) or need < 0):
            raise ProblemError(f"{at}.energy_needed_kwh", "must be a finite number >= 0")
        if self.departure is not None and self.departure.tzinfo is None:
            raise ProblemError(f"{at}.departure", "must carry a timezone")

    def watts(self, rate: Rate) -> float:
        return rate.watts(self.voltage, len(self.phases))

    @property
    def max_w(self) -> float:
        cap = self.watts(self.station_max)
        if self.vehicle_max is not None:
            cap = min(cap, self.watts(self.vehicle_max))
        return cap

    @property
    def min_w(self) -> float:
        return self.watts(self.minimum)


@dataclass(frozen=True, slots=True)
class Circuit:
    """A node of the site's supply tree: the site itself, a feeder, a sub-panel.

    `limit_kw` caps the total power of everything below it; `limit_a` caps the current on
    each of its phases. Either or both may be set (none: the node only groups).
    """

    id: str
    limit_kw: float | None = None
    limit_a: float | None = None
    phases: tuple[int, ...] = PHASES
    stations: tuple[str, ...] = ()
    children: tuple["Circuit", ...] = ()

    def walk(self, at: str = "site") -> "list[tuple[str, Circuit]]":
        out: list[tuple[str, Circuit]] = [(at, self)]
        for i, child in enumerate(self.children):
            out.extend(child.walk(f"{at}.children[{i}]"))
        return out

    def check(self, at: str) -> None:
        if not self.id:
            raise ProblemError(f"{at}.id", "must not be empty")
        for name, value in (("limit_kw", self.limit_kw), ("limit_a", self.limit_a)):
            if value is not None and (not isfinite(value) or value < 0):
                raise ProblemError(f"{at}.{name}", "must be a finite number >= 0")
        if not self.phases or any(p not in PHASES for p in self.phases):
            raise ProblemError(f"{at}.phases", "phases are 0, 1 and 2 (L1-L3)")


@dataclass(frozen=True, slots=True)
class LimitStep:
    """From `start` on (until the next step), the site may draw at most `limit_kw`."""

    start: datetime
    limit_kw: float


@dataclass(frozen=True, slots=True)
class Problem:
    now: datetime
    sessions: tuple[Session, ...]
    site: Circuit
    # Piecewise-constant site limit over the next hours, on top of site.limit_kw; before
    # its first step (and without steps) only site.limit_kw applies.
    site_schedule: tuple[LimitStep, ...] = ()
    strategy: Strategy = Strategy.DEADLINE
    slot: timedelta = timedelta(minutes=15)  # length of each planned step
    horizon: timedelta = timedelta(hours=12)  # how far ahead the schedules reach

    def check(self) -> None:
        if self.now.tzinfo is None:
            raise ProblemError("now", "must carry a timezone")
        if self.slot <= timedelta(0):
            raise ProblemError("slot", "must be positive")
        if self.horizon < self.slot:
            raise ProblemError("horizon", "must be at least one slot")
        if self.horizon / self.slot > 2000:
            raise ProblemError("horizon", "at most 2,000 slots")
        try:
            Strategy(self.strategy)
        except ValueError:
            raise ProblemError("strategy", f"unknown strategy {self.strategy!r}") from None
        circuits: set[str] = set()
        stations: set[str] = set()
        for at, circuit in self.site.walk():
            circuit.check(at)
            if circuit.id in circuits:
                raise ProblemError(f"{at}.id", f"circuit {circuit.id!r} appears twice")
            circuits.add(circuit.id)
            for station in circuit.stations:
                if station in stations:
                    raise ProblemError(f"{at}.stations", f"station {station!r} appears twice")
                stations.add(station)
        ids: set[str] = set()
        for i, session in enumerate(self.sessions):
            session.check(i)
            if session.id in ids:
                raise ProblemError(f"sessions[{i}].id", f"session {session.id!r} appears twice")
            ids.add(session.id)
        for i, step in enumerate(self.site_schedule):
            if step.start.tzinfo is None:
                raise ProblemError(f"site_schedule[{i}].start", "must carry a timezone")
            if not isfinite(step.limit_kw) or step.limit_kw < 0:
                raise ProblemError(f"site_schedule[{i}].limit_kw", "must be a finite number >= 0")
            if i and step.start <= self.site_schedule[i - 1].start:
                raise ProblemError(f"site_schedule[{i}].start", "steps must be in time order")
