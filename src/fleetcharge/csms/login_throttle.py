"""Backing off failed station logins: after a few wrong passwords from one address (for one
identity, or for any), that address waits, longer after each further failure, before its
next attempt is even checked. The real station, connecting from its own address, is never
locked out by someone else's guessing. In-process: each server process counts its own.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

FREE_FAILURES_PER_STATION = 5  # from one address, for one identity
FREE_FAILURES_PER_ADDRESS = 20  # from one address, whatever the identity
FIRST_WAIT_S = 1.0
LONGEST_WAIT_S = 300.0
FORGET_AFTER_S = 3600.0  # failures older than this no longer count
MAX_TRACKED = 100_000  # keys kept at most; the oldest go first


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0


@dataclass
class LoginThrottle:
    clock: Callable[[], float] = time.monotonic
    _failures: dict[tuple[str, ...], _Failures] = field(default_factory=dict)

    def wait(self, identity: str, address: str) -> float:
        """Seconds before this address may try this identity again (0: now)."""
        now = self.clock()
        waits = [
            self._wait((address, identity), FREE_FAILURES_PER_STATION, now),
            self._wait((address,), FREE_FAILURES_PER_ADDRESS, now),
        ]
        return max(waits)

    def failed(self, identity: str, address: str) -> None:
        now = self.clock()
        for key in ((address, identity), (address,)):
            failures = self._failures.pop(key, None) or _Failures()
            if now - failures.last > FORGET_AFTER_S:
                failures = _Failures()
            failures.count += 1
            failures.last = now
            self._failures[key] = failures  # re-inserted: dicts keep the newest last
        while len(self._failures) > MAX_TRACKED:
            del self._failures[next(iter(self._failures))]

    def succeeded(self, identity: str, address: str) -> None:
        self._failures.pop((address, identity), None)

    def _wait(self, key: tuple[str, ...], free: int, now: float) -> float:
        failures = self._failures.get(key)
        if failures is None or failures.count < free or now - failures.last > FORGET_AFTER_S:
            return 0.0
        backoff = min(LONGEST_WAIT_S, FIRST_WAIT_S * 2 ** (failures.count - free))
        return max(0.0, failures.last + backoff - now)
