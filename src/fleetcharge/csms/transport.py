"""The WebSocket endpoint charge stations connect to: ws://host:port/ocpp/{identity}.

The handshake is refused before it is accepted (an HTTP status, no WebSocket) when the
station does not offer the `ocpp1.6` subprotocol (400), is unknown and auto-registration
is off (404), or does not prove its identity (401): its password with HTTP Basic auth, or a
client certificate naming it (see csms/tls.py); when its address failed too many logins, or
too many new stations were auto-registered (429); when the process holds its most
connections or handshakes (503, see bounds.py).
A second connection for a station identity wins: the older one is closed. On shutdown
every socket is closed with 1001 (going away), so that stations reconnect elsewhere.
"""

import base64
import binascii
import contextlib
import logging
import math
from datetime import timedelta

import anyio
import anyio.to_thread
from fastapi import APIRouter, WebSocket
from sqlalchemy import Engine
from starlette.responses import PlainTextResponse
from starlette.websockets import WebSocketDisconnect, WebSocketState

from fleetcharge.csms import admission
from fleetcharge.csms.admission import AdmissionPolicy
from fleetcharge.csms.bounds import ConnectionBounds, Slot
from fleetcharge.csms.clock import ClockPolicy
from fleetcharge.csms.handlers import StationHandlers
from fleetcharge.csms.local_list_sync import LocalListSync
from fleetcharge.csms.login_throttle import LoginThrottle
from fleetcharge.csms.open_transaction_expiry import OpenTransactionExpiry
from fleetcharge.csms.presence_events import PresenceEvents
from fleetcharge.csms.protocol import ConnectionClosed
from fleetcharge.csms.recent_messages import RecentMessages
from fleetcharge.csms.redis_routing import RedisRouter
from fleetcharge.csms.refusal_log import RefusalLog
from fleetcharge.csms.registration import AutoRegistration
from fleetcharge.csms.registry import ConnectionRegistry, LiveConnection
from fleetcharge.csms.routing import InProcessRouter, StationRouter
from fleetcharge.csms.schemas import Credentials, Rejection, StationRef
from fleetcharge.csms.station_side import CentralSystemConfig
from fleetcharge.csms.tls import certificate_name
from fleetcharge.db import unit_of_work
from fleetcharge.ratelimit.policy import parse_limits
from fleetcharge.ratelimit.service import make_storage
from fleetcharge.settings import Settings
from fleetcharge.station_security.policy import SecurityPolicy

logger = logging.getLogger(__name__)

SUBPROTOCOL = "ocpp1.6"
# Sent to a connection replaced by a newer one of the same station.
REPLACED = (1000, "replaced by a new connection")
GOING_AWAY = (1001, "server shutting down")
INTERNAL_ERROR = 1011
ADMISSION_THREADS = 2
# How long shutdown waits for the stations' sockets to be closed.
CLOSE_TIMEOUT_S = 5.0
# A handshake waits no longer than this for Redis (login counts, new-station budget).
REDIS_TIMEOUT_S = 2.0

router = APIRouter()


class SocketAdapter:
    """The `recv()` / `send()` connection the ocpp library expects, over Starlette's socket."""

    def __init__(self, websocket: WebSocket, recent: RecentMessages) -> None:
        self.websocket = websocket
        self.live: LiveConnection | None = None
        self.recent = recent

    async def recv(self) -> str:
        message = await self.websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise ConnectionClosed(message.get("code"))
        text = message.get("text")
        if text is None:
            # OCPP-J frames are text; a binary one is read as text (and is then most
            # likely answered with a FormatViolation).
            text = (message.get("bytes") or b"").decode("utf-8", errors="replace")
        if self.live is not None:
            self.live.seen()
            self.recent.record(self.live.station_id, "in", text)
        return str(text)

    async def send(self, message: str) -> None:
        if self.live is not None:
            self.recent.record(self.live.station_id, "out", message)
        try:
            await self.websocket.send_text(message)
        except WebSocketDisconnect as gone:
            raise ConnectionClosed(gone.code) from None


