"""Counting calls against the windows of a policy, in memory or in Redis."""

import math
import time
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import FixedWindowRateLimiter

from fleetcharge.errors import DomainError


class RateLimited(DomainError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, headers: dict[str, str]) -> None:
        super().__init__(message)
        self.headers = headers


@dataclass(frozen=True)
class Quota:
    """What the X-RateLimit-* headers report: the window closest to running out."""

    limit: int
    remaining: int
    reset: int  # Unix seconds when that window starts afresh

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }


def make_storage(
    redis_url: str | None, key_prefix: str = "fleetcharge", timeout_s: float | None = None
) -> Storage:
    """Redis when a URL is given (each call waiting at most `timeout_s` when set), else
    this process's memory."""
    if redis_url and timeout_s is not None:
        return RedisStorage(
            redis_url,
            key_prefix=key_prefix,
            wrap_exceptions=True,
            socket_connect_timeout=timeout_s,
            socket_timeout=timeout_s,
        )
    if redis_url:
        return RedisStorage(redis_url, key_prefix=key_prefix, wrap_exceptions=True)
    return MemoryStorage()


class RateLimiter:
    """Fixed windows per (token, endpoint): a call is refused, and not counted, when any of
    its windows is used up."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.limiter = FixedWindowRateLimiter(storage)

    @property
    def in_memory(self) -> bool:
        """Whether counting never waits on the network."""
        return isinstance(self.storage, MemoryStorage)

    def acquire(self, windows: tuple[RateLimitItem, ...], *key: Any) -> Quota | None:
        """Count one call, or raise RateLimited with the headers and Retry-After."""
        if not windows:
            return None
        identifiers = [str(part) for part in key]
        for window in windows:
            if not self.limiter.test(window, *identifiers):
                raise self._refusal(windows, identifiers)
        for window in windows:
            if not self.limiter.hit(window, *identifiers):  # lost a race to another process
                raise self._refusal(windows, identifiers)
        return self._quota(windows, identifiers)

    def _quotas(self, windows: tuple[RateLimitItem, ...], identifiers: list[str]) -> list[Quota]:
        quotas = []
        for window in windows:
            stats = self.limiter.get_window_stats(window, *identifiers)
            quotas.append(
                Quota(window.amount, max(0, stats.remaining), math.ceil(stats.reset_time))
            )
        return quotas

    def _quota(self, windows: tuple[RateLimitItem, ...], identifiers: list[str]) -> Quota:
        return min(self._quotas(windows, identifiers), key=lambda q: (q.remaining, -q.reset))

    def _refusal(self, windows: tuple[RateLimitItem, ...], identifiers: list[str]) -> RateLimited:
        quotas = self._quotas(windows, identifiers)
        # Refused until the last used-up window starts afresh.
        quota = max((q for q in quotas if q.remaining == 0), key=lambda q: q.reset, default=None)
        quota = quota or min(quotas, key=lambda q: q.remaining)
        retry_after = max(1, quota.reset - math.floor(time.time()))
        headers = {**quota.headers(), "Retry-After": str(retry_after)}
        return RateLimited(
            f"rate limit of {quota.limit} calls reached; retry in {retry_after} s", headers
        )
