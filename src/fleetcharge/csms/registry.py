"""The stations connected to this process, in memory (never written per heartbeat).

Only the event loop touches it, so it needs no lock. With several processes each knows its
own sockets; `fleetcharge.csms.presence` shares them through Redis.
"""

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fleetcharge.csms.protocol import RobustChargePoint
from fleetcharge.metrics import OCPP_CONNECTED


@dataclass(slots=True, eq=False)
class LiveConnection:
    identity: str
    station_id: int
    # Where operator commands are sent (from outside its message loop).
    charge_point: RobustChargePoint
    # Ends the connection's message loop; its socket is then closed by its own task with
    # this close code and reason.
    disconnect: Callable[[int, str], None]
    connected_at: float = field(default_factory=time.time)
    last_seen: float = field(default_factory=time.time)
    closed: bool = False
    # Made only while a command waits on the connection (an Event per station would cost
    # memory for nothing at 10,000 stations).
    _closed_event: asyncio.Event | None = None

    def seen(self) -> None:
        self.last_seen = time.time()

    def mark_closed(self) -> None:
        self.closed = True
        if self._closed_event is not None:
            self._closed_event.set()

    async def wait_closed(self) -> None:
        if self.closed:
            return
        if self._closed_event is None:
            self._closed_event = asyncio.Event()
        await self._closed_event.wait()

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
        if previous is None:
            OCPP_CONNECTED.inc()
        return previous

    def detach(self, connection: LiveConnection) -> bool:
        """Forget `connection` unless a newer one for its station has replaced it; whether
        the station is no longer connected."""
        if self._live.get(connection.identity) is connection:
            del self._live[connection.identity]
            OCPP_CONNECTED.dec()
            return True
        return False

    def get(self, identity: str) -> LiveConnection | None:
        return self._live.get(identity)

    def __len__(self) -> int:
        return len(self._live)

    def __iter__(self) -> Iterator[LiveConnection]:
        return iter(list(self._live.values()))
