"""A station's WebSocket to the central system: the handshake with readable errors, frame
counting, and Calls that fail at once (not after a timeout) when the connection goes away."""

import asyncio
import base64
import contextlib
import logging
import ssl
from collections.abc import Callable
from typing import Any

from ocpp.exceptions import OCPPError
from ocpp.v16 import ChargePoint
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
from websockets.typing import Subprotocol

from fleetcharge.simulator.model import ConnectionFailed, ConnectionLost, NoAnswer, StationStats

OCPP16 = Subprotocol("ocpp1.6")
CLOSE_TIMEOUT_S = 2.0

_LOG = logging.getLogger(__name__)

_REFUSALS = {
    400: "HTTP 400 Bad Request (does it accept the ocpp1.6 subprotocol?)",
    401: "HTTP 401 Unauthorized (wrong or missing password for station {station})",
    403: "HTTP 403 Forbidden (station {station} may not connect)",
    404: "HTTP 404 Not Found (unknown station {station}, or not an OCPP endpoint)",
    429: "HTTP 429 Too Many Requests (too many failed logins from here, or new stations)",
    503: "HTTP 503 Service Unavailable (the central system is full or shutting down)",
}


def basic_auth(station_id: str, password: str) -> str:
    """The Authorization header of OCPP security profile 1."""
    token = base64.b64encode(f"{station_id}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


async def open_websocket(
    url: str,
    station_id: str,
    password: str | None,
    open_timeout_s: float,
    local_address: str | None = None,
    tls: ssl.SSLContext | None = None,
) -> ClientConnection:
    """Connect with subprotocol ocpp1.6 (from `local_address` when given, e.g. one of the
    127.0.0.0/8 loopback addresses); every way of failing is a `ConnectionFailed`."""
    headers = None if password is None else {"Authorization": basic_auth(station_id, password)}
    # No ssl argument at all, not ssl=None (which would turn TLS off for wss://).
    tls_option: dict[str, Any] = {} if tls is None else {"ssl": tls}
    try:
        ws = await connect(
            url,
            subprotocols=[OCPP16],
            additional_headers=headers,
            open_timeout=open_timeout_s,
            close_timeout=CLOSE_TIMEOUT_S,
            compression=None,  # charge stations rarely negotiate permessage-deflate
            proxy=None,
            local_addr=None if local_address is None else (local_address, 0),
            **tls_option,
        )
    except InvalidStatus as error:
        status = error.response.status_code
        reason = _REFUSALS.get(status, f"HTTP {status} {error.response.reason_phrase}")
        reason = reason.format(station=station_id)
        raise ConnectionFailed(
            f"{url}: the central system refused the connection: {reason}", status
        ) from None
    except InvalidURI as error:
        raise ConnectionFailed(f"invalid central system URL: {error}") from None
    except InvalidHandshake as error:
        raise ConnectionFailed(f"{url}: WebSocket handshake failed: {error}") from None
    except ConnectionRefusedError:
        raise ConnectionFailed(
            f"cannot reach {url}: connection refused (is the central system running?)"
        ) from None
    except TimeoutError:
        raise ConnectionFailed(
            f"cannot reach {url}: no answer within {open_timeout_s:g} s"
        ) from None
    except OSError as error:
        raise ConnectionFailed(f"cannot reach {url}: {error.strerror or error}") from None
    if ws.subprotocol != OCPP16:
        await ws.close()
        raise ConnectionFailed(f"{url}: the central system did not accept subprotocol ocpp1.6")
    return ws


class Wire:
    """The websocket as the ocpp library sees it (`send`/`recv` of text), counting frames."""

    def __init__(self, ws: ClientConnection, stats: StationStats) -> None:
        self._ws = ws
        self._stats = stats

    async def send(self, message: str) -> None:
        await self._ws.send(message)
        self._stats.frames_sent += 1

    async def recv(self) -> str:
        frame = await self._ws.recv()
        self._stats.frames_received += 1
        return frame if isinstance(frame, str) else frame.decode()


class Link:
    """One open connection, with the ocpp ChargePoint that reads it in a background task."""

    def __init__(
        self,
        ws: ClientConnection,
        handler: Callable[[Wire], ChargePoint],
        stats: StationStats,
        *,
        validate: bool = True,
        on_lost: Callable[["Link"], None] | None = None,
    ) -> None:
        self._ws = ws
        self._stats = stats
        self._validate = validate
        self._on_lost = on_lost
        self._closing = False
        self.charge_point = handler(Wire(ws, stats))
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        """Read until the connection ends; `on_lost` hears of an end that `close()` did not ask."""
        try:
            with contextlib.suppress(ConnectionClosed):
                await self.charge_point.start()
        finally:
            if not self._closing and self._on_lost is not None:
                self._on_lost(self)

    async def call(self, payload: Any) -> Any:
        """Send one Call: its result, or None when answered with a CallError (counted)."""
        action = type(payload).__name__
        self._stats.messages_sent += 1
        pending = asyncio.ensure_future(
            self.charge_point.call(
                payload, suppress=False, skip_schema_validation=not self._validate
            )
        )
        try:
            done, _ = await asyncio.wait(
                (pending, self._reader), return_when=asyncio.FIRST_COMPLETED
            )
        except asyncio.CancelledError:
            pending.cancel()
            raise
        if pending not in done:
            pending.cancel()
            raise self._lost(action)
        error = pending.exception()
        if error is None:
            return pending.result()
        if isinstance(error, OCPPError):
            self._stats.call_errors += 1
            _LOG.info("%s: %s answered with a CallError: %s", self.charge_point.id, action, error)
            return None
        if isinstance(error, TimeoutError):
            raise NoAnswer(f"{self.charge_point.id}: no answer to {action} in time") from None
        if isinstance(error, ConnectionClosed):
            raise self._lost(action) from None
        raise error

    def _lost(self, action: str) -> ConnectionLost:
        code, reason = self._ws.close_code, self._ws.close_reason
        detail = "" if code is None else f" (code {code}{': ' + reason if reason else ''})"
        return ConnectionLost(
            f"{self.charge_point.id}: the central system closed the connection{detail} "
            f"while the station was sending {action}"
        )

    async def close(self) -> None:
        self._closing = True
        await self._ws.close()
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)
