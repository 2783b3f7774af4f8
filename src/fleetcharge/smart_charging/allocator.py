"""allocate(problem) -> each session's limit schedule, with a reason. Pure: no I/O.

The horizon is cut into slots. Slot by slot: sessions that cannot be controlled are counted
at their fixed draw; the others keep their minimum in the strategy's order while the
minimums fit (the rest are paused); then one water level is raised (`waterfill`) until every
session is full or held back by a limit. Whatever a session does not take goes to the
others. Each session's planned energy is taken off its need before the next slot, so a
vehicle that will be full frees its power for the others in the plan. Only the first slot is
applied; the control loop allocates again on every event and cycle.
"""

from datetime import datetime, timedelta

import numpy as np

from fleetcharge.smart_charging import constraints as constraints_
from fleetcharge.smart_charging.minimums import Admitted, admit
from fleetcharge.smart_charging.problem import Problem, Session
from fleetcharge.smart_charging.schedule import Allocation, Period, RowLoad, SessionSchedule
from fleetcharge.smart_charging.strategies import Shape, SlotState, shape
from fleetcharge.smart_charging.waterfill import Filled, Rows, fill

HOUR = timedelta(hours=1)
FULL = 1e-6
SAFETY = 1e-7  # kWh: below this a session's need counts as met


class _Sessions:
    """The sessions' static figures as arrays."""

    def __init__(self, sessions: tuple[Session, ...], now: datetime) -> None:
        self.max_w = np.array([s.max_w for s in sessions], dtype=float)
        self.min_w = np.array([s.min_w for s in sessions], dtype=float)
        # A vehicle whose own maximum is below the minimum is sent the minimum but counted at
        # its maximum (it takes no more): the rest of the minimum goes to the others.
        self.counted_min_w = np.minimum(self.min_w, self.max_w)
        self.station_w = np.array([s.watts(s.station_max) for s in sessions], dtype=float)
        self.need_kwh = np.array(
            [np.inf if s.energy_needed_kwh is None else s.energy_needed_kwh for s in sessions]
        )
        self.departure_h = np.array(
            [
                np.inf if s.departure is None else (s.departure - now).total_seconds() / 3600
                for s in sessions
            ]
        )
        self.priority = np.array([s.priority for s in sessions], dtype=float)
        self.controllable = np.array([s.controllable for s in sessions], dtype=bool)
        self.fixed_w = np.array(
            [s.watts(s.drawn) if s.drawn is not None else s.watts(s.station_max) for s in sessions]
        )
        self.drawing = np.array(
            [s.drawn is not None and s.drawn.value > 0 for s in sessions], dtype=bool
        )
        self.amps_per_w = np.array([1.0 / (len(s.phases) * s.voltage) for s in sessions])


LONGEST_SLOT = timedelta(hours=2)


def slot_grid(problem: Problem) -> list[tuple[datetime, datetime]]:
    """The plan's slots: two of `problem.slot`, then each twice the last (up to 2 h) until
    the horizon. Only the first is applied before the next allocation, so the plan can be
    coarse further out, which keeps an allocation of 1,000 sessions within milliseconds."""
    bounds = []
    start, length = problem.now, problem.slot
    end_of_plan = problem.now + problem.horizon
    while start < end_of_plan:
        end = min(start + length, end_of_plan)
        bounds.append((start, end))
        if len(bounds) >= 2:
            length = max(min(length * 2, LONGEST_SLOT), problem.slot)
        start = end
    return bounds


def allocate(problem: Problem) -> Allocation:
    problem.check()
    sessions = problem.sessions
    rows = constraints_.build(problem.site, sessions)
    structure = Rows(rows.rows)
    fig = _Sessions(sessions, problem.now)
    n = len(sessions)
    remaining = fig.need_kwh.copy()
    grid = slot_grid(problem)
    static_limits = np.where(np.isfinite(rows.limits), rows.limits, np.inf)
    plan: list[np.ndarray] = []
    reasons: list[str] = []
    first_loads: tuple[RowLoad, ...] = ()
    for k, (start, end) in enumerate(grid):
        t0 = (start - problem.now) / HOUR
        slot_h = (end - start) / HOUR
        limits = static_limits.copy()
        scheduled = constraints_.site_limit_w(problem.site_schedule, start, end)
        limits[rows.site_power_row] = min(limits[rows.site_power_row], scheduled)
        # Aim a hair below each limit so rounding never lands above it.
        target = limits * (1 - SAFETY)
        # Plugged in during this slot: everyone now (also past their departure), later only
        # until departure. A session leaving mid-slot gets its energy in the time it has.
        present = (fig.departure_h > t0) | (k == 0)
        time_h = np.where(fig.departure_h > t0, np.minimum(fig.departure_h - t0, slot_h), slot_h)
        fixed = np.where(present & ~fig.controllable, fig.fixed_w, 0.0)
        wants = present & fig.controllable & (remaining > FULL) & (fig.max_w > 0)
        state = SlotState(
            max_w=fig.max_w,
            remaining_kwh=remaining,
            hours_left=fig.departure_h - (t0 + slot_h),
            priority=fig.priority,
            drawing=fig.drawing,
            slot_h=slot_h,
        )
        form = shape(problem.strategy, state)
        energy_cap_w = remaining * 1000.0 / time_h
        high = np.minimum(fig.max_w, energy_cap_w)
        high = np.maximum(high, fig.counted_min_w)  # charging at all, it draws its minimum
        candidates = form.keep_order[wants[form.keep_order]]
        admitted, filled = _admit(
            rows, structure, target, fixed, fig.counted_min_w, high, form, candidates
        )
        if filled is None:
            charging = admitted.charging
            low = np.where(charging, fig.counted_min_w, fixed)
            high = np.where(charging, high, fixed)
            filled = fill(structure, target, low, high, form.slope, form.offset)
        power = filled.power
        if k == 0:
            reasons = [
                _reason(
                    i, rows, fig, remaining, energy_cap_w, admitted.paused_by, filled.held_by, power
                )
                for i in range(n)
            ]
            first_loads = _loads(rows, limits, power)
        # The limit sent never goes below the station's minimum, even where the vehicle
        # takes less and is counted at what it takes.
        sent = np.where(admitted.charging & (power > 0), np.maximum(power, fig.min_w), power)
        plan.append(np.where(present, sent, 0.0))
        remaining = np.maximum(remaining - power * time_h / 1000.0, 0.0)
    by_session = np.array(plan).T.tolist() if plan else [[] for _ in sessions]
    amps = fig.amps_per_w.tolist()
    return Allocation(
        sessions={
            s.id: SessionSchedule(
                session_id=s.id,
                periods=_periods(grid, by_session[i], amps[i], s.departure),
                reason=reasons[i],
            )
            for i, s in enumerate(sessions)
        },
        loads=first_loads,
    )


