"""Which sessions charge at all: every charging session gets at least its minimum, so when
the minimums do not all fit under the limits, sessions are paused (limit 0), the last in the
strategy's order first.
"""

from dataclasses import dataclass

import numpy as np

EPSILON = 1e-9


@dataclass(frozen=True)
class Admitted:
    charging: np.ndarray  # bool over sessions
    paused_by: np.ndarray  # the full row that paused a session, -1: not paused


def admit(
    rows: np.ndarray,
    limits: np.ndarray,
    fixed: np.ndarray,
    minimum: np.ndarray,
    candidates: np.ndarray,
) -> Admitted:
    """`fixed`: power already committed (sessions that cannot be controlled); `candidates`:
    indices of sessions that want to charge, in the order they keep their minimum."""
    n = minimum.shape[0]
    charging = np.zeros(n, dtype=bool)
    paused_by = np.full(n, -1)
    room = limits * (1 + EPSILON) + EPSILON - rows @ fixed
    rest = candidates
    # Each pass admits, in order, every session whose minimum fits on all its rows counting
    # every session before it that is still waiting; the next pass retries the rest with
    # the room left (a smaller minimum may fit where a larger one did not).
    while rest.size:
        needs = rows[:, rest] * minimum[rest]
        alone = ((needs <= room[:, None]) | (needs == 0)).all(axis=0)
        if not alone.all():
            paused_by[rest[~alone]] = np.argmax(needs[:, ~alone] > room[:, None], axis=0)
        rest, needs = rest[alone], needs[:, alone]
        if not rest.size:
            break
        waiting = np.cumsum(needs, axis=1)
        fits = ((waiting <= room[:, None]) | (needs == 0)).all(axis=0)  # the first always
        charging[rest[fits]] = True
        room = room - needs[:, fits].sum(axis=1)
        rest = rest[~fits]
    return Admitted(charging=charging, paused_by=paused_by)
