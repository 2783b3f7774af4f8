"""The circuit tree as linear constraints on the sessions' powers: rows @ power <= limit.

Each circuit gives one row for its kW limit (coefficient 1 per session below it) and, with an
A limit, one row per phase (coefficient 1 / (phases * voltage) for a session drawing on that
phase: its current there). Sessions at a station the tree does not name sit under the site.
"""

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from fleetcharge.smart_charging.problem import Circuit, LimitStep, Session

PHASE_NAMES = ("L1", "L2", "L3")


@dataclass(frozen=True)
class Constraints:
    rows: np.ndarray  # (rows, sessions) coefficients, >= 0
    limits: np.ndarray  # (rows,) the static limit, inf where the schedule alone sets it
    names: tuple[str, ...]  # what each row is, for reasons: "circuit feeder-2 (L1)"
    units: tuple[str, ...]  # "W" (a kW limit) or "A" (a phase's current)
    site_power_row: int  # the site's kW row, where the schedule applies


def _below(circuit: Circuit, sessions_at: dict[str, list[int]]) -> list[int]:
    found = [i for station in circuit.stations for i in sessions_at.get(station, [])]
    for child in circuit.children:
        found.extend(_below(child, sessions_at))
    return found


def build(site: Circuit, sessions: tuple[Session, ...]) -> Constraints:
    sessions_at: dict[str, list[int]] = {}
    for i, session in enumerate(sessions):
        sessions_at.setdefault(session.station_id, []).append(i)
    named = {station for _, circuit in site.walk() for station in circuit.stations}
    unnamed = [i for i, s in enumerate(sessions) if s.station_id not in named]
    rows: list[np.ndarray] = []
    limits: list[float] = []
    names: list[str] = []
    units: list[str] = []
    n = len(sessions)
    site_power_row = 0
    amps_per_w = np.array([1.0 / (len(s.phases) * s.voltage) for s in sessions])
    on_phase = np.array([[p in s.phases for p in range(3)] for s in sessions], dtype=bool)
    on_phase = on_phase.reshape(n, 3)
    for _, circuit in site.walk():
        below = _below(circuit, sessions_at)
        if circuit is site:
            below += unnamed
            site_power_row = len(rows)
        label = "the site limit" if circuit is site else f"circuit {circuit.id}"
        if circuit.limit_kw is not None or circuit is site:
            row = np.zeros(n)
            row[below] = 1.0
            rows.append(row)
            limits.append(np.inf if circuit.limit_kw is None else circuit.limit_kw * 1000.0)
            names.append(label)
            units.append("W")
        if circuit.limit_a is not None:
            for phase in circuit.phases:
                row = np.zeros(n)
                row[below] = np.where(on_phase[below, phase], amps_per_w[below], 0.0)
                rows.append(row)
                limits.append(circuit.limit_a)
                names.append(f"{label} ({PHASE_NAMES[phase]})")
                units.append("A")
    return Constraints(
        rows=np.vstack(rows) if rows else np.zeros((0, n)),
        limits=np.array(limits),
        names=tuple(names),
        units=tuple(units),
        site_power_row=site_power_row,
    )


def site_limit_w(schedule: tuple[LimitStep, ...], start: datetime, end: datetime) -> float:
    """The lowest scheduled site limit in force during [start, end) (inf without one)."""
    limit = np.inf
    for i, step in enumerate(schedule):
        until = schedule[i + 1].start if i + 1 < len(schedule) else None
        if step.start < end and (until is None or until > start):
            limit = min(limit, step.limit_kw * 1000.0)
    return float(limit)
