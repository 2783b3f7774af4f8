"""A simulated station's sessions: from plug-in through Authorize, StartTransaction, the
MeterValues of the charge (the car drawing the smaller of its curve and the connector's
charging-profile limit, see `limited_charge`) and StopTransaction, to unplugging. A mixin
of `SimulatedStation`, which holds the state declared here."""

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ocpp.v16 import call
from ocpp.v16.datatypes import MeterValue
from ocpp.v16.enums import (
    AuthorizationStatus,
    ChargePointErrorCode,
    ChargePointStatus,
    ReadingContext,
    Reason,
)

from fleetcharge.simulator.commands import Configuration
from fleetcharge.simulator.curves import WH_PER_KWH, CurrentType, MeterSample
from fleetcharge.simulator.limited_charge import LimitedCharge
from fleetcharge.simulator.local_auth import LocalAuth, now_utc
from fleetcharge.simulator.model import (
    NoAnswer,
    RegisterMode,
    SessionOutcome,
    SessionReport,
    StationConfig,
    StationStats,
)
from fleetcharge.simulator.profiles import ProfilesMode, ProfileStack
from fleetcharge.simulator.readings import register_meter_value, sampled_meter_value
from fleetcharge.simulator.timeline import UNPLUG_S, SessionPlan, StationClock
from fleetcharge.simulator.uplink import Uplink

IDLE_RATING_W = 22_000.0  # what GetCompositeSchedule shows for a connector with no car


@dataclass(eq=False)
class ActiveSession:
    plan: SessionPlan
    connector_id: int
    meter_start: int = 0
    transaction_id: int | None = None
    stop_reason: Reason | None = None
    remote: bool = False  # started by RemoteStartTransaction
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    charge: LimitedCharge | None = None  # from StartTransaction on

    def stop(self, reason: Reason) -> None:
        if self.stop_reason is None:
            self.stop_reason = reason
            self.wake.set()

    def energy_at(self, offset: float) -> float:
        """Energy delivered by timeline offset `offset`."""
        elapsed = offset - self.plan.start_s
        if self.charge is None:
            return self.plan.curve.energy_at(elapsed)
        return self.charge.energy_at(elapsed)


class SessionReplay:
    config: StationConfig
    stats: StationStats
    clock: StationClock
    configuration: Configuration
    local_auth: LocalAuth
    uplink: Uplink
    profiles: ProfileStack
    _status: dict[int, ChargePointStatus]
    _inoperative: set[int]
    _active: dict[int, ActiveSession]
    _authorised: set[str]
    _register_wh: int
    _next_event_s: float

    def _idle_status(self, connector: int) -> ChargePointStatus:
        raise NotImplementedError

    @property
    def connectors(self) -> list[int]:
        return list(self._status)

    @property
    def station_id(self) -> str:
        return self.config.station_id

    async def _call(self, payload: Any) -> Any:
        return await self.uplink.call(payload)

    def phases(self, session: ActiveSession) -> int:
        """The phases a limit in A is drawn on: the car's and the EVSE's (3 on DC)."""
        spec = session.plan.curve.spec
        if spec.evse.current_type is CurrentType.DC:
            return 3
        return min(spec.vehicle.ac_phases, spec.evse.phases)

    def connector_transaction(
        self, connector_id: int
    ) -> tuple[int | None, datetime | None, int, float]:
        """For profiles: the connector's transaction id and start, the phases it draws on and
        its rating in W (an idle connector: none, 3 phases, IDLE_RATING_W)."""
        session = self._active.get(connector_id)
        if session is None or session.transaction_id is None:
            return None, None, 3, IDLE_RATING_W
        rating = session.plan.curve.spec.evse.max_kw * WH_PER_KWH
        return (
            session.transaction_id,
            self.clock.at(session.plan.start_s),
            self.phases(session),
            rating,
        )

    def moment(self) -> datetime:
        return self.clock.at(self._now_s())

    def _limited_charge(self, session: ActiveSession) -> LimitedCharge:
        if self.config.profiles is not ProfilesMode.SUPPORTED:
            return LimitedCharge(session.plan.curve)
        start_s, connector = session.plan.start_s, session.connector_id
        tx_start = self.clock.at(start_s)
        phases = self.phases(session)

        def limit_at(elapsed: float) -> float | None:
            moment = self.clock.at(start_s + elapsed)
            return self.profiles.limit_w(connector, moment, tx_start=tx_start, phases=phases)

        return LimitedCharge(session.plan.curve, limit_at)

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

    async def _wait(self, session: ActiveSession, offset_s: float) -> bool:
        """Wait until `offset_s` is due; True when the session was asked to stop."""
        self._next_event_s = offset_s
        delay = self.clock.delay_until(offset_s)
        if session.stop_reason is None and delay > 0:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await session.wake.wait()
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
        session = ActiveSession(plan, connector, remote=remote)
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

    async def _transaction(self, session: ActiveSession, report: SessionReport) -> None:
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

    async def _charge(self, session: ActiveSession) -> float:
        """Send the MeterValues at the planned sample times and SuspendedEV once the car is
        full; the offset at which the car leaves."""
        plan, connector = session.plan, session.connector_id
        charge = session.charge = self._limited_charge(session)
        events: list[tuple[int, int | None]] = [(plan.charging_end_s, None)]
        interval = self.configuration.sample_interval_s
        if interval > 0:
            samples = plan.curve.samples(interval, plan.parked_s)
            events += [(plan.start_s + sample.offset_s, sample.offset_s) for sample in samples]
        events.sort(key=lambda event: (event[0], event[1] is None))
        previous, suspended = 0, False
        for offset, elapsed in events:
            if await self._wait(session, offset):
                return self._interrupted_at(offset)
            if elapsed is not None:
                sample = charge.sample(previous, elapsed)
                previous = elapsed
                await self._meter_values(session, offset, sample, ReadingContext.sample_periodic)
            if not suspended and charge.full(offset - plan.start_s):
                # On the curve that is at the plan's end of charging; later under a limit.
                suspended = elapsed is None or charge.limited
                if suspended:
                    await self._set_status(connector, ChargePointStatus.suspended_ev, offset)
        if await self._wait(session, plan.stop_s):
            return self._interrupted_at(plan.stop_s)
        return plan.stop_s

    async def _stop(self, session: ActiveSession, offset: float, report: SessionReport) -> bool:
        """StopTransaction, then the connector's statuses; False when it was never answered."""
        plan, connector = session.plan, session.connector_id
        reason = session.stop_reason or Reason.ev_disconnected
        energy = int(session.energy_at(offset))
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
        self.profiles.transaction_ended(connector)
        report.stop_reason, report.stopped_at = reason, self.clock.at(offset)
        if reason in (Reason.soft_reset, Reason.hard_reset):
            return stopped is not None  # the reboot reports every connector after its boot
        await self._set_status(connector, ChargePointStatus.finishing, offset)
        if reason != Reason.ev_disconnected:  # the cable is still in: wait for the driver
            offset += UNPLUG_S
            await self._sleep_until(offset)
        await self._set_status(connector, self._idle_status(connector), offset)
        return stopped is not None

    async def _leave(self, session: ActiveSession, offset: float) -> None:
        """The driver unplugs without a transaction (rejected card, reset, unlock)."""
        if session.stop_reason not in (Reason.soft_reset, Reason.hard_reset):
            connector = session.connector_id
            await self._set_status(connector, self._idle_status(connector), offset)

    def _transaction_data(
        self, session: ActiveSession, offset: float, meter_stop: int
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
        session: ActiveSession,
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
