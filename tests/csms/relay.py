"""A WebSocket relay on loopback, between charge stations and the central system, that loses
connections on purpose.

For each station, the first call of each action in `drop_after` reaches the central system,
which processes and answers it; the relay then closes both sides instead of passing the answer
on, and refuses that station's handshakes for `offline_s`. The station, which never heard the
answer, must reconnect and send the call again: the central system sees it twice.
"""

import asyncio
import contextlib
import json
from http import HTTPStatus
from types import TracebackType
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

OCPP16 = Subprotocol("ocpp1.6")


class DroppingRelay:
    def __init__(self, upstream: str, drop_after: frozenset[str], offline_s: float = 0.2) -> None:
        """`upstream`: the central system's OCPP URL, e.g. ws://127.0.0.1:8000/ocpp."""
        self.upstream = upstream.rstrip("/")
        self.drop_after = drop_after
        self.offline_s = offline_s
        self.dropped: list[tuple[str, str]] = []  # (station, action) whose answer was lost
        self.refused = 0  # handshakes refused while a station was "offline"
        self._seen: set[tuple[str, str]] = set()
        self._offline_until: dict[str, float] = {}
        self._server: Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"ws://127.0.0.1:{port}/ocpp"

    async def __aenter__(self) -> "DroppingRelay":
        self._server = await serve(
            self._relay, "127.0.0.1", 0, subprotocols=[OCPP16], process_request=self._admit
        )
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    def _admit(self, connection: ServerConnection, request: Request) -> Response | None:
        station = request.path.rsplit("/", 1)[-1]
        if asyncio.get_running_loop().time() < self._offline_until.get(station, 0):
            self.refused += 1
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "offline\n")
        return None

    async def _relay(self, station_ws: ServerConnection) -> None:
        assert station_ws.request is not None
        path = station_ws.request.path
        station = path.rsplit("/", 1)[-1]
        credentials = station_ws.request.headers.get("Authorization")
        async with connect(
            self.upstream + path.removeprefix("/ocpp"),
            subprotocols=[OCPP16],
            additional_headers={"Authorization": credentials} if credentials else None,
            proxy=None,
        ) as central_ws:
            doomed: dict[str, str] = {}  # call id -> action whose answer is to be lost
            pumps = [
                asyncio.create_task(self._to_central(station, station_ws, central_ws, doomed)),
                asyncio.create_task(self._to_station(station, central_ws, station_ws, doomed)),
            ]
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            for pump in pumps:
                pump.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
        await station_ws.close()

    async def _to_central(
        self,
        station: str,
        station_ws: ServerConnection,
        central_ws: ClientConnection,
        doomed: dict[str, str],
    ) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for frame in station_ws:
                message = _decode(frame)
                if message[0] == 2 and message[2] in self.drop_after:
                    key = (station, message[2])
                    if key not in self._seen:
                        self._seen.add(key)
                        doomed[message[1]] = message[2]
                await central_ws.send(frame)

    async def _to_station(
        self,
        station: str,
        central_ws: ClientConnection,
        station_ws: ServerConnection,
        doomed: dict[str, str],
    ) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for frame in central_ws:
                message = _decode(frame)
                action = doomed.get(message[1]) if message[0] in (3, 4) else None
                if action is not None:
                    self.dropped.append((station, action))
                    loop = asyncio.get_running_loop()
                    self._offline_until[station] = loop.time() + self.offline_s
                    return  # both sides are closed by _relay
                await station_ws.send(frame)


def _decode(frame: str | bytes) -> list[Any]:
    message = json.loads(frame)
    assert isinstance(message, list)
    return message
