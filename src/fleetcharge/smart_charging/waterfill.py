"""Progressive filling: raise one water level until every session is full or held back.

Each session's power is a non-decreasing function of a common level x,

    power_j(x) = clip(slope_j * (x - offset_j), low_j, high_j),

which is how a strategy says who gets what (equal share: slope 1, offset 0; least laxity:
offset = laxity). The level rises; when a constraint row becomes tight at some x, the sessions
on that row keep what they have at x (they are held back by that row) and the rest go on
rising. Each round freezes one row, so there are at most as many rounds as rows. Capacity a
session does not take (it is full at high_j) is left to the others.

Freezing sessions only lowers the other rows' loads, so a row's tight level computed earlier
is a lower bound of its true one: rows wait in a heap and are recomputed only when they come
to the top after one of their sessions was frozen (rows of other circuits never are).

Needs rows @ low <= limits (the caller admits minimums first).
"""

import heapq
from dataclasses import dataclass

import numpy as np

EPSILON = 1e-9
FULL = 1e-6  # within this share of its high bound a session counts as full


@dataclass(frozen=True)
class Filled:
    power: np.ndarray  # (sessions,) W
    held_by: np.ndarray  # (sessions,) the row that held each session back, -1: none


class Rows:
    """The constraint rows and their sparsity, worked out once per allocation."""

    def __init__(self, rows: np.ndarray) -> None:
        self.rows = rows
        self.members = [np.flatnonzero(row) for row in rows]
        self.coefs = [row[m] for row, m in zip(rows, self.members, strict=True)]
        self.nonzero = np.nonzero(rows)
        self.touches = rows > 0


class _Levels:
    def __init__(
        self,
        rows: Rows,
        limits: np.ndarray,
        low: np.ndarray,
        high: np.ndarray,
        slope: np.ndarray,
        offset: np.ndarray,
    ) -> None:
        self.members = rows.members
        self.coefs = rows.coefs
        self.limits = limits
        self.nonzero = rows.nonzero
        self.low, self.high, self.slope, self.offset = low, high, slope, offset
        self.starts = offset + low / slope  # where each session leaves its low bound
        self.ends = offset + high / slope  # and reaches its high one

    def all_tight_levels(
        self, rows: np.ndarray, power: np.ndarray, rising: np.ndarray
    ) -> np.ndarray:
        """tight_level of every row at once: the rows' events sorted by (row, level), with
        running sums restarted at each row (cost grows with the non-zero coefficients)."""
        room = self.limits * (1 + EPSILON) + EPSILON
        base = rows @ power
        out = np.where(base > room, -np.inf, np.inf)
        row_of, col = self.nonzero
        keep = rising[col]
        row_of, col = row_of[keep], col[keep]
        if not col.size:
            return out
        weight = rows[row_of, col] * self.slope[col]
        ev_row = np.concatenate([row_of, row_of])
        ev_level = np.concatenate([self.starts[col], self.ends[col]])
        ev_weight = np.concatenate([weight, -weight])
        order = np.lexsort((ev_level, ev_row))
        ev_row, ev_level, ev_weight = ev_row[order], ev_level[order], ev_weight[order]
        first_of_row = np.flatnonzero(np.r_[True, ev_row[1:] != ev_row[:-1]])
        segment = np.cumsum(np.r_[False, ev_row[1:] != ev_row[:-1]])
        total = np.cumsum(ev_weight)
        slopes = total - (total[first_of_row] - ev_weight[first_of_row])[segment]
        same_row = np.r_[ev_row[1:] == ev_row[:-1], False]
        gains = np.where(same_row, slopes * np.diff(ev_level, append=ev_level[-1]), 0.0)
        # load at each event = base + the gains of the earlier events of its row
        run = np.cumsum(gains)
        before = run - gains
        loads = base[ev_row] + before - (before[first_of_row])[segment]
        over = np.flatnonzero(loads > room[ev_row])
        if not over.size:
            return out
        hit_rows, first = np.unique(ev_row[over], return_index=True)
        hit = over[first]
        for r, i in zip(hit_rows.tolist(), hit.tolist(), strict=True):
            if base[r] > room[r]:
                continue
            if i == first_of_row[segment[i]]:
                out[r] = ev_level[i]
                continue
            rate = slopes[i - 1]
            spare = self.limits[r] - loads[i - 1]
            out[r] = ev_level[i - 1] + (spare / rate if rate > 0 else 0.0)
        return out

    def tight_level(self, r: int, power: np.ndarray, rising: np.ndarray) -> float:
        """The level at which row r becomes full (inf: never; -inf: already over)."""
        members, coefs = self.members[r], self.coefs[r]
        room = self.limits[r] * (1 + EPSILON) + EPSILON
        base = float(coefs @ power[members])  # rising sessions are still at their low bound
        live = rising[members]
        sessions, weights = members[live], coefs[live] * self.slope[members[live]]
        if base > room:
            return -np.inf
        top = base + float(coefs[live] @ (self.high[sessions] - self.low[sessions]))
        if top <= room:
            return np.inf
        levels = np.concatenate([self.starts[sessions], self.ends[sessions]])
        order = np.argsort(levels, kind="stable")
        levels = levels[order]
        slopes = np.cumsum(np.concatenate([weights, -weights])[order])
        loads = base + np.concatenate([[0.0], np.cumsum(slopes[:-1] * np.diff(levels))])
        first = int(np.argmax(loads > self.limits[r]))
        if first == 0:  # full exactly at the start
            return float(levels[0])
        rate = slopes[first - 1]
        spare = self.limits[r] - loads[first - 1]
        return float(levels[first - 1] + (spare / rate if rate > 0 else 0.0))


def fill(
    structure: Rows,
    limits: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    slope: np.ndarray,
    offset: np.ndarray,
) -> Filled:
    n = low.shape[0]
    power = low.copy()
    held_by = np.full(n, -1)
    rising = high > low
    rows = structure.rows
    levels = _Levels(structure, limits, low, high, slope, offset)
    fresh = np.ones(rows.shape[0], dtype=bool)
    touches = structure.touches
    first = levels.all_tight_levels(rows, power, rising)
    heap = [(float(first[r]), int(r)) for r in np.flatnonzero(first < np.inf)]
    heapq.heapify(heap)
    while heap and rising.any():
        level, r = heapq.heappop(heap)
        if not fresh[r]:
            fresh[r] = True
            level = levels.tight_level(r, power, rising)
            if level < np.inf:
                heapq.heappush(heap, (level, r))
            continue
        members = levels.members[r]
        held = members[rising[members]]
        if held.size == 0:
            continue
        power[held] = np.clip(slope[held] * (level - offset[held]), low[held], high[held])
        held_by[held[power[held] < high[held] * (1 - FULL)]] = r  # full ones were not held
        rising[held] = False
        fresh[touches[:, held].any(axis=1)] = False
    power[rising] = high[rising]
    return Filled(power=power, held_by=held_by)