def _admit(
    rows: constraints_.Constraints,
    structure: Rows,
    limits: np.ndarray,
    fixed: np.ndarray,
    minimum: np.ndarray,
    high: np.ndarray,
    form: Shape,
    candidates: np.ndarray,
) -> tuple[Admitted, Filled | None]:
    """Who charges: first the sessions whose share, as if there were no minimums, reaches
    their minimum (together they fit, since their shares do); then, in the strategy's order,
    any other whose minimum fits in what those shares leave. So minimums never take power
    from the sessions the strategy puts first (the most urgent, the highest priority).
    When every share reaches its minimum, those shares are the allocation already (the
    minimums hold them back nowhere), returned as the second value."""
    wanting = np.zeros(minimum.shape[0], dtype=bool)
    wanting[candidates] = True
    fluid = fill(
        structure,
        limits,
        fixed,
        np.where(wanting, high, fixed),
        form.slope,
        form.offset,
    )
    share = fluid.power
    kept = wanting & (share >= minimum * (1 - 1e-9))
    if kept.sum() == candidates.size:
        none = np.full(minimum.shape[0], -1)
        return Admitted(charging=kept, paused_by=none), fluid
    others = candidates[~kept[candidates]]
    more = admit(rows.rows, limits, np.where(kept, share, fixed), minimum, others)
    return Admitted(charging=kept | more.charging, paused_by=more.paused_by), None


def _reason(
    i: int,
    rows: constraints_.Constraints,
    fig: _Sessions,
    remaining: np.ndarray,
    energy_cap_w: np.ndarray,
    paused_by: np.ndarray,
    held_by: np.ndarray,
    power: np.ndarray,
) -> str:
    kw = power[i] / 1000.0
    if not fig.controllable[i]:
        return f"not controllable: counted at {kw:.1f} kW"
    if remaining[i] <= FULL:
        return "paused: energy need met"
    if fig.max_w[i] <= 0:
        return "paused: station or vehicle maximum is 0"
    if paused_by[i] >= 0:
        return f"paused: below minimum ({rows.names[paused_by[i]]} is full)"
    if held_by[i] >= 0:
        if power[i] <= 0:
            prefix = "paused: "
        elif power[i] <= fig.min_w[i] * (1 + 1e-9):
            prefix = "at minimum, "
        else:
            prefix = ""
        return f"{prefix}limited by {rows.names[held_by[i]]}"
    if energy_cap_w[i] < fig.max_w[i] and power[i] < fig.max_w[i]:
        return "limited by energy still needed"
    if fig.max_w[i] < fig.station_w[i]:
        return "limited by vehicle maximum"
    if power[i] >= fig.station_w[i] * (1 - 1e-6):
        return "limited by station maximum"
    return "at minimum"


def _loads(
    rows: constraints_.Constraints, limits: np.ndarray, power: np.ndarray
) -> tuple[RowLoad, ...]:
    load = rows.rows @ power
    return tuple(
        RowLoad(name=name, load=float(load[r]), limit=float(limits[r]), unit=rows.units[r])
        for r, name in enumerate(rows.names)
    )


def _periods(
    grid: list[tuple[datetime, datetime]],
    plan: list[float],
    amps_per_w: float,
    departure: datetime | None,
) -> tuple[Period, ...]:
    runs: list[list] = []  # [start, end, power]
    for (start, end), power in zip(grid, plan, strict=True):
        if runs and departure is not None and departure <= start:
            break
        if runs and runs[-1][2] == power:
            runs[-1][1] = end
        else:
            runs.append([start, end, power])
    return tuple(Period(start, end, power, power * amps_per_w) for start, end, power in runs)
