"""Run N simulated stations x M sessions concurrently and summarise what happened.

    summary = await simulate(SimulationConfig(url="ws://127.0.0.1:8000/ocpp", stations=10,
                                              sessions=3, speed=1e6, id_tags=tags, seed=1))

Each station plans its M sessions up front (seeded, so a run is reproducible) and replays them on
its own timeline; see `timeline` for why timestamps are never in the future.
"""

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from fleetcharge.simulator.curves import CurrentType, Evse, random_charge
from fleetcharge.simulator.model import (
    RegisterMode,
    SessionReport,
    SimulatorError,
    StationConfig,
    StationStats,
)
from fleetcharge.simulator.profiles import ProfilesMode
from fleetcharge.simulator.station import SimulatedStation
from fleetcharge.simulator.timeline import ChargePlanner, SessionPlan, plan_sessions

DEFAULT_URL = "ws://127.0.0.1:8000/ocpp"
DEFAULT_ID_TAG = "SIMTAG0001"
DC_EVSE = Evse(CurrentType.DC, max_kw=50)
AC_EVSE = Evse(CurrentType.AC, max_kw=22, phases=3)
MAX_INITIAL_REGISTER_WH = 50_000_000


@dataclass(frozen=True)
class SimulationConfig:
    url: str = DEFAULT_URL
    stations: int = 1
    sessions: int = 1  # per station, one after another
    speed: float = 60.0  # simulated seconds per real second
    id_tags: tuple[str, ...] = (DEFAULT_ID_TAG,)
    random_tags: bool = False  # seeded random choice instead of round-robin
    prefix: str = "SIM-"
    identities: tuple[str, ...] = ()  # given: these stations (one each), not PREFIX0001...
    password: str | None = None
    connectors: int = 1
    evse: Evse = DC_EVSE
    sample_interval_s: int = 60
    parked_s: int = 600  # idle (SuspendedEV) after the target SoC, before the car leaves
    seed: int | None = None  # None: a random seed, reported in the summary
    timeout_s: float | None = None  # real seconds for the whole run
    register: RegisterMode = RegisterMode.LIFETIME
    initial_register_wh: int | None = None  # lifetime register at boot; None: seeded random
    transaction_data: bool = False
    planner: ChargePlanner = random_charge
    validate: bool = True
    fail_fast: bool = True  # the first failing station ends the run with its error
    connect_concurrency: int = 100  # handshakes in flight at once
    reconnect_s: float = 0.0  # see StationConfig.reconnect_s
    transaction_message_attempts: int = 3  # see StationConfig
    transaction_message_retry_interval_s: int = 30
    cpo_name: str | None = None  # see StationConfig: the security extensions
    security_events: bool = False
    server_ca_file: str | None = None
    profiles: ProfilesMode = ProfilesMode.SUPPORTED

    def __post_init__(self) -> None:
        if self.identities and self.stations != len(self.identities):
            raise ValueError("stations must be the number of identities given")
        if self.stations < 1 or self.sessions < 0:
            raise ValueError("need at least one station and a non-negative number of sessions")
        if not self.id_tags:
            raise ValueError("need at least one id tag")
        if self.timeout_s is not None and self.timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        if self.connect_concurrency < 1:
            raise ValueError("connect_concurrency must be >= 1")

    def station_id(self, index: int) -> str:
        """The identities given, else numbered from 1: SIM-0001, SIM-0002, ..."""
        if self.identities:
            return self.identities[index]
        return f"{self.prefix}{index + 1:04d}"


@dataclass
class SimulationSummary:
    seed: int
    stations: int
    sessions_planned: int
    totals: StationStats
    reports: list[SessionReport] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)  # station id -> error message
    elapsed_s: float = 0.0
    timed_out: bool = False

    @property
    def sessions_completed(self) -> int:
        return self.totals.sessions_completed

    @property
    def messages_sent(self) -> int:
        return self.totals.messages_sent

    @property
    def call_errors(self) -> int:
        return self.totals.call_errors

    @property
    def rejected_authorisations(self) -> int:
        return self.totals.rejected_authorisations


def _tags(config: SimulationConfig, index: int, rng: random.Random) -> list[str]:
    """Round-robin so that, in each round of sessions, stations use different tags while there
    are enough of them (a central system refuses a card already in a transaction elsewhere)."""
    tags = config.id_tags
    if config.random_tags:
        return [rng.choice(tags) for _ in range(config.sessions)]
    return [tags[(n * config.stations + index) % len(tags)] for n in range(config.sessions)]


def _station(
    config: SimulationConfig, index: int, seed: int, limit: asyncio.Semaphore
) -> tuple[SimulatedStation, list[SessionPlan]]:
    station_id = config.station_id(index)
    rng = random.Random(f"{seed}/{station_id}")
    plans = plan_sessions(
        rng,
        config.evse,
        _tags(config, index, rng),
        config.connectors,
        config.parked_s,
        config.planner,
    )
    register = config.initial_register_wh
    if register is None:
        register = rng.randrange(MAX_INITIAL_REGISTER_WH)
    station_config = StationConfig(
        station_id=station_id,
        url=config.url,
        connectors=config.connectors,
        password=config.password,
        speed=config.speed,
        sample_interval_s=config.sample_interval_s,
        register=config.register,
        initial_register_wh=register,
        transaction_data=config.transaction_data,
        validate=config.validate,
        reconnect_s=config.reconnect_s,
        transaction_message_attempts=config.transaction_message_attempts,
        transaction_message_retry_interval_s=config.transaction_message_retry_interval_s,
        cpo_name=config.cpo_name,
        security_events=config.security_events,
        server_ca_file=config.server_ca_file,
        profiles=config.profiles,
    )
    return SimulatedStation(station_config, connect_limit=limit), plans


async def simulate(
    config: SimulationConfig,
    on_session: Callable[[SessionReport], None] | None = None,
) -> SimulationSummary:
    """Run every station concurrently; `on_session` is called as each planned session ends.

    Raises the first station's `SimulatorError` when `config.fail_fast` (the default); otherwise
    failures are listed in the summary. On timeout the stations are stopped where they are and
    the summary says `timed_out`.
    """
    seed = config.seed if config.seed is not None else random.randrange(2**32)
    started = time.monotonic()
    limit = asyncio.Semaphore(config.connect_concurrency)
    stations = [_station(config, index, seed, limit) for index in range(config.stations)]
    tasks = {
        asyncio.create_task(station.run(plans, on_session)): station for station, plans in stations
    }
    summary = SimulationSummary(
        seed=seed,
        stations=config.stations,
        sessions_planned=config.stations * config.sessions,
        totals=StationStats(),
    )
    try:
        summary.timed_out = await _supervise(tasks, config, summary.failures)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for station, _ in stations:
            summary.totals.add(station.stats)
            summary.reports += station.reports
        summary.elapsed_s = time.monotonic() - started
    return summary


async def _supervise(
    tasks: dict["asyncio.Task[list[SessionReport]]", SimulatedStation],
    config: SimulationConfig,
    failures: dict[str, str],
) -> bool:
    """Wait for the stations; True when the timeout ran out first."""
    loop = asyncio.get_running_loop()
    deadline = None if config.timeout_s is None else loop.time() + config.timeout_s
    pending = set(tasks)
    while pending:
        remaining = None if deadline is None else deadline - loop.time()
        if remaining is not None and remaining <= 0:
            return True
        done, pending = await asyncio.wait(
            pending, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
        )
        for task in done:
            error = task.exception()
            if error is None:
                continue
            if not isinstance(error, SimulatorError) or config.fail_fast:
                raise error
            failures[tasks[task].station_id] = str(error)
    return False
