"""Stations that keep charging until told to stop, each session ending "now" (`demo --live`).

Each session is replayed at `speed` on a timeline of its own that ends as it is sent
(`SimulatedStation.run_session`), so its timestamps lie within the last few minutes. One
connector's sessions must not overlap in station time, so before its next session (of length L
in station time) a station waits until L x (1 - 1/speed) has passed in real time: each station
completes a session about every L real seconds, and many stations, started at staggered times,
make a steady stream. Short top-ups keep L, and the wait for the first results, small.
"""

import asyncio
import contextlib
import itertools
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

from ocpp.v16.enums import Reason

from fleetcharge.simulator.curves import VEHICLES, ChargeSpec, CurrentType, Evse
from fleetcharge.simulator.model import SessionReport, StationConfig, StationStats
from fleetcharge.simulator.station import SimulatedStation
from fleetcharge.simulator.timeline import (
    ChargePlanner,
    SessionPlan,
    plan_sessions,
    timeline_length,
)

TOP_UP_MINUTES = (2.0, 5.0)
MAX_TARGET_SOC = 90.0
STOP_TIMEOUT_S = 5.0  # real seconds for stations in a session to send StopTransaction on stop
MAX_INITIAL_REGISTER_WH = 50_000_000

_LOG = logging.getLogger(__name__)


def top_up(rng: random.Random, evse: Evse) -> ChargeSpec:
    """A short charge: a few minutes at the power the car and the EVSE allow."""
    vehicle = rng.choice(VEHICLES)
    car_kw = vehicle.dc_kw if evse.current_type is CurrentType.DC else vehicle.ac_kw
    kw = min(evse.max_kw, car_kw)
    minutes = rng.uniform(*TOP_UP_MINUTES)
    start = float(rng.randint(20, 50))
    gained = kw * minutes / 60 / vehicle.battery_kwh * 100
    return ChargeSpec(vehicle, evse, start, round(min(start + gained, MAX_TARGET_SOC), 1))


@dataclass(frozen=True)
class LiveStation:
    identity: str
    evse: Evse
    id_tags: tuple[str, ...]  # presented in turn; give each station its own
    password: str | None = None  # HTTP Basic auth (OCPP security profile 1)


@dataclass(frozen=True)
class LiveConfig:
    url: str  # the central system's OCPP endpoint, e.g. ws://127.0.0.1:8000/ocpp
    stations: tuple[LiveStation, ...]
    speed: float = 60.0
    sample_interval_s: int = 60
    parked_s: int = 60
    planner: ChargePlanner = top_up
    seed: int | None = None
    reconnect_s: float = 3600.0  # survive a restart of the central system
    connect_concurrency: int = 20

    def __post_init__(self) -> None:
        if self.speed < 1:
            raise ValueError("speed must be >= 1 (simulated seconds per real second)")
        if not self.stations or any(not station.id_tags for station in self.stations):
            raise ValueError("need at least one station, each with at least one id tag")


async def keep_charging(
    config: LiveConfig,
    stop: asyncio.Event,
    on_session: Callable[[SessionReport], None] | None = None,
) -> StationStats:
    """Run every station until `stop` is set; then sessions under way are stopped (reason
    Local) and the stations disconnect. The counters of the whole run."""
    seed = config.seed if config.seed is not None else random.randrange(2**32)
    limit = asyncio.Semaphore(config.connect_concurrency)
    stations = [
        _LiveStation(config, spec, index, seed, limit) for index, spec in enumerate(config.stations)
    ]
    tasks = [asyncio.create_task(station.run(stop, on_session)) for station in stations]
    for task in tasks:
        task.add_done_callback(_log_failure)
    totals = StationStats()
    try:
        await stop.wait()
        await asyncio.wait(tasks, timeout=STOP_TIMEOUT_S)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for station in stations:
            totals.add(station.station.stats)
    return totals


def _log_failure(task: "asyncio.Task[None]") -> None:
    if not task.cancelled() and task.exception() is not None:
        _LOG.error("a live station stopped: %s", task.exception())


class _LiveStation:
    def __init__(
        self,
        config: LiveConfig,
        spec: LiveStation,
        index: int,
        seed: int,
        limit: asyncio.Semaphore,
    ) -> None:
        self.config = config
        self.spec = spec
        self.first = index == 0  # starts at once, so that a first session comes quickly
        self.rng = random.Random(f"{seed}/{spec.identity}")
        self.tags = itertools.cycle(spec.id_tags)
        station_config = StationConfig(
            station_id=spec.identity,
            url=config.url,
            password=spec.password,
            speed=config.speed,
            sample_interval_s=config.sample_interval_s,
            initial_register_wh=self.rng.randrange(MAX_INITIAL_REGISTER_WH),
            reconnect_s=config.reconnect_s,
            validate=False,
        )
        self.station = SimulatedStation(station_config, connect_limit=limit)

    def _plan(self) -> SessionPlan:
        (plan,) = plan_sessions(
            self.rng,
            self.spec.evse,
            [next(self.tags)],
            parked_s=self.config.parked_s,
            planner=self.config.planner,
        )
        return plan

    async def run(
        self, stop: asyncio.Event, on_session: Callable[[SessionReport], None] | None
    ) -> None:
        plan = self._plan()
        length = timeline_length([plan])
        pause = 0.0 if self.first else self.rng.uniform(0, length)
        try:
            while await _sleep_unless(stop, pause):
                report = await self._session(plan, stop)
                if report is not None and on_session is not None:
                    on_session(report)
                plan = self._plan()
                pause = timeline_length([plan]) * (1 - 1 / self.config.speed)
        finally:
            await self.station.close()

    async def _session(self, plan: SessionPlan, stop: asyncio.Event) -> SessionReport | None:
        """The session's report; None when `stop` came before it started."""
        session = asyncio.create_task(self.station.run_session(plan))
        stopping = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait((session, stopping), return_when=asyncio.FIRST_COMPLETED)
            if not session.done():
                self._interrupt(session)
                await asyncio.wait((session,))
        finally:
            stopping.cancel()
            session.cancel()
        return None if session.cancelled() else session.result()

    def _interrupt(self, session: "asyncio.Task[SessionReport]") -> None:
        """End a charge under way with a StopTransaction; forget one not yet begun."""
        under_way = self.station.charging_connectors
        for connector in under_way:
            self.station.stop_connector(connector, Reason.local)
        if not under_way:
            session.cancel()


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep; False (at once) when `stop` is set first."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await stop.wait()
    return not stop.is_set()
