"""A simulated station's connection to its central system over time: opened, lost, reopened.

With `reconnect_s` in the station's configuration, a connection that goes away is opened again
at once, without a BootNotification (the station did not reboot); Calls wait while the station is
offline and the one in flight is sent again (its answer may be what was lost), so messages go out
in order with their original timestamps, as a real station replays its offline queue.
"""

import asyncio
import logging
import ssl
import time
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from ocpp.v16 import ChargePoint, call
from websockets.asyncio.client import ClientConnection

from fleetcharge.simulator.connection import Link, Wire, open_websocket
from fleetcharge.simulator.model import (
    ConnectionFailed,
    ConnectionLost,
    SimulatorError,
    StationConfig,
    StationStats,
)

RECONNECT_FIRST_DELAY_S = 0.05  # real seconds; doubled after each refused attempt
RECONNECT_MAX_DELAY_S = 2.0

_LOG = logging.getLogger(__name__)


class Uplink:
    def __init__(
        self,
        config: StationConfig,
        stats: StationStats,
        handler: Callable[[Wire], ChargePoint],
        connect_limit: asyncio.Semaphore | None = None,
    ) -> None:
        self.config = config
        self.failure: SimulatorError | None = None
        self._stats = stats
        self._handler = handler
        self._connect_limit = connect_limit
        self._link: Link | None = None
        # The TLS settings of each wss:// connection, made when it opens (None: defaults).
        self.tls: Callable[[], ssl.SSLContext | None] = lambda: None
        self._online = asyncio.Event()
        self._reconnecting = asyncio.Lock()
        self._heartbeat: asyncio.Task[None] | None = None
        self._heartbeat_interval = 0
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def endpoint(self) -> str:
        station_id = self.config.station_id
        return f"{self.config.url.rstrip('/')}/{quote(station_id, safe='')}"

    @property
    def connected(self) -> bool:
        return self._link is not None

    async def open(self) -> None:
        """Open the websocket; the station is online once `online()` says so (after its boot)."""
        self._link = self._attach(await self._open())

    def online(self) -> None:
        self._online.set()

    def fail(self, error: SimulatorError) -> None:
        """Make every waiting and later call raise `error`."""
        self.failure = error
        self._online.set()

    async def wait_online(self) -> None:
        await self._online.wait()
        if self.failure is not None:
            raise self.failure

    async def close(self) -> None:
        """Close the connection and stop the heartbeat and background exchanges (other than the
        calling task)."""
        self._online.clear()
        current = asyncio.current_task()
        tasks = [
            task
            for task in (self._heartbeat, *self._tasks)
            if task is not None and task is not current
        ]
        link, self._link, self._heartbeat = self._link, None, None
        if link is not None:
            await link.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def call(self, payload: Any) -> Any:
        """Send one Call once online: its result, or None for a CallError."""
        while True:
            await self.wait_online()
            link = self._link
            try:
                return await self.request(payload)
            except ConnectionLost:
                if self.config.reconnect_s <= 0:
                    raise
            await self._reconnect(link)

    async def request(self, payload: Any) -> Any:
        """Send one Call on the current connection, online or not (a boot's BootNotification)."""
        if self._link is None:
            name = type(payload).__name__
            raise ConnectionLost(f"{self.config.station_id}: not connected, cannot send {name}")
        return await self._link.call(payload)

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run a message exchange in the background: the ocpp library must not wait on a call
        from inside a handler (its reader would wait for itself)."""
        task = asyncio.create_task(self._guard(coroutine))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def restart_heartbeat(self, interval: int) -> None:
        self._heartbeat_interval = interval
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            self._heartbeat = None
        if interval > 0 and self._link is not None:
            self._heartbeat = asyncio.create_task(self._guard(self._heartbeats(interval)))

    async def _heartbeats(self, interval: int) -> None:
        while True:
            await asyncio.sleep(interval)
            await self.request(call.Heartbeat())

    async def _guard(self, coroutine: Coroutine[Any, Any, None]) -> None:
        try:
            await coroutine
        except SimulatorError as error:
            _LOG.warning("%s", error)

    async def _open(self) -> ClientConnection:
        if self._connect_limit is None:
            return await self._handshake()
        async with self._connect_limit:
            return await self._handshake()

    async def _handshake(self) -> ClientConnection:
        config = self.config
        return await open_websocket(
            self.endpoint,
            config.station_id,
            config.password,
            config.open_timeout_s,
            tls=self.tls() if self.endpoint.startswith("wss:") else None,
        )

    def _attach(self, ws: ClientConnection) -> Link:
        return Link(
            ws, self._handler, self._stats, validate=self.config.validate, on_lost=self._lost
        )

    def _lost(self, link: Link) -> None:
        """The connection closed by itself: reconnect at once, as a real station does."""
        if self.config.reconnect_s > 0 and link is self._link:
            self.spawn(self._reconnect(link))

    async def _reconnect(self, broken: Link | None) -> None:
        """Replace the `broken` link, unless another task has already."""
        async with self._reconnecting:
            if self._link is not broken:
                return
            await self.close()
            try:
                self._link = self._attach(await self._reopen())
            except SimulatorError as error:
                self.fail(error)
                raise
            self._online.set()
            self.restart_heartbeat(self._heartbeat_interval)

    async def _reopen(self) -> ClientConnection:
        deadline = time.monotonic() + self.config.reconnect_s
        delay = RECONNECT_FIRST_DELAY_S
        while True:
            try:
                return await self._open()
            except ConnectionFailed as error:
                if time.monotonic() + delay > deadline:
                    raise ConnectionLost(
                        f"{self.config.station_id}: lost the connection and could not reconnect "
                        f"within {self.config.reconnect_s:g} s: {error}"
                    ) from None
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_DELAY_S)
