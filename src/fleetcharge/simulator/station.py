"""One simulated OCPP 1.6J charge station: connects, boots, replays planned sessions on its
timeline (see `timeline`) and answers the central system's commands (see `commands`)."""

import asyncio
import math
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from ocpp.v16 import call
from ocpp.v16.enums import (
    AvailabilityStatus,
    AvailabilityType,
    ChargePointStatus,
    DiagnosticsStatus,
    FirmwareStatus,
    MessageTrigger,
    ReadingContext,
    Reason,
    RegistrationStatus,
    ResetType,
)

from fleetcharge.simulator.commands import CommandHandler, Configuration
from fleetcharge.simulator.connection import Wire
from fleetcharge.simulator.curves import (
    VEHICLES,
    ChargeSpec,
    ChargingCurve,
    CurrentType,
    Evse,
)
from fleetcharge.simulator.local_auth import LocalAuth, now_utc
from fleetcharge.simulator.model import (
    BootRejected,
    SessionReport,
    SimulatorError,
    StationConfig,
    StationStats,
)
from fleetcharge.simulator.profiles import ProfileStack
from fleetcharge.simulator.readings import register_meter_value
from fleetcharge.simulator.security import StationSecurity
from fleetcharge.simulator.timeline import SessionPlan, StationClock, timeline_length
from fleetcharge.simulator.transactions import ActiveSession, SessionReplay
from fleetcharge.simulator.uplink import Uplink

REBOOT_S = 20  # simulated seconds a reset takes
# What a remotely started session charges: a mid-size car from 30 to 80 % at 11 kW AC.
REMOTE_CHARGE = ChargeSpec(VEHICLES[1], Evse(CurrentType.AC, max_kw=22, phases=3), 30, 80)


