"""One simulated OCPP 1.6J charge station: connects, boots, replays planned sessions on its
timeline (see `timeline`) and answers the central system's commands (see `commands`)."""

import asyncio
import contextlib
import math
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from ocpp.v16 import call
from ocpp.v16.datatypes import MeterValue
from ocpp.v16.enums import (
    AuthorizationStatus,
    AvailabilityStatus,
    AvailabilityType,
    ChargePointErrorCode,
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
    MeterSample,
)
from fleetcharge.simulator.local_auth import LocalAuth, now_utc
from fleetcharge.simulator.model import (
    BootRejected,
    NoAnswer,
    RegisterMode,
    SessionOutcome,
    SessionReport,
    SimulatorError,
    StationConfig,
    StationStats,
)
from fleetcharge.simulator.readings import register_meter_value, sampled_meter_value
from fleetcharge.simulator.security import StationSecurity
from fleetcharge.simulator.timeline import UNPLUG_S, SessionPlan, StationClock, timeline_length
from fleetcharge.simulator.uplink import Uplink

REBOOT_S = 20  # simulated seconds a reset takes
# What a remotely started session charges: a mid-size car from 30 to 80 % at 11 kW AC.
REMOTE_CHARGE = ChargeSpec(VEHICLES[1], Evse(CurrentType.AC, max_kw=22, phases=3), 30, 80)


@dataclass(eq=False)
class _ActiveSession:
    plan: SessionPlan
    connector_id: int
    meter_start: int = 0
    transaction_id: int | None = None
    stop_reason: Reason | None = None
    remote: bool = False  # started by RemoteStartTransaction
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def stop(self, reason: Reason) -> None:
        if self.stop_reason is None:
            self.stop_reason = reason
            self.wake.set()


