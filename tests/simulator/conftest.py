"""A small OCPP 1.6J central system on loopback that records every frame it receives.

It runs in its own thread and event loop, so that a test may drive the simulator with
`asyncio.run` or through the CLI (which starts its own loop) alike.
"""

import asyncio
import contextlib
import itertools
import json
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

import pytest
from ocpp.routing import after, on
from ocpp.v16 import ChargePoint, call_result
from ocpp.v16.enums import Action, AuthorizationStatus, RegistrationStatus
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from fleetcharge.simulator.connection import basic_auth

TIMEOUT_S = 20.0
_QUIET = logging.getLogger("tests.simulator.ocpp")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False


def bounded(coroutine: Any, timeout: float = TIMEOUT_S) -> Any:
    """Run a test's coroutine on a fresh loop, failing instead of hanging."""
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


@dataclass(frozen=True)
class Frame:
    """A frame the central system received, parsed, with when it arrived."""

    station_id: str
    message: list[Any]
    received_at: datetime

    @property
    def is_call(self) -> bool:
        return bool(self.message[0] == 2)

    @property
    def action(self) -> str:
        return str(self.message[2]) if self.is_call else ""

    @property
    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = self.message[3] if self.is_call else self.message[2]
        return payload


class _RecordingConnection:
    def __init__(self, ws: ServerConnection, station_id: str, system: "CentralSystem") -> None:
        self._ws, self._station_id, self._system = ws, station_id, system

    async def recv(self) -> str:
        while True:
            raw = await self._ws.recv()
            text = raw if isinstance(raw, str) else raw.decode()
            frame = Frame(self._station_id, json.loads(text), datetime.now(UTC))
            self._system.frames.append(frame)
            if not self._system.drops(frame):
                return text
            await self._ws.close()  # the station never hears an answer to this call

    async def send(self, message: str) -> None:
        await self._ws.send(message)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class CentralSystemChargePoint(ChargePoint):
    """The central system's side of one station's connection."""

    def __init__(self, station_id: str, connection: Any, system: "CentralSystem") -> None:
        super().__init__(station_id, connection, response_timeout=10, logger=_QUIET)
        self.system = system
        self.meter_values_seen = 0

    @on(Action.boot_notification)
    def on_boot_notification(self, **_: Any) -> Any:
        return call_result.BootNotification(
            current_time=_now(),
            interval=self.system.heartbeat_interval,
            status=self.system.registration,
        )

    @on(Action.heartbeat)
    def on_heartbeat(self, **_: Any) -> Any:
        return call_result.Heartbeat(current_time=_now())

    @on(Action.status_notification)
    def on_status_notification(self, **_: Any) -> Any:
        return call_result.StatusNotification()

    @on(Action.authorize)
    def on_authorize(self, id_tag: str, **_: Any) -> Any:
        self.system.fail_if_told(Action.authorize)
        return call_result.Authorize(id_tag_info={"status": self.system.authorize(id_tag)})

    @on(Action.start_transaction)
    def on_start_transaction(self, id_tag: str, **_: Any) -> Any:
        self.system.fail_if_told(Action.start_transaction)
        concurrent = id_tag in self.system.concurrent_tags
        return call_result.StartTransaction(
            transaction_id=next(self.system.transaction_ids),
            id_tag_info={
                "status": AuthorizationStatus.concurrent_tx
                if concurrent
                else AuthorizationStatus.accepted
            },
        )

    @on(Action.meter_values)
    def on_meter_values(self, **_: Any) -> Any:
        self.system.fail_if_told(Action.meter_values)
        return call_result.MeterValues()

    @after(Action.meter_values)
    def after_meter_values(self, transaction_id: int | None = None, **_: Any) -> None:
        self.meter_values_seen += 1
        command, fired = self.system.command_after, self.system.commanded
        if transaction_id is None or not command or self.id in fired:
            return
        if self.meter_values_seen == command[0]:
            fired.add(self.id)
            # From a task: a call made inside a handler would wait on this very reader.
            task = asyncio.ensure_future(self.call(command[1](transaction_id)))
            task.add_done_callback(lambda done: self.system.answers.append(done.result()))

    @on(Action.stop_transaction)
    def on_stop_transaction(self, **_: Any) -> Any:
        self.system.fail_if_told(Action.stop_transaction)
        return call_result.StopTransaction(id_tag_info={"status": AuthorizationStatus.accepted})

    @on(Action.diagnostics_status_notification)
    def on_diagnostics_status_notification(self, **_: Any) -> Any:
        return call_result.DiagnosticsStatusNotification()

    @on(Action.firmware_status_notification)
    def on_firmware_status_notification(self, **_: Any) -> Any:
        return call_result.FirmwareStatusNotification()