class SimulatedStation(SessionReplay):
    """A charge station with `config.connectors` connectors on one OCPP connection.

    `run(plans)` connects, boots and replays the plans; `run_session(plan)` replays one session
    that ends now and stays connected; `async with station:` just connects and boots (on the
    real-time clock), for driving it with commands from a test. Its connection, and how it
    comes back after being lost, is the `uplink`'s.
    """

    def __init__(
        self, config: StationConfig, *, connect_limit: asyncio.Semaphore | None = None
    ) -> None:
        self.config = config
        self.stats = StationStats()
        self.reports: list[SessionReport] = []
        self.clock = StationClock.real_time()
        self.configuration = Configuration(config)
        self.firmware_version = config.firmware_version  # a firmware update changes it
        self._register_wh = config.initial_register_wh
        self._status = {c: ChargePointStatus.available for c in range(1, config.connectors + 1)}
        self._inoperative: set[int] = set()
        self._scheduled: dict[int, AvailabilityType] = {}
        self._active: dict[int, ActiveSession] = {}
        self.profiles = ProfileStack()
        self._authorised: set[str] = set()  # the authorization cache
        self.local_auth = LocalAuth()
        self.uplink = Uplink(config, self.stats, self._handler, connect_limit)
        self.security = StationSecurity(
            config.station_id, config.cpo_name, self._call, lambda: self.clock.stamp(self._now_s())
        )
        self.uplink.tls = lambda: self.security.tls_context(config.server_ca_file)
        self._reboot: asyncio.Task[None] | None = None
        self._gate = asyncio.Lock()  # held by a session, or by a reboot
        self._next_event_s = math.inf

    @property
    def endpoint(self) -> str:
        return self.uplink.endpoint

    def status(self, connector_id: int) -> ChargePointStatus:
        return self._status[connector_id]

    async def __aenter__(self) -> "SimulatedStation":
        await self.connect()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def connect(self) -> None:
        """Open the websocket, BootNotification, then each connector's status."""
        await self.uplink.open()
        try:
            interval = await self._boot()
        except BaseException:
            await self.uplink.close()
            raise
        self.uplink.online()
        self.configuration.values["HeartbeatInterval"] = str(interval)
        self.restart_heartbeat()
        for connector in self.connectors:
            await self._set_status(connector, self._idle_status(connector), self._now_s())

    async def close(self) -> None:
        reboot = self._reboot
        if reboot is not None and reboot is not asyncio.current_task():
            reboot.cancel()
            await asyncio.gather(reboot, return_exceptions=True)
        await self.uplink.close()

    async def run(
        self,
        plans: Sequence[SessionPlan],
        on_session: Callable[[SessionReport], None] | None = None,
    ) -> list[SessionReport]:
        """Connect, replay the planned sessions one after another, disconnect."""
        self.clock = StationClock.start(self.config.speed, timeline_length(plans))
        if plans:  # the boot's statuses come before the first session, however long it takes
            self._next_event_s = plans[0].plug_in_s
        async with self:
            for plan in plans:
                report = await self._replay(plan)
                if on_session is not None:
                    on_session(report)
            self._next_event_s = math.inf
        return self.reports

    async def run_session(self, plan: SessionPlan) -> SessionReport:
        """Replay one session on a timeline of its own that ends as it is sent, so its timestamps
        are at most the session's length in the past; connect first if need be, stay connected."""
        self.clock = StationClock.start(self.config.speed, timeline_length([plan]))
        self._next_event_s = plan.plug_in_s
        if not self.uplink.connected:
            await self.connect()
        report = await self._replay(plan)
        self._next_event_s = math.inf
        return report

    @property
    def charging_connectors(self) -> list[int]:
        """Connectors with a session under way (plugged in, or in a transaction)."""
        return list(self._active)

    async def _replay(self, plan: SessionPlan) -> SessionReport:
        await self._sleep_until(plan.plug_in_s)
        async with self._gate:
            await self.uplink.wait_online()
            report = await self._session(plan)
        self.reports.append(report)
        return report

    # -- connection ------------------------------------------------------------------------

    def _handler(self, wire: Wire) -> CommandHandler:
        return CommandHandler(self.station_id, self, wire, self.config.response_timeout_s)

    async def _boot(self) -> int:
        request = call.BootNotification(
            charge_point_model=self.config.model,
            charge_point_vendor=self.config.vendor,
            firmware_version=self.firmware_version,
        )
        while True:
            result = await self.uplink.request(request)
            if result is None:
                raise BootRejected(f"{self.station_id}: BootNotification answered with a CallError")
            if result.status == RegistrationStatus.accepted:
                self.stats.boots += 1
                return int(result.interval)
            if result.status == RegistrationStatus.rejected:
                raise BootRejected(
                    f"{self.station_id}: the central system rejected BootNotification"
                )
            await asyncio.sleep(max(1, int(result.interval)))  # Pending: ask again later

    async def _reboot_now(self, kind: ResetType) -> None:
        reason = Reason.hard_reset if kind == ResetType.hard else Reason.soft_reset
        for session in list(self._active.values()):
            session.stop(reason)
        try:
            async with self._gate:  # once the running session has sent StopTransaction
                await self.uplink.close()
                await asyncio.sleep(REBOOT_S / self.config.speed)
                await self.connect()
                if self.config.security_events:
                    await self.security.notify("ResetOrReboot", f"{kind} reset")
        except SimulatorError as error:
            self.uplink.fail(error)

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        self.uplink.spawn(coroutine)

    async def send(self, payload: Any) -> Any:
        """A Call of the station's own (a status notification); its answer."""
        return await self._call(payload)

    def install_firmware(self, version: str) -> None:
        """Reboot with new firmware: its BootNotification reports `version`."""
        self.firmware_version = version
        self.request_reset(ResetType.hard)

    def restart_heartbeat(self) -> None:
        self.uplink.restart_heartbeat(self.configuration.heartbeat_interval_s)

    # -- what the command handler asks of the station --------------------------------------

    def has_connector(self, connector_id: int) -> bool:
        return connector_id in self._status

    def has_transaction(self, transaction_id: int) -> bool:
        return any(s.transaction_id == transaction_id for s in self._active.values())

    def stop_transaction(self, transaction_id: int, reason: Reason) -> None:
        for session in self._active.values():
            if session.transaction_id == transaction_id:
                session.stop(reason)

    def stop_connector(self, connector_id: int, reason: Reason) -> None:
        session = self._active.get(connector_id)
        if session is not None:
            session.stop(reason)

    def remote_start_connector(self, connector_id: int | None) -> int | None:
        """The connector a RemoteStartTransaction would charge on: the one asked for if it
        is free and operative, else the first such one; None: Rejected."""
        free = [c for c in self.connectors if c not in self._active and c not in self._inoperative]
        if connector_id is None:
            return free[0] if free else None
        return connector_id if connector_id in free else None

    def start_remote(self, id_tag: str, connector_id: int) -> None:
        """Charge `id_tag` on the connector from now on, as if the driver had plugged in."""
        plug_in = math.ceil(self._now_s())
        plan = SessionPlan(connector_id, id_tag, plug_in, 0, ChargingCurve(REMOTE_CHARGE), 0)
        self._active[connector_id] = ActiveSession(plan, connector_id, remote=True)  # taken
        self.spawn(self._remote_session(plan))

    async def _remote_session(self, plan: SessionPlan) -> None:
        del self._active[plan.connector_id]  # _session takes it again
        self.reports.append(await self._session(plan, remote=True))

    def clear_cache(self) -> None:
        self._authorised.clear()

    def request_reset(self, kind: ResetType) -> None:
        if self._reboot is None or self._reboot.done():
            self._reboot = asyncio.create_task(self._reboot_now(kind))

    def change_availability(self, connector_id: int, kind: AvailabilityType) -> AvailabilityStatus:
        """Apply now to idle connectors, after the session to busy ones (Scheduled)."""
        if connector_id != 0 and connector_id not in self._status:
            return AvailabilityStatus.rejected
        targets = self.connectors if connector_id == 0 else [connector_id]
        for connector in targets:
            if connector in self._active:
                self._scheduled[connector] = kind
            else:
                self._apply_availability(connector, kind)
        if any(c in self._active for c in targets):
            return AvailabilityStatus.scheduled
        return AvailabilityStatus.accepted

    def announce_idle_statuses(self) -> None:
        """StatusNotification for idle connectors whose availability changed."""
        for connector in self.connectors:
            wanted = self._idle_status(connector)
            if connector not in self._active and self._status[connector] != wanted:
                self.spawn(self._set_status(connector, wanted, self._now_s()))

    async def send_triggered(self, message: MessageTrigger, connector_id: int | None) -> None:
        targets = self.connectors if not connector_id else [connector_id]
        if message == MessageTrigger.boot_notification:
            await self._call(
                call.BootNotification(
                    charge_point_model=self.config.model,
                    charge_point_vendor=self.config.vendor,
                    firmware_version=self.firmware_version,
                )
            )
        elif message == MessageTrigger.heartbeat:
            await self._call(call.Heartbeat())
        elif message == MessageTrigger.status_notification:
            for connector in targets:
                await self._set_status(connector, self._status[connector], self._now_s())
        elif message == MessageTrigger.meter_values:
            for connector in targets:
                await self._triggered_meter_values(connector)
        elif message == MessageTrigger.diagnostics_status_notification:
            await self._call(call.DiagnosticsStatusNotification(status=DiagnosticsStatus.idle))
        elif message == MessageTrigger.firmware_status_notification:
            await self._call(call.FirmwareStatusNotification(status=FirmwareStatus.idle))

    async def _triggered_meter_values(self, connector: int) -> None:
        offset = self._now_s()
        session = self._active.get(connector)
        if session is not None and session.transaction_id is not None:
            elapsed = max(0.0, offset - session.plan.start_s)
            charge = session.charge
            reading = (charge or session.plan.curve).reading(elapsed)
            await self._meter_values(session, offset, reading, ReadingContext.trigger)
            return
        register = register_meter_value(
            self.clock.stamp(offset), self._register_wh, ReadingContext.trigger
        )
        await self._call(call.MeterValues(connector_id=connector, meter_value=[register]))

    def _apply_availability(self, connector: int, kind: AvailabilityType) -> None:
        if kind == AvailabilityType.inoperative:
            self._inoperative.add(connector)
        else:
            self._inoperative.discard(connector)

    def _idle_status(self, connector: int) -> ChargePointStatus:
        """The status a connector falls back to once free, applying a Scheduled change."""
        scheduled = self._scheduled.pop(connector, None)
        if scheduled is not None:
            self._apply_availability(connector, scheduled)
        if connector in self._inoperative:
            return ChargePointStatus.unavailable
        if self.local_auth.reserved_for(connector, now_utc()) is not None:
            return ChargePointStatus.reserved
        return ChargePointStatus.available
