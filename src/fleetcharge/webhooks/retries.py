"""When a failed delivery is tried again: exponential backoff with jitter, within a window
counted from its first attempt; after it, the delivery is failed. Pure: the caller passes
the time and the random source."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from fleetcharge.settings import Settings

# Enough doublings to reach any cap; bounds 2**n so no attempt count overflows.
_MAX_DOUBLINGS = 40


@dataclass(frozen=True)
class RetryPolicy:
    first: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=3)
    window: timedelta = timedelta(days=3)
    # Each delay is the doubled one times a factor in [1 - jitter, 1 + jitter] (at most the
    # cap), so that deliveries failing together do not all come back at once.
    jitter: float = 0.25

    @classmethod
    def from_settings(cls, settings: Settings) -> "RetryPolicy":
        return cls(
            first=timedelta(seconds=settings.webhooks_retry_first_seconds),
            cap=timedelta(seconds=settings.webhooks_retry_max_seconds),
            window=timedelta(hours=settings.webhooks_retry_window_hours),
        )


def backoff(policy: RetryPolicy, failures: int, rng: random.Random) -> timedelta:
    """The wait after the `failures`-th failed attempt (1 for the first)."""
    doubled = policy.first * 2 ** min(max(failures - 1, 0), _MAX_DOUBLINGS)
    base = min(policy.cap, doubled)
    return min(policy.cap, base * (1 + rng.uniform(-policy.jitter, policy.jitter)))


def next_attempt(
    policy: RetryPolicy,
    *,
    first_attempt_at: datetime,
    failures: int,
    now: datetime,
    rng: random.Random,
) -> datetime | None:
    """When to try again after `failures` failed attempts, the last at `now`; None when the
    window has passed (the delivery is failed). The last try falls at the window's end."""
    deadline = first_attempt_at + policy.window
    if now >= deadline:
        return None
    return min(now + backoff(policy, failures, rng), deadline)
