"""When to wait and when to retry: the policy every client shares, free of I/O.

A client runs one `Exchange` per request. Before each attempt it asks `before_send()`
how long to wait (the last response on that endpoint said `X-RateLimit-Remaining: 0`);
after each attempt it hands the response or the transport error to the exchange, which
either says how long to wait before retrying, or says the response is final, or raises.

- 429: wait until `X-RateLimit-Reset` or `Retry-After` (the later of the two), retry.
- connection errors, timeouts, 502/503/504: exponential backoff with jitter, retry,
  at most `max_attempts` attempts.
- 400, 401, 403 and any other error status: raise at once, never retried.
"""

import email.utils
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import httpx

from fleetcharge.client.errors import ApiResponseError, ConnectionFailedError

RETRYABLE_STATUSES = frozenset({502, 503, 504})
# What counts as a transient transport failure; a bad URL or protocol misuse does not.
RETRYABLE_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    """Attempts per request for transient failures (the first one included)."""
    backoff_base: float = 0.5
    """Seconds before the first retry; doubled for each further retry."""
    backoff_max: float = 30.0
    max_rate_limit_waits: int = 10
    """429s waited out per request before giving up."""
    max_wait: float = 3900.0
    """Longest wait accepted for a rate-limit reset (the published limits reset hourly)."""

    def backoff(self, retry: int, jitter: float) -> float:
        """Seconds before retry number `retry` (1-based); `jitter` is in [0, 1).

        Half the exponential step is fixed and half random, so concurrent clients
        spread out but none retries immediately.
        """
        step = min(self.backoff_max, self.backoff_base * 2 ** (retry - 1))
        return step / 2 + jitter * step / 2


@dataclass(frozen=True)
class Wait:
    """A pause the client is about to take, reported to `on_wait` before sleeping."""

    seconds: float
    reason: Literal["rate_limit", "retry"]
    cause: str
    """What triggered it: "HTTP 429", "X-RateLimit-Remaining: 0", "HTTP 503", "ConnectError"."""
    url: str
    until: float | None = None
    """Unix time the wait ends, when the server named it."""
    attempt: int = 1
    """The attempt that just failed (retries only)."""
    max_attempts: int = 1


# A reset this small cannot be Unix time (it would be 1970): read it as seconds from now,
# as servers following the IETF RateLimit draft send it.
_RESET_AS_DELTA_BELOW = 1e9


def reset_time(response: httpx.Response, now: float) -> float | None:
    """`X-RateLimit-Reset` as Unix time."""
    reset = _number(response.headers.get("X-RateLimit-Reset"))
    if reset is not None and reset < _RESET_AS_DELTA_BELOW:
        return now + reset
    return reset


@dataclass
class RateLimits:
    """The reset time of each endpoint whose last response left no requests."""

    exhausted_until: dict[str, float] = field(default_factory=dict)

    def observe(self, path: str, response: httpx.Response, now: float) -> None:
        remaining = _number(response.headers.get("X-RateLimit-Remaining"))
        reset = reset_time(response, now)
        if remaining is not None and remaining <= 0 and reset is not None:
            self.exhausted_until[path] = reset
        else:
            self.exhausted_until.pop(path, None)


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """`Retry-After` as seconds from now: delta-seconds or an HTTP date."""
    if value is None:
        return None
    seconds = _number(value.strip())
    if seconds is not None:
        return max(seconds, 0.0)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(moment.timestamp() - now, 0.0)


class Exchange:
    """The retry decisions for one GET; see the module docstring."""

    def __init__(
        self,
        url: httpx.URL,
        policy: RetryPolicy,
        limits: RateLimits,
        clock: Callable[[], float],
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.url = url
        self.policy = policy
        self.limits = limits
        self.clock = clock
        self.jitter = jitter
        self.attempts = 0
        self.rate_limit_waits = 0

    @property
    def _shown_url(self) -> str:
        return str(self.url.copy_with(userinfo=b""))

    def before_send(self) -> Wait | None:
        """A wait for the rate-limit window to reset, when the last response exhausted it."""
        self.attempts += 1
        until = self.limits.exhausted_until.pop(self.url.path, None)
        if until is None:
            return None
        seconds = until - self.clock()
        if seconds <= 0 or seconds > self.policy.max_wait:
            # Reset already passed, or a clock too far off to trust: let the server decide.
            return None
        return Wait(seconds, "rate_limit", "X-RateLimit-Remaining: 0", self._shown_url, until)

    def after_response(self, response: httpx.Response) -> Wait | None:
        """None when the response is a success; a wait before retrying; or raises."""
        self.limits.observe(self.url.path, response, self.clock())
        status = response.status_code
        if status < 300:
            return None
        if status == 429:
            return self._rate_limited(response)
        if status in RETRYABLE_STATUSES and self.attempts < self.policy.max_attempts:
            now = self.clock()
            server_says = retry_after_seconds(response.headers.get("Retry-After"), now)
            seconds = self._backoff()
            if server_says is not None and server_says <= self.policy.max_wait:
                seconds = max(seconds, server_says)
            return self._retry(seconds, f"HTTP {status}")
        raise ApiResponseError.from_response(response)

    def after_error(self, error: httpx.TransportError) -> Wait:
        """A wait before retrying a transient transport failure; raises otherwise."""
        if isinstance(error, RETRYABLE_ERRORS) and self.attempts < self.policy.max_attempts:
            return self._retry(self._backoff(), type(error).__name__)
        raise ConnectionFailedError(self._shown_url, error, self.attempts) from None

    def _backoff(self) -> float:
        return self.policy.backoff(self.attempts, self.jitter())

    def _retry(self, seconds: float, cause: str) -> Wait:
        return Wait(
            seconds, "retry", cause, self._shown_url, None, self.attempts, self.policy.max_attempts
        )

    def _rate_limited(self, response: httpx.Response) -> Wait:
        # A 429 is not a failed attempt: it is counted on its own.
        self.attempts -= 1
        self.rate_limit_waits += 1
        self.limits.exhausted_until.pop(self.url.path, None)
        now = self.clock()
        reset = reset_time(response, now)
        candidates = [
            seconds
            for seconds in (
                reset - now if reset is not None else None,
                retry_after_seconds(response.headers.get("Retry-After"), now),
            )
            if seconds is not None
        ]
        # Neither header: back off as for a transient failure.
        seconds = max(candidates) if candidates else self.policy.backoff(self.rate_limit_waits, 0)
        # At least a second: a reset just past (or a clock slightly behind) must not spin.
        seconds = max(seconds, 1.0)
        if self.rate_limit_waits > self.policy.max_rate_limit_waits or (
            seconds > self.policy.max_wait
        ):
            raise ApiResponseError.from_response(response)
        return Wait(seconds, "rate_limit", "HTTP 429", self._shown_url, now + seconds)
