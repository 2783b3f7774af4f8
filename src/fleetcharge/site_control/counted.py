"""How each session enters the allocation, from what the loop knows of its station. Pure.

- A station that is not connected cannot be sent a new limit: its session keeps the last
  limit it accepted (it still obeys it), counted as drawn and not controllable, until the
  station is back or the transaction ends. Without an accepted limit it is counted at what
  was last measured, else at the station's maximum.
- A station whose latest allocator profile was answered Rejected or NotSupported does not
  take limits: counted at its rated power (the station maximum), not controllable.
- A vehicle drawing clearly less than its limit (`draws`) is counted at most at its cap,
  so the power it leaves goes to the others.
"""

from collections.abc import Collection, Mapping
from dataclasses import replace

from fleetcharge.smart_charging.problem import Problem, Rate, Session

REFUSED = frozenset({"Rejected", "NotSupported"})


def counted(
    session: Session,
    *,
    online: bool,
    refused: bool,
    accepted_limit_w: float | None,
    cap_w: float | None = None,
) -> Session:
    if refused:
        return replace(session, controllable=False, drawn=None)
    if not online:
        drawn = session.drawn if accepted_limit_w is None else Rate(accepted_limit_w, "W")
        return replace(session, controllable=False, drawn=drawn)
    if cap_w is not None:
        vehicle_max = Rate(cap_w, "W")
        if session.vehicle_max is not None and session.watts(session.vehicle_max) < cap_w:
            vehicle_max = session.vehicle_max
        return replace(session, vehicle_max=vehicle_max)
    return session


def as_counted(
    problem: Problem,
    *,
    online: Collection[str],
    refused: Collection[str],
    accepted_w: Mapping[str, float],
    caps_w: Mapping[str, float] | None = None,
) -> Problem:
    """The problem with every session as `counted` makes it: `online` and `refused` are
    station identities, `accepted_w` and `caps_w` by session id."""
    caps = caps_w or {}
    sessions = tuple(
        counted(
            s,
            online=s.station_id in online,
            refused=s.station_id in refused,
            accepted_limit_w=accepted_w.get(s.id),
            cap_w=caps.get(s.id),
        )
        for s in problem.sessions
    )
    return replace(problem, sessions=sessions)
