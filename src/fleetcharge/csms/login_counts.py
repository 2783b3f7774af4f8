"""Where the login throttle keeps its counts: in this process, or in Redis for every process.

Two kinds of entries, each under a string key:
- failures: a count and the time of the last one, forgotten after `forget_after_s` without
  a new failure;
- marks: present for a given time (an address a station logged in from; a turn taken).
Times are Unix seconds from the caller's clock, so that processes on several hosts agree.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar, cast

import redis
from limits.storage import RedisStorage

V = TypeVar("V")
MAX_TRACKED = 100_000  # in-process entries kept at most, of each kind; the oldest go first


@dataclass
class Failures:
    count: int = 0
    last: float = 0.0


class LoginCounts(Protocol):
    def failures(self, keys: Sequence[str], now: float) -> list[Failures | None]: ...

    def fail(self, keys: Sequence[str], now: float) -> None: ...

    def clear(self, key: str) -> None: ...

    def mark(self, key: str, seconds: float, now: float) -> None:
        """Set (or renew) the mark for `seconds`."""

    def marked(self, key: str, now: float) -> bool: ...

    def claim(self, key: str, seconds: float, now: float) -> float:
        """Set the mark for `seconds` if it is not set (0.0), else the seconds it has left."""


@dataclass
class MemoryCounts:
    """This process's own counts (dicts keep insertion order: the first entry is the oldest)."""

    forget_after_s: float
    _failures: dict[str, Failures] = field(default_factory=dict)
    _marks: dict[str, float] = field(default_factory=dict)  # key -> until

    def failures(self, keys: Sequence[str], now: float) -> list[Failures | None]:
        found = [self._failures.get(key) for key in keys]
        return [f if f is not None and now - f.last <= self.forget_after_s else None for f in found]

    def fail(self, keys: Sequence[str], now: float) -> None:
        for key in keys:
            failures = self._failures.pop(key, None)
            if failures is None or now - failures.last > self.forget_after_s:
                failures = Failures()
            failures.count += 1
            failures.last = now
            self._failures[key] = failures  # re-inserted: the newest last
        _trim(self._failures)

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)

    def mark(self, key: str, seconds: float, now: float) -> None:
        self._marks.pop(key, None)
        self._marks[key] = now + seconds
        _trim(self._marks)

    def marked(self, key: str, now: float) -> bool:
        return self._marks.get(key, now) > now

    def claim(self, key: str, seconds: float, now: float) -> float:
        until = self._marks.get(key, now)
        if until > now:
            return until - now
        self.mark(key, seconds, now)
        return 0.0


def _trim(entries: dict[str, V]) -> None:
    while len(entries) > MAX_TRACKED:
        del entries[next(iter(entries))]


class RedisCounts:
    """The counts in Redis, through the connection of a `limits` Redis storage (the one the
    rate limits use), under its key prefix; each entry expires by itself."""

    def __init__(
        self, storage: RedisStorage, forget_after_s: float, namespace: str = "ocpp:login"
    ) -> None:
        self.client = cast(redis.Redis, storage.get_connection())
        self.errors = storage.base_exceptions
        self._key = lambda key: storage.prefixed_key(f"{namespace}:{key}")
        self.forget_after_ms = int(forget_after_s * 1000)

    def failures(self, keys: Sequence[str], now: float) -> list[Failures | None]:
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            pipe.hmget(self._key(key), "count", "last")
        return [
            Failures(int(count), float(last)) if count is not None and last is not None else None
            for count, last in pipe.execute()
        ]

    def fail(self, keys: Sequence[str], now: float) -> None:
        pipe = self.client.pipeline(transaction=True)
        for key in keys:
            name = self._key(key)
            pipe.hincrby(name, "count", 1)
            pipe.hset(name, "last", repr(now))
            pipe.pexpire(name, self.forget_after_ms)
        pipe.execute()

    def clear(self, key: str) -> None:
        self.client.delete(self._key(key))

    def mark(self, key: str, seconds: float, now: float) -> None:
        self.client.set(self._key(key), 1, px=_ms(seconds))

    def marked(self, key: str, now: float) -> bool:
        return bool(self.client.exists(self._key(key)))

    def claim(self, key: str, seconds: float, now: float) -> float:
        name = self._key(key)
        if self.client.set(name, 1, px=_ms(seconds), nx=True):
            return 0.0
        left_ms = int(self.client.pttl(name))
        # Expired between the two calls (-2), or never set to expire (-1: not ours): free.
        return left_ms / 1000 if left_ms > 0 else 0.0


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))
