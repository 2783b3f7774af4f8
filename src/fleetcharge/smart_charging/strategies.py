"""How each strategy shapes the water level of `waterfill`: a slope and an offset per
session (power = clip(slope * (level - offset), low, high)), and the order in which sessions
keep their minimum when not all minimums fit (the first ones keep theirs).
"""

from dataclasses import dataclass

import numpy as np

from fleetcharge.smart_charging.problem import Strategy

# Apart by more than any session's power: a priority level is served fully before the next.
PRIORITY_STEP_W = 1e7
# Laxity (hours) given to sessions without a deadline or a known need: they share what
# the sessions with deadlines leave over.
NO_DEADLINE_H = 1e6


@dataclass(frozen=True)
class SlotState:
    """The sessions as they stand at the start of one slot (arrays over sessions)."""

    max_w: np.ndarray  # what the station and vehicle allow
    remaining_kwh: np.ndarray  # inf: unknown
    hours_left: np.ndarray  # from the slot's end to departure; inf: no departure
    priority: np.ndarray
    drawing: np.ndarray  # bool: drew power at the last measurement (kept first when pausing)
    slot_h: float


@dataclass(frozen=True)
class Shape:
    slope: np.ndarray
    offset: np.ndarray
    keep_order: np.ndarray  # session indices, the first keeps its minimum first


def laxity_h(state: SlotState) -> np.ndarray:
    """Hours to spare at the end of the slot if charged at full power from then on."""
    rate = np.maximum(state.max_w, 1.0)
    known = np.isfinite(state.remaining_kwh) & np.isfinite(state.hours_left)
    with np.errstate(invalid="ignore"):
        lax = state.hours_left - state.remaining_kwh * 1000.0 / rate
    return np.where(known, lax, NO_DEADLINE_H)


def shape(strategy: Strategy, state: SlotState) -> Shape:
    n = state.max_w.shape[0]
    index = np.arange(n)
    not_drawing = (~state.drawing).astype(float)
    if strategy == Strategy.DEADLINE:
        lax = laxity_h(state)
        slope = np.maximum(state.max_w, 1.0) / state.slot_h
        order = np.lexsort((index, not_drawing, -state.priority, lax))
        return Shape(slope=slope, offset=lax, keep_order=order)
    order = np.lexsort((index, not_drawing, -state.priority))
    if strategy == Strategy.PRIORITY:
        offset = -state.priority.astype(float) * PRIORITY_STEP_W
    else:
        offset = np.zeros(n)
    return Shape(slope=np.ones(n), offset=offset, keep_order=order)
