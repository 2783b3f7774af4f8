"""When a vehicle draws clearly less than its limit, the power it leaves goes to the others.
Pure: the rule, and the state per session it needs between MeterValues.

Clearly less: under UNDER of its limit for READINGS readings in a row. The vehicle is then
counted at most at HEADROOM times what it draws (its `vehicle_max` for the allocator) until
it draws close to the limit it was given again (RELEASE of it: it may want more), which
triggers a new allocation too. The band between UNDER and RELEASE keeps a capped vehicle,
which draws about 1 / HEADROOM of its limit, from flapping.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

UNDER = 0.8
READINGS = 2
HEADROOM = 1.2
RELEASE = 0.95
POWER_IMPORT = "Power.Active.Import"


def draws_clearly_less(recent_w: Sequence[float], limit_w: float) -> bool:
    """The rule: the last READINGS readings all under UNDER of a limit above 0."""
    if limit_w <= 0 or len(recent_w) < READINGS:
        return False
    return all(w < UNDER * limit_w for w in recent_w[-READINGS:])


def power_w(readings: Iterable[tuple[str, str | None, Decimal | None, str | None]]) -> float | None:
    """The active power imported in a MeterValues message, in W, from its sampled values as
    (measurand, phase, normalised value, normalised unit): the total when sent, else the sum
    of the phases (line-to-neutral), else None."""
    total: float | None = None
    phases: dict[str, float] = {}
    for measurand, phase, value, unit in readings:
        if measurand != POWER_IMPORT or value is None or unit != "kW":
            continue
        watts = float(value) * 1000.0
        if phase is None:
            total = watts
        elif phase in ("L1", "L2", "L3", "L1-N", "L2-N", "L3-N"):
            phases[phase[:2]] = watts
    if total is not None:
        return total
    return sum(phases.values()) if phases else None


@dataclass(slots=True)
class _Watch:
    limit_w: float
    recent: list[float]
    cap_w: float | None = None


class DrawWatch:
    """Each controlled session's recent draws against the limit last sent to it."""

    def __init__(self) -> None:
        self._watches: dict[str, _Watch] = {}

    def limit_sent(self, session_id: str, limit_w: float) -> None:
        """A new limit is in force: readings count against it from now on (a cap stays)."""
        watch = self._watches.get(session_id)
        if watch is None:
            self._watches[session_id] = _Watch(limit_w, [])
        else:
            watch.limit_w, watch.recent = limit_w, []

    def reading(self, session_id: str, drawn_w: float) -> bool:
        """Record a measured draw; True when the session's allocation should be redone."""
        watch = self._watches.get(session_id)
        if watch is None or watch.limit_w <= 0:
            return False
        watch.recent = [*watch.recent[-(READINGS - 1) :], drawn_w]
        if draws_clearly_less(watch.recent, watch.limit_w):
            watch.cap_w = max(watch.recent) * HEADROOM
            watch.recent = []
            return True
        if watch.cap_w is not None and drawn_w >= RELEASE * watch.limit_w:
            watch.cap_w = None  # takes what it was given: may want more
            return True
        return False

    def watching(self, session_id: str) -> bool:
        return session_id in self._watches

    def cap_w(self, session_id: str) -> float | None:
        """At most what the session is counted at, while it draws clearly less."""
        watch = self._watches.get(session_id)
        return None if watch is None else watch.cap_w

    def forget(self, session_ids: Iterable[str]) -> None:
        """Sessions that ended."""
        for session_id in session_ids:
            self._watches.pop(session_id, None)