class SimulatedStation:
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
        self._active: dict[int, _ActiveSession] = {}
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
    def station_id(self) -> str:
        return self.config.station_id

    @property
    def endpoint(self) -> str:
        return self.uplink.endpoint

    @property
    def connectors(self) -> list[int]:
        return list(self._status)

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

    async def _call(self, payload: Any) -> Any:
        return await self.uplink.call(payload)

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

    # -- time ------------------------------------------------------------------------------

    def _now_s(self) -> float:
        """Timeline offset for messages not in the plan: never past the next planned event, so
        timestamps stay in order when sending lags behind a fast timeline."""
        return min(self.clock.offset_now(), self._next_event_s)

    async def _sleep_until(self, offset_s: float) -> None:
        self._next_event_s = offset_s
        delay = self.clock.delay_until(offset_s)
        if delay > 0:
            await asyncio.sleep(delay)

    async def _wait(self, session: _ActiveSession, offset_s: float) -> bool:
        """Wait until `offset_s` is due; True when the session was asked to stop."""
        self._next_event_s = offset_s
        delay = self.clock.delay_until(offset_s)
        if session.stop_reason is None and delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(session.wake.wait(), delay)
        return session.stop_reason is not None

    def _interrupted_at(self, next_offset_s: float) -> float:
        return min(self.clock.offset_now(), next_offset_s)

    # -- sessions --------------------------------------------------------------------------

    async def _session(self, plan: SessionPlan, *, remote: bool = False) -> SessionReport:
        connector = plan.connector_id if remote else self._free_connector(plan.connector_id)
        report = SessionReport(
            station_id=self.station_id,
            connector_id=connector or plan.connector_id,
            id_tag=plan.id_tag,
            planned_energy_wh=int(plan.curve.energy_wh),
        )
        if connector is None:
            report.outcome = SessionOutcome.SKIPPED
            return report
        session = _ActiveSession(plan, connector, remote=remote)
        self._active[connector] = session
        try:
            await self._transaction(session, report)
        finally:
            del self._active[connector]
        if report.outcome is SessionOutcome.COMPLETED:
            self.stats.sessions_completed += 1
            self.stats.energy_wh += report.energy_wh
            if report.stop_reason != Reason.ev_disconnected:
                self.stats.sessions_stopped_early += 1
        return report

    def _free_connector(self, preferred: int) -> int | None:
        if preferred in self._status and preferred not in self._inoperative:
            return preferred
        return next((c for c in self.connectors if c not in self._inoperative), None)

    async def _transaction(self, session: _ActiveSession, report: SessionReport) -> None:
        plan, connector = session.plan, session.connector_id
        await self._set_status(connector, ChargePointStatus.preparing, plan.plug_in_s)
        if await self._wait(session, plan.start_s):
            report.outcome = SessionOutcome.ABORTED
            await self._leave(session, self._interrupted_at(plan.start_s))
            return
        reservation = self.local_auth.reservation(connector, plan.id_tag, now_utc())
        if self.local_auth.refuses(connector, plan.id_tag, now_utc()):
            authorised: AuthorizationStatus | None = AuthorizationStatus.invalid  # reserved
        elif session.remote and not self.configuration.authorize_remote_starts:
            authorised = AuthorizationStatus.accepted
        else:
            authorised = await self._authorize(plan.id_tag)
        if authorised != AuthorizationStatus.accepted:
            if authorised is not None:
                self.stats.rejected_authorisations += 1
                report.outcome = SessionOutcome.REJECTED
            await self._leave(session, plan.start_s)
            return
        lifetime = self.config.register is RegisterMode.LIFETIME
        session.meter_start = self._register_wh if lifetime else 0
        started = await self._transaction_message(
            call.StartTransaction(
                connector_id=connector,
                id_tag=plan.id_tag,
                meter_start=session.meter_start,
                timestamp=self.clock.stamp(plan.start_s),
                reservation_id=reservation.reservation_id if reservation else None,
            )
        )
        if reservation is not None:
            self.local_auth.used(reservation)
        if started is None:
            await self._leave(session, plan.start_s)
            return
        session.transaction_id = report.transaction_id = int(started.transaction_id)
        report.meter_start, report.started_at = session.meter_start, self.clock.at(plan.start_s)
        accepted = self._remember(plan.id_tag, started.id_tag_info["status"])
        if not accepted:
            self.stats.rejected_authorisations += 1
            if self.configuration.stop_on_invalid_id:
                session.stop(Reason.de_authorized)
        if session.stop_reason is Reason.de_authorized:
            stop_at: float = plan.start_s
        else:
            await self._set_status(connector, ChargePointStatus.charging, plan.start_s)
            stop_at = await self._charge(session)
        if not await self._stop(session, stop_at, report):
            return  # the central system never took the StopTransaction: FAILED
        report.outcome = SessionOutcome.COMPLETED if accepted else SessionOutcome.REJECTED

    async def _authorize(self, id_tag: str) -> AuthorizationStatus | None:
        """The central system's answer to Authorize; when it answers with a CallError (it
        cannot decide, e.g. its database is down), the authorization cache's: Accepted for
        a tag accepted before, as stations with LocalAuthorizeOffline do; else None."""
        values = self.configuration.values
        listed = values["LocalAuthListEnabled"] == "true" and self.local_auth.accepts(
            id_tag, now_utc()
        )
        if listed and values["LocalPreAuthorize"] == "true":
            return AuthorizationStatus.accepted  # the local list's word, not asking
        answer = await self._call(call.Authorize(id_tag=id_tag))
        if answer is None:
            cached = self.configuration.authorization_cache and id_tag in self._authorised
            return AuthorizationStatus.accepted if cached or listed else None
        status = AuthorizationStatus(answer.id_tag_info["status"])
        self._remember(id_tag, status)
        return status

    def _remember(self, id_tag: str, status: str) -> bool:
        """Keep the tag's latest status in the authorization cache; True when Accepted."""
        if status == AuthorizationStatus.accepted:
            self._authorised.add(id_tag)
            return True
        self._authorised.discard(id_tag)
        return False

    async def _transaction_message(self, payload: Any) -> Any:
        """Send a transaction message as OCPP 1.6 asks (section 4.10): after a CallError or no
        answer, again until TransactionMessageAttempts have been made, waiting
        TransactionMessageRetryInterval times the attempts so far; then it is dropped (None).
        A lost connection is no attempt: with `reconnect_s` it is sent again once back."""
        attempts = self.configuration.transaction_message_attempts
        for attempt in range(1, attempts + 1):
            try:
                answer = await self._call(payload)
            except NoAnswer:
                answer = None
            if answer is not None or attempt == attempts:
                return answer
            self.stats.transaction_retries += 1
            await asyncio.sleep(self.configuration.transaction_message_retry_interval_s * attempt)
        return None

    async def _charge(self, session: _ActiveSession) -> float:
        """Send the planned MeterValues and SuspendedEV; the offset at which the car leaves."""
        plan, connector = session.plan, session.connector_id
        events: list[tuple[int, MeterSample | None]] = [(plan.charging_end_s, None)]
        interval = self.configuration.sample_interval_s
        if interval > 0:
            samples = plan.curve.samples(interval, plan.parked_s)
            events += [(plan.start_s + sample.offset_s, sample) for sample in samples]
        events.sort(key=lambda event: (event[0], event[1] is None))
        for offset, sample in events:
            if await self._wait(session, offset):
                return self._interrupted_at(offset)
            if sample is None:
                await self._set_status(connector, ChargePointStatus.suspended_ev, offset)
            else:
                await self._meter_values(session, offset, sample, ReadingContext.sample_periodic)
        if await self._wait(session, plan.stop_s):
            return self._interrupted_at(plan.stop_s)
        return plan.stop_s

    async def _stop(self, session: _ActiveSession, offset: float, report: SessionReport) -> bool:
        """StopTransaction, then the connector's statuses; False when it was never answered."""
        plan, connector = session.plan, session.connector_id
        reason = session.stop_reason or Reason.ev_disconnected
        energy = int(plan.curve.energy_at(offset - plan.start_s))
        meter_stop = session.meter_start + energy
        stopped = await self._transaction_message(
            call.StopTransaction(
                meter_stop=meter_stop,
                timestamp=self.clock.stamp(offset),
                transaction_id=session.transaction_id,
                reason=reason,
                id_tag=plan.id_tag,
                transaction_data=self._transaction_data(session, offset, meter_stop),
            )
        )
        if self.config.register is RegisterMode.LIFETIME:
            self._register_wh = meter_stop
        report.meter_stop, report.energy_wh = meter_stop, energy
        report.stop_reason, report.stopped_at = reason, self.clock.at(offset)
        if reason in (Reason.soft_reset, Reason.hard_reset):
            return stopped is not None  # the reboot reports every connector after its boot
        await self._set_status(connector, ChargePointStatus.finishing, offset)
        if reason != Reason.ev_disconnected:  # the cable is still in: wait for the driver
            offset += UNPLUG_S
            await self._sleep_until(offset)
        await self._set_status(connector, self._idle_status(connector), offset)
        return stopped is not None

    async def _leave(self, session: _ActiveSession, offset: float) -> None:
        """The driver unplugs without a transaction (rejected card, reset, unlock)."""
        if session.stop_reason not in (Reason.soft_reset, Reason.hard_reset):
            connector = session.connector_id
            await self._set_status(connector, self._idle_status(connector), offset)

    def _transaction_data(
        self, session: _ActiveSession, offset: float, meter_stop: int
    ) -> list[MeterValue] | None:
        if not self.config.transaction_data:
            return None
        return [
            register_meter_value(self.clock.stamp(when), wh, context)
            for when, wh, context in (
                (session.plan.start_s, session.meter_start, ReadingContext.transaction_begin),
                (offset, meter_stop, ReadingContext.transaction_end),
            )
        ]

    # -- messages --------------------------------------------------------------------------

    async def _set_status(self, connector: int, status: ChargePointStatus, offset: float) -> None:
        self._status[connector] = status
        await self._call(
            call.StatusNotification(
                connector_id=connector,
                error_code=ChargePointErrorCode.no_error,
                status=status,
                timestamp=self.clock.stamp(offset),
            )
        )

    async def _meter_values(
        self,
        session: _ActiveSession,
        offset: float,
        sample: MeterSample,
        context: ReadingContext,
    ) -> None:
        reading = sampled_meter_value(
            self.clock.stamp(offset),
            self.configuration.measurands,
            session.meter_start + sample.energy_wh,
            sample,
            context,
        )
        await self._transaction_message(
            call.MeterValues(
                connector_id=session.connector_id,
                meter_value=[reading],
                transaction_id=session.transaction_id,
            )
        )

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
        self._active[connector_id] = _ActiveSession(plan, connector_id, remote=True)  # taken
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
            reading = session.plan.curve.reading(max(0.0, offset - session.plan.start_s))
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
