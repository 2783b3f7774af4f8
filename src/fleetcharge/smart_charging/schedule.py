"""What the allocator returns: each session's limit schedule and why it is what it is."""

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple


class Period(NamedTuple):
    """From `start` until `end` the session may draw at most `power_w` (`current_a` per
    phase at its voltage): a step of an OCPP charging schedule in W or A."""

    start: datetime
    end: datetime
    power_w: float
    current_a: float


@dataclass(frozen=True, slots=True)
class SessionSchedule:
    session_id: str
    periods: tuple[Period, ...]
    reason: str  # why the first period's limit is what it is, for operators

    @property
    def limit_w(self) -> float:
        """The limit in force now."""
        return self.periods[0].power_w if self.periods else 0.0

    @property
    def limit_a(self) -> float:
        return self.periods[0].current_a if self.periods else 0.0

    @property
    def paused(self) -> bool:
        return self.limit_w == 0.0


@dataclass(frozen=True, slots=True)
class RowLoad:
    """A limit of the circuit tree and the load the first slot puts on it."""

    name: str
    load: float
    limit: float
    unit: str  # "W" or "A"


@dataclass(frozen=True, slots=True)
class Allocation:
    sessions: dict[str, SessionSchedule]
    loads: tuple[RowLoad, ...]  # for the first slot