class CentralSystem:
    """Admits stations, runs their conversations and knows which are connected."""

    def __init__(self, config: CentralSystemConfig, settings: Settings) -> None:
        self.config = config
        # Counts shared by every process through Redis when configured (else in-process).
        counts = make_storage(settings.redis_url, settings.redis_key_prefix, REDIS_TIMEOUT_S)
        auto_register = AutoRegistration.configured(
            settings.ocpp_auto_register_location, settings.ocpp_auto_register_limit, counts
        )
        self.policy = AdmissionPolicy(auto_register, settings.ocpp_allow_unauthenticated)
        self.registry = ConnectionRegistry()
        self.router = router_for(self.registry, settings)
        self.presence_events = PresenceEvents(config.engine, self.router)
        self.closing = False
        self.logins = LoginThrottle(counts)
        self.bounds = ConnectionBounds.configured(settings)
        self.refusals = RefusalLog(logger)
        self.admissions: anyio.CapacityLimiter | None = None
        self.recent = RecentMessages(config.engine, settings.ocpp_recent_messages)
        hours = settings.ocpp_open_transaction_expiry_hours
        self.expiry_after = timedelta(hours=hours) if hours > 0 else None
        self.expiry: OpenTransactionExpiry | None = None
        self.local_lists = LocalListSync(
            lambda: self.config, self.registry, settings.ocpp_local_list_seconds
        )

    async def start(self) -> None:
        self.closing = False
        if self.policy.allow_unauthenticated:
            logger.warning(
                "FLEETCHARGE_OCPP_ALLOW_UNAUTHENTICATED is on: a client may connect as any "
                "charge station that has no password, and charge in its name"
            )
        # Password hashes (scrypt) run on these threads, not those station messages use: a
        # flood of handshakes waits its turn instead of slowing every station down.
        self.admissions = anyio.CapacityLimiter(ADMISSION_THREADS)
        await self.config.journal.start()
        await self.router.start()
        await self.recent.start()
        # Made here: tests replace the configuration's clock after __init__.
        self.expiry = OpenTransactionExpiry(self.config.engine, self.expiry_after, self.config.now)
        self.expiry.start()
        self.local_lists.start()

    async def shutdown(self) -> None:
        await self.local_lists.stop()
        await self.close_connections()
        await self.config.journal.stop()
        await self.router.stop()
        await self.recent.stop()
        if self.expiry is not None:
            await self.expiry.stop()
        self.config.close()

    async def close_connections(self) -> None:
        """Refuse new stations and close every socket with 1001 (bounded in time)."""
        self.closing = True
        for live in self.registry:
            live.disconnect(*GOING_AWAY)
        with anyio.move_on_after(CLOSE_TIMEOUT_S):
            while len(self.registry):
                await anyio.sleep(0.01)

    async def serve(self, websocket: WebSocket, identity: str) -> None:
        address = websocket.client.host if websocket.client else ""
        slot = self.bounds.open(address)
        if isinstance(slot, Rejection):
            self._refused(identity, address, slot.status_code, slot.reason)
            await _refuse(websocket, slot.status_code, slot.reason)
            return
        try:
            await self._serve(websocket, identity, slot)
        finally:
            self.logins.settle()
            slot.close()

    def _refused(self, identity: str, address: str, status: int, reason: str) -> None:
        self.refusals.warning(
            status, "refused charge station %r from %s: %s", identity, address, reason
        )

    async def _serve(self, websocket: WebSocket, identity: str, slot: Slot) -> None:
        if self.closing:
            await _refuse(websocket, 503, "the server is shutting down")
            return
        if SUBPROTOCOL not in websocket.scope.get("subprotocols", ()):
            await _refuse(websocket, 400, f"subprotocol {SUBPROTOCOL} required")
            return
        address = slot.address
        wait = await self.logins.wait(identity, address)
        if wait:
            self._refused(identity, address, 429, "too many failed logins")
            await _refuse(
                websocket, 429, f"too many failed logins: try again in {math.ceil(wait)} s"
            )
            return
        credentials = Credentials(
            basic_credentials(websocket.headers.get("authorization")),
            certificate_name(websocket.scope),
        )
        admitted = await anyio.to_thread.run_sync(
            self._admit, identity, credentials, limiter=self.admissions
        )
        if isinstance(admitted, Rejection):
            if admitted.status_code == 401 and credentials != Credentials():
                # A wrong password, not a first try without one (some stations wait for
                # the challenge before they send theirs).
                await self.logins.failed(identity, address)
            self._refused(identity, address, admitted.status_code, admitted.reason)
            await _refuse(websocket, admitted.status_code, admitted.reason)
            return
        await self.logins.succeeded(identity, address)
        slot.authenticated()
        await websocket.accept(subprotocol=SUBPROTOCOL)
        await self._converse(websocket, admitted)

    def _admit(self, identity: str, credentials: Credentials) -> StationRef | Rejection:
        with unit_of_work(self.config.engine) as db:
            return admission.admit_station(db, identity, credentials, self.policy)

    async def _converse(self, websocket: WebSocket, station: StationRef) -> None:
        adapter = SocketAdapter(websocket, self.recent)
        handlers = StationHandlers(station, adapter, self.config)
        close_code, close_reason = 1000, ""
        scope = anyio.CancelScope()

        def disconnect(code: int, reason: str) -> None:
            nonlocal close_code, close_reason
            close_code, close_reason = code, reason
            scope.cancel()

        live = adapter.live = LiveConnection(station.identity, station.id, handlers, disconnect)
        previous = self.registry.attach(live)
        if previous is not None:
            logger.info(
                "charge station %s reconnected; closing its older connection", live.identity
            )
            previous.disconnect(*REPLACED)
        self.router.attached(live)
        logger.info("charge station %s connected", station.identity)
        if previous is None:
            await self.presence_events.online(station.id, handlers.connected_at)
        try:
            with scope:
                try:
                    await handlers.start()
                except (ConnectionClosed, WebSocketDisconnect):
                    pass
                except Exception:
                    logger.exception("charge station %s: connection failed", station.identity)
                    close_code, close_reason = INTERNAL_ERROR, "internal error"
            live.mark_closed()  # commands waiting on it fail now, not after the close
            logger.info("charge station %s disconnected", station.identity)
            await _close(websocket, close_code, close_reason)
        finally:
            # Once the close frame is out: shutdown waits for the registry to empty.
            live.mark_closed()
            if self.registry.detach(live):
                self.router.detached(live)
                await self.presence_events.offline(station.identity, station.id, self.config.now())


