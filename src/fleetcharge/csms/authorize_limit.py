"""Authorize requests per connection, bounded (FLEETCHARGE_OCPP_AUTHORIZE_LIMIT): each window
`N/period` is a token bucket holding N, refilled at N per period, so `20/minute` lets a queue
of drivers swipe 20 cards at once, then one every 3 s. Authorize tells whoever holds the
connection which card ids are valid; the bound stops it being used to try them all.

Beyond the bound the request is answered with a CallError (GenericError), not with an
idTagInfo: a station caches the idTagInfo of every Authorize.conf (OCPP 1.6, 3.5.2
Authorization Cache), so an answer of Blocked or Invalid would make it refuse a valid card
later, even offline. A CallError carries nothing to cache; the station reports the
authorization as failed and the driver swipes again. It is logged once per run of refusals.
"""

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItem
from ocpp.exceptions import GenericError

logger = logging.getLogger(__name__)


@dataclass
class _Bucket:
    capacity: float
    per_second: float
    tokens: float
    at: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.per_second)
        self.at = now

    def wait(self) -> float:
        """Seconds until a whole token (0 when one is there)."""
        missing = 1 - self.tokens
        return 0.0 if missing <= 1e-9 else missing / self.per_second  # (float sums)


class AuthorizeBudget:
    """One connection's buckets; `take` raises the CallError when one of them is empty."""

    def __init__(
        self,
        identity: str,
        windows: tuple[RateLimitItem, ...],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.identity = identity
        self.clock = clock
        now = clock()
        self.buckets = [
            _Bucket(w.amount, w.amount / w.get_expiry(), float(w.amount), now) for w in windows
        ]
        self.windows = "; ".join(str(w) for w in windows)  # e.g. "20 per 1 minute"
        self.refusing = False

    def take(self) -> None:
        now = self.clock()
        for bucket in self.buckets:
            bucket.refill(now)
        wait = max([0.0, *(bucket.wait() for bucket in self.buckets)])
        if wait:
            if not self.refusing:
                self.refusing = True
                logger.warning(
                    "charge station %s: Authorize requests beyond %s refused (CallError) until "
                    "they slow down",
                    self.identity,
                    self.windows,
                )
            retry = math.ceil(wait)
            raise GenericError(
                description="too many Authorize requests",
                details={"cause": f"too many Authorize requests: retry in {retry} s"},
            )
        self.refusing = False
        for bucket in self.buckets:
            bucket.tokens = max(0.0, bucket.tokens - 1)
