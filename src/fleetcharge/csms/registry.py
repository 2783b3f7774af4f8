"""The stations connected to this process, in memory (never written per heartbeat).

Only the event loop touches it, so it needs no lock. With several processes each knows its
own sockets; routing an operator command to the right process is for a shared registry
(Redis) later.
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(slots=True, eq=False)
class LiveConnection:
    identity: str
    station_id: int
    # Ends the connection's message loop (its socket is then closed by its own task).
    disconnect: Callable[[], None]
    connected_at: float = field(default_factory=time.time)
    last_seen: float = field(default_factory=time.time)

    def seen(self) -> None:
        self.last_seen = time.time()

    @property
    def last_seen_at(self) -> datetime:
        return datetime.fromtimestamp(self.last_seen, UTC)

    @property
    def connected_since(self) -> datetime:
        return datetime.fromtimestamp(self.connected_at, UTC)


class ConnectionRegistry:
    def __init__(self) -> None:
        self._live: dict[str, LiveConnection] = {}

    def attach(self, connection: LiveConnection) -> LiveConnection | None:
        """Make `connection` the station's live one; returns the one it replaces."""
        previous = self._live.get(connection.identity)
        self._live[connection.identity] = connection
        return previous

    def detach(self, connection: LiveConnection) -> None:
        """Forget `connection` unless a newer one for its station has replaced it."""
        if self._live.get(connection.identity) is connection:
            del self._live[connection.identity]

    def get(self, identity: str) -> LiveConnection | None:
        return self._live.get(identity)

    def __len__(self) -> int:
        return len(self._live)

    def __iter__(self) -> Iterator[LiveConnection]:
        return iter(list(self._live.values()))
