"""Completed demo sessions over six completed months and the current month so far.

Generation is split into chunks that each cover a contiguous slice of time and have
their own seeded random stream, so any process can build any chunk and the result
never depends on how the work was spread. Chunk 0 holds the scripted sessions
(`scenarios.py`); the rest are random sessions in roughly chronological order.
"""

import bisect
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from fleetcharge.demo.physics import (
    AttributionCache,
    DemoSession,
    demo_session,
    random_charge,
    uniform_int,
)
from fleetcharge.demo.places import CYBERTRON, GREEN_WHEELS, OUTBACK
from fleetcharge.demo.scenarios import scripted_sessions
from fleetcharge.demo.timing import DemoWindow, demo_window
from fleetcharge.demo.world import ChargePoint, ChargingWorld, Driver
from fleetcharge.timezones import zone

# Who pays: the two-fleet organisation pays for about half of everything (the benchmark
# needs one tenant holding half of the sessions); None is public drivers.
PAYER_SHARES: tuple[tuple[str | None, float], ...] = (
    (CYBERTRON, 0.50),
    (OUTBACK, 0.20),
    (GREEN_WHEELS, 0.12),
    (None, 0.18),
)
# How often a fleet with depots in its driver's home zone charges there.
OWN_SITE_SHARE = {CYBERTRON: 0.25, OUTBACK: 0.6}
HOME_ZONE_SHARE = 0.85
TARGET_CHUNK_SESSIONS = 5000
T = TypeVar("T")

# Relative likelihood of a session starting in each local hour (peak = 1).
# fmt: off
START_HOUR_WEIGHTS = {
    "AC": (0.15, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.6, 0.85, 0.75, 0.55, 0.5,
           0.5, 0.5, 0.5, 0.55, 0.7, 0.9, 1.0, 0.85, 0.65, 0.5, 0.35, 0.25),
    "DC": (0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 0.55, 0.75, 0.85, 0.9, 1.0,
           1.0, 0.95, 0.9, 0.9, 1.0, 1.0, 0.85, 0.7, 0.5, 0.35, 0.25, 0.15),
}
# fmt: on


@dataclass(frozen=True)
class Chunk:
    index: int
    first: int  # position of the chunk's first session in the whole stream
    size: int


