"""Which sessions need a new charging profile after an allocation. Pure.

A profile costs a round trip to the station and a stored row, and a station may take a few
seconds to settle on a new limit: a session is sent one when its limit rose by more than a
tolerance (the larger of 0.5 A per phase and 2 %), when it is paused or resumed, or when
nothing it accepted is known (never sent, or the last send was not Accepted). A lower limit
is always sent: the allocation's limits fit the site only together, so one session kept at
its old, higher limit could take the site above its limit.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from fleetcharge.smart_charging.problem import Session
from fleetcharge.smart_charging.schedule import Allocation

TOLERANCE_A = 0.5  # per phase
TOLERANCE_SHARE = 0.02
LOWER_W = 1.0  # a lower limit by more than this is sent (below: arithmetic noise)


@dataclass(frozen=True, slots=True)
class Sent:
    """The last allocator limit a station accepted for a session."""

    limit_w: float

    @property
    def paused(self) -> bool:
        return self.limit_w <= 0.0


def tolerance_w(session: Session, limit_w: float) -> float:
    """How far a limit may move before it is worth a new profile."""
    return max(TOLERANCE_A * session.voltage * len(session.phases), TOLERANCE_SHARE * limit_w)


def needs_profile(session: Session, limit_w: float, sent: Sent | None) -> bool:
    if sent is None:
        return True
    if (limit_w <= 0.0) != sent.paused:
        return True  # pause <-> resume, however small the step
    if limit_w < sent.limit_w - LOWER_W:
        return True
    return limit_w - sent.limit_w > tolerance_w(session, limit_w)


def to_send(
    allocation: Allocation, sessions: Mapping[str, Session], sent: Mapping[str, Sent]
) -> list[str]:
    """The controllable sessions whose new limit must be sent, in the allocation's order."""
    out = []
    for session_id, schedule in allocation.sessions.items():
        session = sessions.get(session_id)
        if session is None or not session.controllable:
            continue
        if needs_profile(session, schedule.limit_w, sent.get(session_id)):
            out.append(session_id)
    return out
