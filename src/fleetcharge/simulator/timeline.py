"""A station's simulated timeline: its sessions planned up front, and the clock that replays them.

Every station runs one timeline of `horizon_s` simulated seconds at `speed` simulated seconds per
real second. Offset k is sent at real time start + k / speed and stamped origin + k, with
origin = now + horizon / speed - horizon. So a timestamp is never in the future (at speed 1 the
station is live; at speed 1e6 a day of sessions replays in well under a second, in the past), and
consecutive sessions of one station never overlap in simulated time.
"""

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fleetcharge.simulator.curves import ChargeSpec, ChargingCurve, Evse, random_charge

#: Simulated seconds from a remote/unlock stop until the driver unplugs (Finishing -> Available).
UNPLUG_S = 30
FIRST_PLUG_IN_S = (10, 60)
GAP_BETWEEN_SESSIONS_S = (120, 900)  # longer than UNPLUG_S: sessions never overlap
AUTHORISE_AFTER_S = (5, 40)

ChargePlanner = Callable[[random.Random, Evse], ChargeSpec]


@dataclass(frozen=True, slots=True)
class SessionPlan:
    """One charge on one connector; offsets are simulated seconds on the station's timeline."""

    connector_id: int
    id_tag: str
    plug_in_s: int
    authorise_after_s: int
    curve: ChargingCurve
    parked_s: int

    @property
    def start_s(self) -> int:
        """Authorize and StartTransaction."""
        return self.plug_in_s + self.authorise_after_s

    @property
    def charging_end_s(self) -> int:
        return self.start_s + self.curve.charging_s

    @property
    def stop_s(self) -> int:
        """The car leaves: StopTransaction (EVDisconnected)."""
        return self.charging_end_s + self.parked_s


def plan_sessions(
    rng: random.Random,
    evse: Evse,
    id_tags: Sequence[str],
    connectors: int = 1,
    parked_s: int = 0,
    planner: ChargePlanner = random_charge,
) -> list[SessionPlan]:
    """One session per id tag, one after another, rotating over the connectors."""
    plans: list[SessionPlan] = []
    plug_in = rng.randint(*FIRST_PLUG_IN_S)
    for index, id_tag in enumerate(id_tags):
        plan = SessionPlan(
            connector_id=index % connectors + 1,
            id_tag=id_tag,
            plug_in_s=plug_in,
            authorise_after_s=rng.randint(*AUTHORISE_AFTER_S),
            curve=ChargingCurve(planner(rng, evse)),
            parked_s=parked_s,
        )
        plans.append(plan)
        plug_in = plan.stop_s + rng.randint(*GAP_BETWEEN_SESSIONS_S)
    return plans


def timeline_length(plans: Sequence[SessionPlan]) -> int:
    return plans[-1].stop_s + UNPLUG_S if plans else 0


def rfc3339(moment: datetime) -> str:
    """UTC with 'Z', whole seconds: truncation never moves a timestamp into the future."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class StationClock:
    """Maps timeline offsets to real deadlines and to timestamps; real time after the horizon."""

    origin: datetime
    started: float  # time.monotonic() at offset 0
    speed: float
    horizon_s: float

    @classmethod
    def start(cls, speed: float, horizon_s: float) -> "StationClock":
        if speed < 1:
            raise ValueError("speed must be >= 1 (simulated seconds per real second)")
        origin = datetime.now(UTC) + timedelta(seconds=horizon_s / speed - horizon_s)
        return cls(origin.replace(microsecond=0), time.monotonic(), speed, horizon_s)

    @classmethod
    def real_time(cls) -> "StationClock":
        return cls.start(1.0, 0.0)

    def _real_s(self, offset_s: float) -> float:
        if offset_s <= self.horizon_s:
            return offset_s / self.speed
        return self.horizon_s / self.speed + (offset_s - self.horizon_s)

    def offset_now(self) -> float:
        elapsed = time.monotonic() - self.started
        if elapsed * self.speed <= self.horizon_s:
            return elapsed * self.speed
        return self.horizon_s + elapsed - self.horizon_s / self.speed

    def delay_until(self, offset_s: float) -> float:
        """Real seconds to wait before sending what happens at `offset_s` (<= 0: due)."""
        return self.started + self._real_s(offset_s) - time.monotonic()

    def at(self, offset_s: float) -> datetime:
        return self.origin + timedelta(seconds=offset_s)

    def stamp(self, offset_s: float) -> str:
        return rfc3339(self.at(offset_s))