@dataclass(frozen=True)
class SessionPlan:
    world: ChargingWorld
    window: DemoWindow
    count: int
    seed: int
    scripted: tuple[DemoSession, ...] = field(default=(), compare=False)

    @classmethod
    def create(cls, world: ChargingWorld, count: int, *, now: datetime, seed: int) -> "SessionPlan":
        window = demo_window(now)
        scripted = tuple(scripted_sessions(world, window, seed)[:count])
        return cls(world, window, count, seed, scripted)

    @property
    def random_count(self) -> int:
        return self.count - len(self.scripted)

    def random_chunk_count(self) -> int:
        if self.random_count <= 0:
            return 0
        days = max(1, self.window.seconds // 86400)
        return min(math.ceil(self.random_count / TARGET_CHUNK_SESSIONS), days)

    def chunks(self) -> list[Chunk]:
        chunks = [Chunk(0, 0, len(self.scripted))]
        total = self.random_chunk_count()
        for k in range(1, total + 1):
            low, high = self.random_bounds(k, total)
            chunks.append(Chunk(k, len(self.scripted) + low, high - low))
        return chunks

    def random_bounds(self, k: int, total: int) -> tuple[int, int]:
        return (k - 1) * self.random_count // total, k * self.random_count // total


def generate_sessions(
    world: ChargingWorld, count: int, *, now: datetime | None = None, seed: int
) -> Iterator[DemoSession]:
    """`count` completed sessions, the scripted ones first, priced later by `session_rows`."""
    plan = SessionPlan.create(world, count, now=now or datetime.now(UTC), seed=seed)
    for chunk in plan.chunks():
        yield from generate_chunk(plan, chunk.index)


def generate_chunk(plan: SessionPlan, index: int) -> list[DemoSession]:
    if index == 0:
        return list(plan.scripted)
    total = plan.random_chunk_count()
    low, high = plan.random_bounds(index, total)
    start = int(plan.window.start.timestamp())
    span = plan.window.seconds
    slice_start = start + (index - 1) * span // total
    slice_end = start + index * span // total
    chooser = _Chooser(plan.world, _utc_date(slice_start), _utc_date(slice_end))
    rng = random.Random(f"{plan.seed}:chunk:{index}")
    sessions = [
        _random_session(rng, chooser, slice_start, slice_end, plan.window)
        for _ in range(high - low)
    ]
    sessions.sort(key=lambda s: s.timeline.stop)
    return sessions


def _utc_date(epoch: int) -> date:
    return datetime.fromtimestamp(epoch, UTC).date()


def _pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[int(rng.random() * len(items))]


class _Chooser:
    """Who charges where: payers by share, drivers near home, fleets sometimes at own depots.

    Built per chunk: only drivers whose vehicle is on the books at some point of the
    chunk's days are candidates (each session still checks its own dates).
    """

    def __init__(self, world: ChargingWorld, first_day: date, last_day: date) -> None:
        self.payers: list[str | None] = []
        self.cumulative: list[float] = []
        self.drivers: dict[str | None, tuple[Driver, ...]] = {}
        total = 0.0
        for payer, share in PAYER_SHARES:
            drivers = tuple(
                d
                for d in world.drivers_of(payer)
                if d.active_on(first_day - timedelta(days=1))
                or d.active_on(last_day + timedelta(days=1))
                or (d.active_from is not None and first_day <= d.active_from <= last_day)
            )
            if drivers:
                total += share
                self.payers.append(payer)
                self.cumulative.append(total)
                self.drivers[payer] = drivers
        self.public = [p for p in world.charge_points if p.public]
        self.public_by_zone: dict[str, list[ChargePoint]] = {}
        for point in self.public:
            self.public_by_zone.setdefault(point.timezone, []).append(point)
        self.own_by_zone: dict[tuple[str, str], list[ChargePoint]] = {}
        for point in world.charge_points:
            self.own_by_zone.setdefault((point.host_key, point.timezone), []).append(point)
        self.attributions: AttributionCache = {}

    def driver(self, rng: random.Random) -> Driver:
        roll = rng.random() * self.cumulative[-1]
        payer = self.payers[bisect.bisect_right(self.cumulative, roll)]
        return _pick(rng, self.drivers[payer])

    def point(self, rng: random.Random, driver: Driver) -> ChargePoint:
        home = driver.home_timezone
        if home is None:
            return _pick(rng, self.public)
        payer = driver.payer_key or ""
        own = self.own_by_zone.get((payer, home))
        if own and rng.random() < OWN_SITE_SHARE.get(payer, 0.0):
            return _pick(rng, own)
        nearby = self.public_by_zone.get(home)
        if nearby and rng.random() < HOME_ZONE_SHARE:
            return _pick(rng, nearby)
        return _pick(rng, self.public)


def _random_session(
    rng: random.Random, chooser: _Chooser, slice_start: int, slice_end: int, window: DemoWindow
) -> DemoSession:
    window_start = int(window.start.timestamp())
    window_end = int(window.end.timestamp())
    while True:
        driver = chooser.driver(rng)
        point = chooser.point(rng, driver)
        start = _start_time(rng, point, slice_start, slice_end)
        charge = random_charge(rng, point, driver)
        duration = charge.waiting_s + charge.charging_s + charge.parking_s
        if start + duration >= window_end:
            start = window_end - duration - uniform_int(rng, 60, 3600)
            if start < window_start:
                continue
        tz = zone(point.timezone)
        if driver.active_from is not None and not (
            driver.active_on(datetime.fromtimestamp(start, tz).date())
            and driver.active_on(datetime.fromtimestamp(start + duration, tz).date())
        ):
            continue
        return demo_session(
            rng, point, driver, datetime.fromtimestamp(start, UTC), charge, chooser.attributions
        )


def _start_time(rng: random.Random, point: ChargePoint, slice_start: int, slice_end: int) -> int:
    """A whole-second start in the slice, more likely at the busy hours of the station's zone."""
    weights = START_HOUR_WEIGHTS[point.current_type]
    tz = zone(point.timezone)
    span = slice_end - slice_start
    while True:
        start = slice_start + int(rng.random() * span)
        if rng.random() < weights[datetime.fromtimestamp(start, tz).hour]:
            return start
