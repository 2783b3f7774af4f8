"""Holding back password guessing at the console's sign-in: after 5 failed sign-ins for one
email, or 20 from one address, within 15 minutes of each other, that email or address is
refused until 15 minutes after its last failure. A successful sign-in forgets its email's
failures.

The counts are the OCPP login throttle's (`csms.login_counts`): in Redis when
FLEETCHARGE_REDIS_URL is set, so that every process counts together, else in this process.
While Redis fails, each process counts on its own: a broken Redis never stops a sign-in.
"""

import logging
import math
import time
from collections.abc import Callable
from typing import TypeVar

from limits.storage import RedisStorage, Storage

from fleetcharge.csms.login_counts import LoginCounts, MemoryCounts, RedisCounts
from fleetcharge.ratelimit.service import make_storage
from fleetcharge.settings import Settings

logger = logging.getLogger(__name__)

FAILURES_PER_EMAIL = 5
FAILURES_PER_ADDRESS = 20
WINDOW_S = 15 * 60.0  # failures count while the last is this recent; refusals last as long
REDIS_TIMEOUT_S = 2.0
REDIS_RETRY_S = 10.0  # after a Redis error, counted in-process for this long
REDIS_WARNING_EVERY_S = 60.0
MAX_KEY_CHARS = 254  # an email longer than any real one is counted by its first characters

T = TypeVar("T")


def _email(email: str) -> str:
    return f"email:{email[:MAX_KEY_CHARS]}"


def _address(address: str) -> str:
    return f"address:{address[:MAX_KEY_CHARS]}"


def refused_for(counts: LoginCounts, email: str, address: str, now: float) -> float:
    """Seconds before this email may be tried from this address (0: now)."""
    by_email, by_address = counts.failures([_email(email), _address(address)], now)
    waits = [
        failures.last + WINDOW_S - now
        for failures, allowed in (
            (by_email, FAILURES_PER_EMAIL),
            (by_address, FAILURES_PER_ADDRESS),
        )
        if failures is not None and failures.count >= allowed
    ]
    return max([0.0, *waits])


class SignInThrottle:
    """The policy above; one per process (`from_settings`), shared by its requests."""

    def __init__(self, storage: Storage | None = None) -> None:
        self.local = MemoryCounts(WINDOW_S)
        self.shared = (
            RedisCounts(storage, WINDOW_S, namespace="console:signin")
            if isinstance(storage, RedisStorage)
            else None
        )
        self._redis_retry_at = 0.0
        self._warned_at = -REDIS_WARNING_EVERY_S

    @classmethod
    def from_settings(cls, settings: Settings) -> "SignInThrottle":
        if not settings.redis_url:
            return cls()
        return cls(make_storage(settings.redis_url, settings.redis_key_prefix, REDIS_TIMEOUT_S))

    def wait(self, email: str, address: str, now: float) -> int:
        """Whole seconds to wait before trying (0: go ahead)."""
        return math.ceil(self._use(lambda counts: refused_for(counts, email, address, now)))

    def failed(self, email: str, address: str, now: float) -> None:
        self._use(lambda counts: counts.fail([_email(email), _address(address)], now))

    def succeeded(self, email: str) -> None:
        self._use(lambda counts: counts.clear(_email(email)))

    def _use(self, work: Callable[[LoginCounts], T]) -> T:
        shared = self.shared
        if shared is None or time.monotonic() < self._redis_retry_at:
            return work(self.local)
        try:
            return work(shared)
        except shared.errors as error:
            moment = time.monotonic()
            # Not asked again for a while: a Redis that hangs would hold up every sign-in.
            self._redis_retry_at = moment + REDIS_RETRY_S
            if moment - self._warned_at >= REDIS_WARNING_EVERY_S:
                self._warned_at = moment
                logger.warning("Redis unavailable: failed sign-ins counted per process: %s", error)
            return work(self.local)
