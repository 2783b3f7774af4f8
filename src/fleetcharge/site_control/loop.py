"""The control loop: one asyncio task in each serving process.

A cycle, for some sites or all of them: read each controlled site's problem from the
database (`ProblemSource`), claim the sites no other process controls (a lease row per
site, renewed each cycle: at most one process controls a site at a time), count each
session as `counted` says (offline stations at their last accepted limit, refusing ones at
their rated power, vehicles drawing clearly less at what they take), allocate, send only
the limits that changed (`changes`), and store the allocation (`repository.record`).

What starts a cycle, for the sites concerned: a transaction started or stopped
(`csms.transaction_signals`), a vehicle drawing clearly less than its limit or back near it
(`draws`), a change to a site or a session's need (`sites.signals`, wired by `trigger`); for
every site: each `interval_s`, and the start of a scheduled limit step. Triggers arriving
while a cycle runs are coalesced into the next one. A failing cycle is logged; the loop goes
on (the next tick redoes every site).
"""

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import anyio.to_thread
from sqlalchemy import Engine

from fleetcharge.csms.transaction_signals import TransactionSignal
from fleetcharge.db import unit_of_work
from fleetcharge.site_control import fail_safe, repository
from fleetcharge.site_control.changes import Sent, to_send
from fleetcharge.site_control.counted import REFUSED, as_counted
from fleetcharge.site_control.draws import DrawWatch, power_w
from fleetcharge.site_control.ports import (
    Presences,
    ProblemSource,
    ProfileSender,
    SiteProblemLike,
)
from fleetcharge.site_control.repository import Previous, Row
from fleetcharge.smart_charging.allocator import allocate
from fleetcharge.smart_charging.problem import Problem, ProblemError, Session
from fleetcharge.smart_charging.schedule import Allocation, SessionSchedule

logger = logging.getLogger(__name__)

# The allocator's profiles: below operators' (who set higher stack levels to override).
STACK_LEVEL = 1
SITE_LIMIT_ROW = "the site limit"
FAILED = "Failed"  # our side failed before an answer (logged)
STOP_TIMEOUT_S = 5.0


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ControlSettings:
    interval_s: float = 60.0  # every site, at least this often
    settle_s: float = 0.2  # after a trigger, wait this long for more before a cycle
    lease_s: float | None = None  # how long a claimed site stays ours; None: 3 intervals + 10 s
    refusal_retry: timedelta = timedelta(hours=1)  # a refusing station is tried again after
    threaded_from: int = 200  # sessions from which a site is allocated in a worker thread
    concurrent_sends: int = 16

    @property
    def lease(self) -> timedelta:
        seconds = self.lease_s if self.lease_s is not None else 3 * self.interval_s + 10
        return timedelta(seconds=seconds)


@dataclass
class _Loaded:
    sites: list[SiteProblemLike] = field(default_factory=list)
    previous: dict[int, Previous] = field(default_factory=dict)
    # Sessions of sites no longer controlled whose stations still apply our profile.
    released: list[tuple[str, int]] = field(default_factory=list)
    # Stations of those sites that still apply our fail-safe.
    released_stations: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SiteOutcome:
    """A site's cycle: what is stored, and what was sent (for tests and logs)."""

    location_id: int
    rows: tuple[Row, ...]
    limit_w: float | None
    load_w: float | None
    sent: dict[str, str]  # session id -> the station's answer
    next_step: datetime | None