class CentralSystem:
    """Serves ws://127.0.0.1:{port}/ocpp/{station_id}; records handshakes and frames."""

    def __init__(
        self,
        subprotocols: list[str] | None = None,
        password: str | None = None,
        command_after: tuple[int, Callable[[int], Any]] | None = None,
        rejected_tags: frozenset[str] = frozenset(),
        concurrent_tags: frozenset[str] = frozenset(),
        failing_actions: frozenset[str] = frozenset(),
        failing_calls: dict[str, set[int]] | None = None,
        heartbeat_interval: int = 300,
        registration: RegistrationStatus = RegistrationStatus.accepted,
        drop_on: frozenset[str] = frozenset(),
    ) -> None:
        """`command_after=(n, make)`: after a station's n-th MeterValues, send it the call
        `make(transaction_id)` (once per station); its answer lands in `answers`.
        `drop_on`: actions whose first call from each station closes the connection unanswered.
        `failing_calls`: action -> which of its calls (1, 2, ... over all stations) to answer
        with a CallError; `failing_actions` fail every time."""
        self.subprotocols = ["ocpp1.6"] if subprotocols is None else subprotocols
        self.password = password
        self.command_after = command_after
        self.commanded: set[str] = set()  # stations sent `command_after`, once each
        self.heartbeat_interval = heartbeat_interval
        self.registration = registration
        self.rejected_tags = rejected_tags  # Authorize: Invalid
        self.concurrent_tags = (
            concurrent_tags  # Authorize: Accepted, StartTransaction: ConcurrentTx
        )
        self.failing_actions = failing_actions  # answered with a CallError
        self.failing_calls = failing_calls or {}
        self.calls_answered: dict[str, int] = {}  # action -> calls handled
        self.drop_on = drop_on
        self.dropped: set[tuple[str, str]] = set()  # (station id, action)
        self.frames: list[Frame] = []
        self.handshakes: list[Headers] = []
        self.answers: list[Any] = []  # results of calls the central system made
        self.charge_points: dict[str, CentralSystemChargePoint] = {}
        self.transaction_ids = itertools.count(1)
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ocpp"

    def drops(self, frame: Frame) -> bool:
        key = (frame.station_id, frame.action)
        if frame.action not in self.drop_on or key in self.dropped:
            return False
        self.dropped.add(key)
        return True

    def fail_if_told(self, action: str) -> None:
        number = self.calls_answered[action] = self.calls_answered.get(action, 0) + 1
        if action in self.failing_actions or number in self.failing_calls.get(action, ()):
            raise RuntimeError("the database is down")  # the library answers InternalError

    def authorize(self, id_tag: str) -> AuthorizationStatus:
        if id_tag in self.rejected_tags:
            return AuthorizationStatus.invalid
        return AuthorizationStatus.accepted

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(TIMEOUT_S):
            raise RuntimeError("the test central system did not start")

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(TIMEOUT_S)

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with serve(
            self._handle,
            "127.0.0.1",
            0,
            subprotocols=[Subprotocol(p) for p in self.subprotocols] or None,
            process_request=self._check,
        ) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            await self._stop.wait()

    def _check(self, connection: ServerConnection, request: Request) -> Response | None:
        self.handshakes.append(request.headers)
        if not request.path.startswith("/ocpp/"):
            return connection.respond(HTTPStatus.NOT_FOUND, "not an OCPP endpoint\n")
        station_id = request.path.removeprefix("/ocpp/")
        expected = None if self.password is None else basic_auth(station_id, self.password)
        if expected is not None and request.headers.get("Authorization") != expected:
            return connection.respond(HTTPStatus.UNAUTHORIZED, "wrong password\n")
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        station_id = ws.request.path.removeprefix("/ocpp/")
        cp = CentralSystemChargePoint(station_id, _RecordingConnection(ws, station_id, self), self)
        self.charge_points[station_id] = cp
        with contextlib.suppress(ConnectionClosed):
            await cp.start()

    async def command(self, station_id: str, payload: Any) -> Any:
        """Send a call to a connected station from the test's own event loop."""
        assert self._loop is not None
        cp = self.charge_points[station_id]
        return await asyncio.wrap_future(
            asyncio.run_coroutine_threadsafe(cp.call(payload), self._loop)
        )

    # -- reading what was received ---------------------------------------------------------

    def calls(self, action: str | None = None, station_id: str | None = None) -> list[Frame]:
        return [
            frame
            for frame in list(self.frames)
            if frame.is_call
            and (action is None or frame.action == action)
            and (station_id is None or frame.station_id == station_id)
        ]

    def actions(self, station_id: str | None = None) -> list[str]:
        return [frame.action for frame in self.calls(station_id=station_id)]

    def statuses(self, station_id: str | None = None, connector_id: int = 1) -> list[str]:
        return [
            frame.payload["status"]
            for frame in self.calls("StatusNotification", station_id)
            if frame.payload["connectorId"] == connector_id
        ]


@pytest.fixture
def central_system_factory() -> Iterator[Callable[..., CentralSystem]]:
    started: list[CentralSystem] = []

    def start(**options: Any) -> CentralSystem:
        system = CentralSystem(**options)
        system.start()
        started.append(system)
        return system

    yield start
    for system in started:
        system.stop()


@pytest.fixture
def central_system(central_system_factory: Callable[..., CentralSystem]) -> CentralSystem:
    return central_system_factory()


@pytest.fixture
def closed_port_url() -> str:
    """An OCPP URL on a loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"ws://127.0.0.1:{port}/ocpp"
