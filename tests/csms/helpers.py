"""A scripted charge station for tests: sends exact OCPP-J frames, returns the answers.

The central system's clock is a FakeClock the station sets before each frame, so every
message is received at a known time.
"""

import itertools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
from starlette.testclient import TestClient, WebSocketTestSession
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from fleetcharge.simulator.connection import basic_auth
from tests.factories import STATION_PASSWORD

SUBPROTOCOLS = ["ocpp1.6"]
# A test never waits longer than this for an answer (instead of hanging).
ANSWER_TIMEOUT_S = 10


def eventually(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll `check` until it returns something true (returned), failing after `timeout`."""
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return found


class FakeClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


def iso(moment: datetime) -> str:
    """A station timestamp: UTC with a Z."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def iso_ms(moment: datetime) -> str:
    """How the central system writes times (currentTime)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def receive_frame(ws: WebSocketTestSession) -> Any:
    """The next message from the server: a decoded frame, or the close message."""

    async def next_message() -> Any:
        with anyio.fail_after(ANSWER_TIMEOUT_S):
            return await ws._send_rx.receive()

    message = ws.portal.call(next_message)
    if message["type"] == "websocket.send":
        return json.loads(message["text"])
    return message


class Station:
    def __init__(self, ws: WebSocketTestSession, clock: FakeClock) -> None:
        self.ws = ws
        self.clock = clock
        self._ids = itertools.count(1)

    def send(self, frame: str) -> Any:
        """Send one raw text frame and return the answer."""
        self.ws.send_text(frame)
        return receive_frame(self.ws)

    def call(self, action: str, payload: Any, *, at: datetime | None = None) -> Any:
        """Send [2, id, action, payload] (received at `at` if given); the whole answer."""
        if at is not None:
            self.clock.at = at
        unique_id = str(next(self._ids))
        return self.send(json.dumps([2, unique_id, action, payload], separators=(",", ":")))

    def result(self, action: str, payload: Any, *, at: datetime | None = None) -> Any:
        """The CallResult payload of a call that must succeed."""
        answer = self.call(action, payload, at=at)
        assert answer[0] == 3, answer
        return answer[2]

    def start(
        self,
        id_tag: str,
        meter_start: int,
        at: datetime,
        *,
        connector: int = 1,
        sent: datetime | None = None,
    ) -> Any:
        """StartTransaction stamped `at`, received at `sent` (default: at)."""
        payload = {
            "connectorId": connector,
            "idTag": id_tag,
            "meterStart": meter_start,
            "timestamp": iso(at),
        }
        return self.result("StartTransaction", payload, at=sent or at)

    def stop(
        self,
        transaction_id: int,
        meter_stop: int,
        at: datetime,
        *,
        sent: datetime | None = None,
        **extra: Any,
    ) -> Any:
        payload = {
            "transactionId": transaction_id,
            "meterStop": meter_stop,
            "timestamp": iso(at),
            **extra,
        }
        return self.result("StopTransaction", payload, at=sent or at)

    def status(
        self, status: str, at: datetime, *, connector: int = 1, sent: datetime | None = None
    ) -> Any:
        payload = {
            "connectorId": connector,
            "errorCode": "NoError",
            "status": status,
            "timestamp": iso(at),
        }
        return self.result("StatusNotification", payload, at=sent or at)

    def meter(
        self,
        wh: str | int,
        at: datetime,
        *,
        connector: int = 1,
        transaction_id: int | None = None,
        unit: str | None = None,
        sent: datetime | None = None,
    ) -> Any:
        sampled: dict[str, Any] = {"value": str(wh), "measurand": "Energy.Active.Import.Register"}
        if unit is not None:
            sampled["unit"] = unit
        payload: dict[str, Any] = {
            "connectorId": connector,
            "meterValue": [{"timestamp": iso(at), "sampledValue": [sampled]}],
        }
        if transaction_id is not None:
            payload["transactionId"] = transaction_id
        return self.result("MeterValues", payload, at=sent or at)


@contextmanager
def connected(
    client: TestClient,
    identity: str,
    clock: FakeClock,
    *,
    password: str | None = STATION_PASSWORD,
) -> Iterator[Station]:
    """The station `identity` connected, sending `password` (None: no credentials)."""
    with client.websocket_connect(
        f"/ocpp/{identity}", subprotocols=SUBPROTOCOLS, headers=login(identity, password)
    ) as ws:
        assert ws.accepted_subprotocol == "ocpp1.6"
        yield Station(ws, clock)


def login(identity: str, password: str | None = STATION_PASSWORD) -> dict[str, str]:
    """The handshake headers of a station sending its password (none for None)."""
    return {} if password is None else {"Authorization": basic_auth(identity, password)}


OcppCall = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


@asynccontextmanager
async def station_socket(
    url: str, password: str | None = STATION_PASSWORD
) -> AsyncIterator[OcppCall]:
    """A station over a real WebSocket (a server in another process), sending `password`:
    `call(action, payload)` sends a numbered Call and returns its CallResult payload,
    answering the central system's own calls empty meanwhile."""
    identity = url.rsplit("/", 1)[-1]
    async with connect(
        url,
        subprotocols=[Subprotocol(SUBPROTOCOLS[0])],
        additional_headers=login(identity, password),
    ) as ws:
        serial = itertools.count(1)

        async def call(action: str, payload: dict[str, Any]) -> dict[str, Any]:
            unique_id = str(next(serial))
            await ws.send(json.dumps([2, unique_id, action, payload]))
            while True:
                message = json.loads(await ws.recv())
                if message[0] == 2:
                    await ws.send(json.dumps([3, message[1], {}]))
                    continue
                assert message[:2] == [3, unique_id], message
                return dict(message[2])

        yield call