async def _refuse(websocket: WebSocket, status_code: int, reason: str) -> None:
    headers = {"WWW-Authenticate": 'Basic realm="OCPP"'} if status_code == 401 else None
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(
            PlainTextResponse(reason, status_code=status_code, headers=headers)
        )
    else:
        await websocket.close(code=1008, reason=reason)


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    if websocket.client_state is WebSocketState.DISCONNECTED:
        return
    if websocket.application_state is WebSocketState.DISCONNECTED:
        return
    with contextlib.suppress(RuntimeError, OSError):
        await websocket.close(code=code, reason=reason)


@router.websocket("/ocpp/{identity}")
async def ocpp_endpoint(websocket: WebSocket, identity: str) -> None:
    central: CentralSystem = websocket.app.state.central_system
    await central.serve(websocket, identity)


class _RefusalNoise(logging.Filter):
    """uvicorn (0.54, websockets-sansio) logs "ASGI callable returned without completing
    handshake." at ERROR after every handshake refused with an HTTP response, although the
    response was sent; refusals are logged above, as a warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "ASGI callable returned without completing handshake."


def _quiet_refusals() -> None:
    uvicorn_errors = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _RefusalNoise) for f in uvicorn_errors.filters):
        uvicorn_errors.addFilter(_RefusalNoise())


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(username, password) from an `Authorization: Basic ...` header, else None."""
    if header is None:
        return None
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (ValueError, binascii.Error):
        return None
    username, colon, password = decoded.partition(":")
    return (username, password) if colon else None


def central_system_for(engine: Engine, settings: Settings) -> CentralSystem:
    _quiet_refusals()
    policy = ClockPolicy(
        max_future=timedelta(minutes=settings.ocpp_max_clock_skew_minutes),
        max_past=timedelta(days=settings.ocpp_max_offline_days),
    )
    config = CentralSystemConfig(
        engine,
        policy,
        settings.ocpp_heartbeat_interval,
        command_timeout=settings.ocpp_command_timeout_seconds,
        authorize_limit=parse_limits(
            settings.ocpp_authorize_limit, parameter="FLEETCHARGE_OCPP_AUTHORIZE_LIMIT"
        ),
        journal_dir=settings.ocpp_journal_dir,
        reserved_transaction_ids=settings.ocpp_outage_transaction_ids,
        read_configuration_on_boot=settings.ocpp_read_configuration_on_boot,
        security=SecurityPolicy.from_settings(settings),
    )
    return CentralSystem(config, settings)


def router_for(registry: ConnectionRegistry, settings: Settings) -> StationRouter:
    if settings.redis_url:
        return RedisRouter(
            registry,
            settings.ocpp_command_timeout_seconds,
            settings.redis_url,
            settings.redis_key_prefix,
            settings.ocpp_registry_refresh_seconds,
        )
    return InProcessRouter(registry, settings.ocpp_command_timeout_seconds)
