"""Which stations are connected, and getting an operator command to the process holding a
station's socket: this process alone here, every process sharing one Redis in
`fleetcharge.csms.redis_routing`."""

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from fleetcharge.csms.commands import Command, CommandAnswer, StationNotConnected, call_station
from fleetcharge.csms.registry import ConnectionRegistry, LiveConnection


def new_node_id() -> str:
    """This process among all serving the same stations: host, pid and a random part (pids
    are reused after a restart)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Presence:
    """A connected station as every process can see it."""

    identity: str
    station_id: int
    node: str
    connected_since: float  # Unix seconds
    last_seen: float

    @classmethod
    def of(cls, live: LiveConnection, node: str) -> "Presence":
        return cls(live.identity, live.station_id, node, live.connected_at, live.last_seen)

    def to_json(self) -> dict[str, Any]:
        return {
            "station_id": self.station_id,
            "node": self.node,
            "connected_since": self.connected_since,
            "last_seen": self.last_seen,
        }

    @classmethod
    def from_json(cls, identity: str, data: dict[str, Any]) -> "Presence":
        return cls(
            identity=identity,
            station_id=int(data["station_id"]),
            node=str(data["node"]),
            connected_since=float(data["connected_since"]),
            last_seen=float(data["last_seen"]),
        )


def utc(unix_seconds: float) -> datetime:
    return datetime.fromtimestamp(unix_seconds, UTC)


class StationRouter(Protocol):
    node: str

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    def attached(self, live: LiveConnection) -> None: ...
    def detached(self, live: LiveConnection) -> None: ...
    async def connected(self) -> list[Presence]: ...
    async def elsewhere(self, identity: str) -> bool: ...
    async def send(self, identity: str, command: Command) -> CommandAnswer: ...


class InProcessRouter:
    """One process: the stations are those of its own registry."""

    def __init__(self, registry: ConnectionRegistry, command_timeout: float) -> None:
        self.registry = registry
        self.command_timeout = command_timeout
        self.node = new_node_id()

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    def attached(self, live: LiveConnection) -> None:
        pass

    def detached(self, live: LiveConnection) -> None:
        pass

    async def connected(self) -> list[Presence]:
        return [Presence.of(live, self.node) for live in self.registry]

    async def elsewhere(self, identity: str) -> bool:
        """Whether the station is connected to another process (none without Redis)."""
        return False

    async def send(self, identity: str, command: Command) -> CommandAnswer:
        live = self.local(identity)
        if live is None:
            raise not_connected(identity)
        return await self.send_here(live, command)

    def local(self, identity: str) -> LiveConnection | None:
        """The station's connection to this process, unless it is closing."""
        live = self.registry.get(identity)
        return live if live is not None and not live.closed else None

    async def send_here(self, live: LiveConnection, command: Command) -> CommandAnswer:
        answer = await call_station(live, command, self.command_timeout)
        status = answer.get("status")
        return CommandAnswer(
            live.identity,
            command.action,
            None if status is None else str(status),
            self.node,
            answer,
        )


def not_connected(identity: str) -> StationNotConnected:
    return StationNotConnected(f"charge station {identity!r} is not connected")
