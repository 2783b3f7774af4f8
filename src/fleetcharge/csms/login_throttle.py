"""Backing off failed station logins. Before a login is even checked:

- after 5 wrong passwords from one address for one station, or 20 for any, that address waits,
  from 1 s doubling with each further failure up to 5 minutes;
- after 50 wrong passwords for one station from all addresses together, the addresses that
  station has not logged in from (in the last 30 days) share one attempt per 10 s at it:
  guessing one station from many addresses is slowed to 360 attempts an hour.

The real station, from an address it has logged in from, is never held up by someone
else's guessing (nor by anything but its own address's failures). Counts are forgotten after
an hour without a failure. With Redis every process shares them (`serve --workers N`, several
hosts), so they back off together; without it, or while Redis fails, each process counts its
own.

Logins are checked two at a time per address and per identity (see login_gates).
"""

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from limits.storage import RedisStorage, Storage

from fleetcharge.csms.login_gates import CheckGates
from fleetcharge.ratelimit.login_counts import LoginCounts, MemoryCounts, RedisCounts

logger = logging.getLogger(__name__)

FREE_FAILURES_PER_STATION = 5  # from one address, for one identity
FREE_FAILURES_PER_ADDRESS = 20  # from one address, whatever the identity
FREE_FAILURES_PER_IDENTITY = 50  # for one identity, from all addresses
FIRST_WAIT_S = 1.0
LONGEST_WAIT_S = 300.0
TURN_S = 10.0  # beyond an identity's free failures: one attempt per turn from new addresses
KNOWN_ADDRESS_S = 30 * 86400.0  # a login from an address makes it known for this long
FORGET_AFTER_S = 3600.0  # failures older than this no longer count
REDIS_THREADS = 2  # Redis is asked from these threads, never from the event loop
REDIS_WARNING_EVERY_S = 60.0
REDIS_RETRY_S = 10.0  # after a Redis error, counted in-process for this long

T = TypeVar("T")


def _station(identity: str, address: str) -> str:
    return f"station:{address}|{identity}"  # an address has no "|"


def _address(address: str) -> str:
    return f"address:{address}"


def _identity(identity: str) -> str:
    return f"identity:{identity}"


def _known(identity: str, address: str) -> str:
    return f"known:{address}|{identity}"


def _turn(identity: str) -> str:
    return f"turn:{identity}"


def backoff(failures: int, free: int) -> float:
    """Seconds to wait after the last of `failures` failures, `free` of them free."""
    if failures < free:
        return 0.0
    return min(LONGEST_WAIT_S, FIRST_WAIT_S * 2 ** min(failures - free, 32))


def wait_for(counts: LoginCounts, identity: str, address: str, now: float) -> float:
    """Seconds before this address may try this identity (0: now, its turn taken if needed)."""
    station, by_address, by_identity = counts.failures(
        [_station(identity, address), _address(address), _identity(identity)], now
    )
    waits = [
        f.last + backoff(f.count, free) - now
        for f, free in (
            (station, FREE_FAILURES_PER_STATION),
            (by_address, FREE_FAILURES_PER_ADDRESS),
        )
        if f is not None
    ]
    wait = max([0.0, *waits])
    if wait > 0:
        return wait
    if by_identity is None or by_identity.count < FREE_FAILURES_PER_IDENTITY:
        return 0.0
    if counts.marked(_known(identity, address), now):
        return 0.0
    return counts.claim(_turn(identity), TURN_S, now)


def record_failure(counts: LoginCounts, identity: str, address: str, now: float) -> None:
    counts.fail([_station(identity, address), _address(address), _identity(identity)], now)


def record_success(counts: LoginCounts, identity: str, address: str, now: float) -> None:
    counts.clear(_station(identity, address))
    counts.mark(_known(identity, address), KNOWN_ADDRESS_S, now)


class LoginThrottle:
    """The policy above over this process's counts, or Redis's when given its storage.

    `wait` lets a login be checked (0) or says how long to wait; a login let through is
    ended by `failed`, `succeeded` or, whatever became of it, `settle`."""

    def __init__(
        self, storage: Storage | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.clock = clock
        self.local = MemoryCounts(FORGET_AFTER_S)
        self.shared = (
            RedisCounts(storage, FORGET_AFTER_S) if isinstance(storage, RedisStorage) else None
        )
        self._threads: anyio.CapacityLimiter | None = None
        self._warned_at = -REDIS_WARNING_EVERY_S
        self._redis_retry_at = 0.0
        self.gates = CheckGates()

    async def wait(self, identity: str, address: str) -> float:
        await self.gates.enter([_address(address), _identity(identity)])
        now = self.clock()
        wait = await self._use(lambda counts: wait_for(counts, identity, address, now))
        if wait:
            self.settle()
        return wait

    async def failed(self, identity: str, address: str) -> None:
        now = self.clock()
        await self._use(lambda counts: record_failure(counts, identity, address, now))
        self.settle()

    async def succeeded(self, identity: str, address: str) -> None:
        now = self.clock()
        await self._use(lambda counts: record_success(counts, identity, address, now))
        self.settle()

    def settle(self) -> None:
        """The current task's login was refused or decided: the next in line may go."""
        self.gates.leave()

    async def _use(self, work: Callable[[LoginCounts], T]) -> T:
        shared = self.shared
        if shared is None or time.monotonic() < self._redis_retry_at:
            return work(self.local)
        if self._threads is None:
            self._threads = anyio.CapacityLimiter(REDIS_THREADS)
        try:
            return await anyio.to_thread.run_sync(work, shared, limiter=self._threads)
        except shared.errors as error:
            now = time.monotonic()
            # Not asked again for a while: a Redis that hangs would hold up every login.
            self._redis_retry_at = now + REDIS_RETRY_S
            if now - self._warned_at >= REDIS_WARNING_EVERY_S:
                self._warned_at = now
                logger.warning(
                    "Redis unavailable: failed station logins counted per process: %s", error
                )
            return work(self.local)