class SiteControl:
    def __init__(
        self,
        engine: Engine,
        source: ProblemSource,
        sender: ProfileSender,
        presences: Presences,
        *,
        node: str,
        settings: ControlSettings | None = None,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.engine = engine
        self.source = source
        self.sender = sender
        self.presences = presences
        self.node = node
        self.settings = settings or ControlSettings()
        self.now = now
        self.watch = DrawWatch()
        self._locations: set[int] = set()
        self._stations: set[int] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._next_step: float | None = None  # monotonic time of the next limit step
        self._sends = asyncio.Semaphore(self.settings.concurrent_sends)
        self._fail_safe: dict[str, int] = {}  # station -> site: answered since it connected
        self.cycles = 0  # completed, for tests and logs

    # -- triggers (any thread) --------------------------------------------------------

    def trigger(self, location_id: int) -> None:
        """Re-allocate this site soon (a change to its settings or a session's need)."""
        self._soon(self._mark, location_id, None)

    def on_transaction(self, signal: TransactionSignal) -> None:
        self._soon(self._transaction, signal)

    def _soon(self, callback: Callable[..., None], *args: object) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop is closing
            loop.call_soon_threadsafe(callback, *args)

    def _transaction(self, signal: TransactionSignal) -> None:
        if signal.kind == "meter_values":
            if signal.transaction_id is None:
                return
            drawn = power_w(
                (r.measurand, r.phase, r.value, r.normalised_unit) for r in signal.readings
            )
            if drawn is None or not self.watch.reading(str(signal.transaction_id), drawn):
                return
        self._mark(None, signal.station_id)

    def _mark(self, location_id: int | None, station_id: int | None) -> None:
        if location_id is not None:
            self._locations.add(location_id)
        if station_id is not None:
            self._stations.add(station_id)
        if self._wake is not None:
            self._wake.set()

    # -- the task -----------------------------------------------------------------------

    def start(self) -> None:
        if self._task is not None and not self._task.done():
            return
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._stopping = False
        self._task = self._loop.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None and self._task.get_loop() is not asyncio.get_running_loop():
            # Started by another event loop's lifespan (tests serve one app from two loops):
            # that lifespan's own stop ends it; awaiting it from here would fail.
            return
        task, self._task = self._task, None
        if task is not None:
            self._stopping = True
            task.cancel()
            # Bounded: Python 3.11's wait_for can swallow a cancellation that meets a
            # finishing wait; the flag then ends the loop at its next turn.
            await asyncio.wait({task}, timeout=STOP_TIMEOUT_S)
            if not task.done():
                logger.warning("site control: the loop did not stop in %s s", STOP_TIMEOUT_S)
        self._loop = None
        try:
            await anyio.to_thread.run_sync(self._release)
        except Exception:
            logger.warning("site control: could not hand its sites over", exc_info=True)

    def _release(self) -> None:
        with unit_of_work(self.engine) as db:
            repository.release(db, self.node, self.now())

    async def _run(self) -> None:
        assert self._wake is not None
        next_tick = time.monotonic()  # every site at once on start
        while not self._stopping:
            due = min(next_tick, self._next_step if self._next_step is not None else math.inf)
            if not (self._locations or self._stations):
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(max(0.0, due - time.monotonic())):
                        await self._wake.wait()
            self._wake.clear()
            if self._locations or self._stations:
                await asyncio.sleep(self.settings.settle_s)  # let a burst of triggers gather
            everything = time.monotonic() >= due
            locations, self._locations = self._locations, set()
            stations, self._stations = self._stations, set()
            if everything:
                next_tick = time.monotonic() + self.settings.interval_s
                self._next_step = None
            try:
                if everything:
                    await self.cycle()
                elif locations or stations:
                    await self.cycle(locations, stations)
            except Exception:
                logger.exception("site control: a cycle failed")

    # -- a cycle ------------------------------------------------------------------------

    async def cycle(
        self, location_ids: Collection[int] | None = None, station_ids: Collection[int] = ()
    ) -> list[SiteOutcome]:
        """Control these sites (and those of these stations), or every site when None."""
        now = self.now()
        loaded = await anyio.to_thread.run_sync(self._load, now, location_ids, station_ids)
        if loaded.released or loaded.released_stations:
            await self._release_profiles(loaded.released, loaded.released_stations)
        if not loaded.sites:
            self.cycles += 1
            return []
        online = await self.presences.connected_identities()

        async def control(site: SiteProblemLike) -> SiteOutcome | None:
            try:
                return await self._control(site, loaded.previous, online, now)
            except ProblemError as error:
                logger.warning("site %s cannot be allocated: %s", site.location_id, error)
            except Exception:
                logger.exception("site control: site %s failed", site.location_id)
            return None

        # Sites side by side: a slow station delays no other site's profiles (the cycle, and
        # the next, wait for the slowest answer or its command timeout).
        done = await asyncio.gather(*(control(site) for site in loaded.sites))
        outcomes = [outcome for outcome in done if outcome is not None]
        ended = await anyio.to_thread.run_sync(self._record, outcomes, now)
        self.watch.forget(str(tid) for tid in ended)
        for outcome in outcomes:
            if outcome.next_step is not None:
                self._wake_at(outcome.next_step, now)
        self.cycles += 1
        return outcomes

    def _load(
        self, now: datetime, location_ids: Collection[int] | None, station_ids: Collection[int]
    ) -> _Loaded:
        with unit_of_work(self.engine) as db:
            ids: list[int] | None = None
            if location_ids is not None:
                wanted = set(location_ids) | set(repository.locations_of(db, station_ids).values())
                if not wanted:
                    return _Loaded()
                ids = sorted(wanted)
            problems = list(self.source.load_problems(db, now, ids))
            controlled = [p.location_id for p in problems]
            held = repository.claim(db, controlled, self.node, now, self.settings.lease)
            gone = repository.uncontrolled(db, controlled, self.node, ids)
            stations = set(repository.installed_defaults(db, gone, fail_safe.PROFILE_ID))
            stations |= {s for s, site in self._fail_safe.items() if site in gone}
            return _Loaded(
                [p for p in problems if p.location_id in held],
                repository.previous(db, held),
                repository.drop(db, gone),
                sorted(stations),
            )

    async def _control(
        self,
        site: SiteProblemLike,
        previous: dict[int, Previous],
        online: set[str],
        now: datetime,
    ) -> SiteOutcome:
        problem = site.problem
        known = {s.id: previous.get(_tid(s.id)) for s in problem.sessions}
        accepted = {
            sid: p.accepted_limit_w
            for sid, p in known.items()
            if p is not None and p.accepted_limit_w is not None
        }
        refused = refusing_stations(known.values(), now, self.settings.refusal_retry)
        caps = {s.id: c for s in problem.sessions if (c := self.watch.cap_w(s.id)) is not None}
        counted = as_counted(
            problem, online=online, refused=refused, accepted_w=accepted, caps_w=caps
        )
        allocation = await self._allocate(counted)
        sessions = {s.id: s for s in counted.sessions}
        sent_before = {sid: Sent(limit) for sid, limit in accepted.items()}
        changed = to_send(allocation, sessions, sent_before)
        stations = fail_safe.stations_of(problem.site)
        for identity in stations - online:
            self._fail_safe.pop(identity, None)  # given again when it is back
        defaults = fail_safe.to_give(stations, online, self._fail_safe)
        answers, _ = await asyncio.gather(
            asyncio.gather(
                *(self._send(site, sessions[sid], allocation.sessions[sid]) for sid in changed)
            ),
            self._give_fail_safe(site.location_id, defaults),
        )
        sent = dict(zip(changed, answers, strict=True))
        for sid, limit in accepted.items():
            if sid not in sent and not self.watch.watching(sid):
                self.watch.limit_sent(sid, limit)  # sent by an earlier process
        for sid, answer in sent.items():
            if answer == "Accepted":
                self.watch.limit_sent(sid, allocation.sessions[sid].limit_w)
        rows = tuple(
            _row(site, session, allocation.sessions[session.id], problem_session, sent)
            for session, problem_session in zip(counted.sessions, problem.sessions, strict=True)
        )
        drawn = [s.watts(s.drawn) for s in problem.sessions if s.drawn is not None]
        return SiteOutcome(
            location_id=site.location_id,
            rows=rows,
            limit_w=site_limit_w(allocation),
            load_w=sum(drawn) if drawn else (0.0 if not problem.sessions else None),
            sent=sent,
            next_step=next_step(problem, now),
        )

    async def _allocate(self, problem: Problem) -> Allocation:
        if len(problem.sessions) >= self.settings.threaded_from:
            return await anyio.to_thread.run_sync(allocate, problem)
        return allocate(problem)

    async def _send(
        self, site: SiteProblemLike, session: Session, schedule: SessionSchedule
    ) -> str:
        async with self._sends:
            try:
                unit = await self.sender.rate_unit(session.station_id)
                profile = self.sender.tx_profile(
                    profile_id=profile_id(session.id),
                    transaction_id=_tid(session.id),
                    stack_level=STACK_LEVEL,
                    periods_w=[(0, schedule.limit_w)],
                    unit=unit,
                    phases=site.phases_of.get(session.id, len(session.phases)),
                    voltage=session.voltage,
                )
                return await self.sender.send_profile(
                    identity=session.station_id,
                    connector_id=site.connector_of[session.id],
                    profile=profile,
                )
            except Exception:
                logger.exception(
                    "site control: a profile for transaction %s at %s failed",
                    session.id,
                    session.station_id,
                )
                return FAILED

    async def _give_fail_safe(self, location_id: int, stations: list[str]) -> None:
        async def give(identity: str) -> None:
            async with self._sends:
                try:
                    profile = self.sender.default_profile(
                        profile_id=fail_safe.PROFILE_ID,
                        stack_level=fail_safe.STACK_LEVEL,
                        limit_w=fail_safe.LIMIT_W,
                        unit=await self.sender.rate_unit(identity),
                    )
                    answer = await self.sender.send_profile(
                        identity=identity, connector_id=fail_safe.CONNECTOR, profile=profile
                    )
                except Exception:
                    logger.exception("site control: the fail-safe for %s failed", identity)
                    return
                if answer in fail_safe.GIVEN:
                    self._fail_safe[identity] = location_id

        await asyncio.gather(*(give(identity) for identity in stations))

    async def _release_profiles(self, sessions: list[tuple[str, int]], stations: list[str]) -> None:
        """A site's limit was removed: its sessions charge freely again, and so will new ones."""

        async def clear(identity: str, cleared_id: int) -> None:
            async with self._sends:
                try:
                    await self.sender.clear_profile(identity=identity, profile_id=cleared_id)
                except Exception:
                    logger.exception(
                        "site control: clearing profile %s at %s failed", cleared_id, identity
                    )

        self.watch.forget(str(tid) for _, tid in sessions)
        for identity in stations:
            self._fail_safe.pop(identity, None)
        await asyncio.gather(
            *(clear(identity, profile_id(str(tid))) for identity, tid in sessions),
            *(clear(identity, fail_safe.PROFILE_ID) for identity in stations),
        )

    def _record(self, outcomes: list[SiteOutcome], now: datetime) -> list[int]:
        ended: list[int] = []
        with unit_of_work(self.engine) as db:
            for outcome in outcomes:
                ended += repository.record(
                    db,
                    outcome.location_id,
                    outcome.rows,
                    now,
                    limit_w=outcome.limit_w,
                    load_w=outcome.load_w,
                )
        return ended

    def _wake_at(self, at: datetime, now: datetime) -> None:
        when = time.monotonic() + max(0.0, (at - now).total_seconds())
        if self._next_step is None or when < self._next_step:
            self._next_step = when
            if self._wake is not None:
                self._wake.set()  # to wait for the nearer time


def _tid(session_id: str) -> int:
    return int(session_id)


def profile_id(session_id: str) -> int:
    """The allocator's chargingProfileId for a transaction: one per transaction, so that each
    new one replaces the last (OCPP 1.6, 3.13.2: same id, same purpose)."""
    return _tid(session_id)


def refusing_stations(
    known: Iterable[Previous | None], now: datetime, retry: timedelta
) -> set[str]:
    """The stations whose latest allocator profile (within `retry`) was Rejected or
    NotSupported."""
    latest: dict[str, Previous] = {}
    for p in known:
        if p is None or p.sent_at is None or p.profile_status is None:
            continue
        seen = latest.get(p.station_identity)
        if seen is None or (seen.sent_at is not None and p.sent_at > seen.sent_at):
            latest[p.station_identity] = p
    return {
        identity
        for identity, p in latest.items()
        if p.profile_status in REFUSED and p.sent_at is not None and now - p.sent_at < retry
    }


def site_limit_w(allocation: Allocation) -> float | None:
    for row in allocation.loads:
        if row.name == SITE_LIMIT_ROW and row.unit == "W":
            return row.limit if math.isfinite(row.limit) else None
    return None


def next_step(problem: Problem, now: datetime) -> datetime | None:
    """When the site's scheduled limit next changes (a cycle is due then)."""
    return next((step.start for step in problem.site_schedule if step.start > now), None)


def _row(
    site: SiteProblemLike,
    session: Session,
    schedule: SessionSchedule,
    measured: Session,
    sent: dict[str, str],
) -> Row:
    answer = sent.get(session.id)
    return Row(
        transaction_id=_tid(session.id),
        station_identity=session.station_id,
        connector_number=site.connector_of.get(session.id, 0),
        limit_w=schedule.limit_w,
        limit_a=schedule.limit_a,
        paused=schedule.paused,
        controllable=session.controllable,
        reason=schedule.reason,
        drawn_w=measured.watts(measured.drawn) if measured.drawn is not None else None,
        sent=None if answer is None else (schedule.limit_w, answer),
    )
