"""The OCPP 1.6 actions a charge station sends us: payloads in, domain calls, answers out.

Each message's database work runs in a worker thread as one unit of work, committed
before the answer is sent; if it fails the station gets an InternalError CallError and
nothing of the message is stored. MeterValues share their unit of work with those of other
stations that arrive at the same time (`meter_writer`). Transaction messages (Start-,
StopTransaction, MeterValues of a transaction) are answered while the database is
unavailable too, once kept in the outage journal (`journal`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from limits import RateLimitItem
from ocpp.charge_point import snake_to_camel_case
from ocpp.exceptions import FormatViolationError, PropertyConstraintViolationError
from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.datatypes import IdTagInfo
from ocpp.v16.enums import Action, DataTransferStatus, RegistrationStatus
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fleetcharge.csms import service
from fleetcharge.csms.authorize_limit import AuthorizeBudget
from fleetcharge.csms.clock import ClockPolicy, StationTime, iso_utc, station_time
from fleetcharge.csms.journal import Kept, TransactionJournal
from fleetcharge.csms.meter_writer import MeterValuesWriter
from fleetcharge.csms.protocol import RobustChargePoint
from fleetcharge.csms.readings import Reading, parse_meter_values
from fleetcharge.csms.schemas import (
    KeptMessage,
    MeterValuesRequest,
    StartRequest,
    StationRef,
    StatusReport,
    StopRequest,
)
from fleetcharge.csms.service import ACCEPTED
from fleetcharge.db import unit_of_work
from fleetcharge.network.station_reports import BootInfo

T = TypeVar("T")
MAX_INT32 = 2**31 - 1
MAX_INT64 = 2**63 - 1
# Seconds a pending station waits before its next BootNotification.
PENDING_BOOT_INTERVAL_S = 60


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CentralSystemConfig:
    engine: Engine
    policy: ClockPolicy
    heartbeat_interval: int
    # Seconds an operator command waits for the station's answer.
    command_timeout: float = 30.0
    # When a message was received (tests replace it to replay frames at given times).
    now: Callable[[], datetime] = utc_now
    # Token buckets bounding each connection's Authorize requests (see authorize_limit).
    authorize_limit: tuple[RateLimitItem, ...] = ()
    # Where transaction messages wait while the database is unavailable (None: nowhere).
    journal_dir: Path | None = None
    # transactionIds reserved for StartTransactions during an outage.
    reserved_transaction_ids: int = 0

    @cached_property
    def meter_writer(self) -> MeterValuesWriter:
        """Shared by every station of the central system (see `meter_writer`)."""
        return MeterValuesWriter(self.engine)

    @cached_property
    def journal(self) -> TransactionJournal:
        return TransactionJournal(
            self.engine, self.journal_dir, self.policy, self.reserved_transaction_ids
        )

    def close(self) -> None:
        """Close what serving opened of its own (the writer's connections, if it was made)."""
        writer = self.__dict__.get("meter_writer")
        if writer is not None:
            writer.close()


class StationHandlers(RobustChargePoint):
    """One connected station's side of the conversation."""

    def __init__(self, station: StationRef, connection: Any, config: CentralSystemConfig) -> None:
        # Operator commands time out themselves (fleetcharge.csms.commands); the library's
        # own timeout is only a backstop.
        super().__init__(station.identity, connection, response_timeout=config.command_timeout + 1)
        self.station = station
        self.config = config
        self._authorize: AuthorizeBudget | None = None

    async def _in_transaction(self, work: Callable[[Session], T]) -> T:
        await self.config.journal.settle(self.station)

        def run() -> T:
            with unit_of_work(self.config.engine) as db:
                return work(db)

        return await anyio.to_thread.run_sync(run)

    def _authorize_budget(self) -> AuthorizeBudget:
        if self._authorize is None:  # made on first use: most connections never send one
            self._authorize = AuthorizeBudget(self.station.identity, self.config.authorize_limit)
        return self._authorize

    def _time(self, text: str, received_at: datetime) -> StationTime:
        try:
            return station_time(text, received_at, self.station.timezone, self.config.policy)
        except ValueError:
            raise FormatViolationError(
                details={"cause": f"timestamp {text!r} is not an ISO 8601 date-time"}
            ) from None

    def _readings(
        self, meter_values: list[dict[str, Any]], received_at: datetime
    ) -> tuple[Reading, ...]:
        return tuple(parse_meter_values(meter_values, lambda text: self._time(text, received_at)))

    @on(Action.boot_notification)
    async def on_boot_notification(
        self, charge_point_vendor: str, charge_point_model: str, **optional: Any
    ) -> call_result.BootNotification:
        received_at = self.config.now()
        boot = BootInfo(
            vendor=charge_point_vendor,
            model=charge_point_model,
            serial_number=optional.get("charge_point_serial_number")
            or optional.get("charge_box_serial_number"),
            firmware_version=optional.get("firmware_version"),
        )
        accepted = await self._in_transaction(
            lambda db: service.boot_notification(db, self.station, boot, received_at)
        )
        if not accepted:  # auto-registered, awaiting an operator's approval
            return call_result.BootNotification(
                current_time=iso_utc(self.config.now()),
                interval=PENDING_BOOT_INTERVAL_S,
                status=RegistrationStatus.pending,
            )
        return call_result.BootNotification(
            current_time=iso_utc(self.config.now()),
            interval=self.config.heartbeat_interval,
            status=RegistrationStatus.accepted,
        )

    @on(Action.heartbeat)
    async def on_heartbeat(self) -> call_result.Heartbeat:
        return call_result.Heartbeat(current_time=iso_utc(self.config.now()))

    @on(Action.status_notification)
    async def on_status_notification(
        self, connector_id: int, error_code: str, status: str, **optional: Any
    ) -> call_result.StatusNotification:
        received_at = self.config.now()
        _check_connector(connector_id, minimum=0)
        timestamp = optional.get("timestamp")
        report = StatusReport(
            connector_number=connector_id,
            status=status,
            error_code=error_code,
            timestamp=self._time(timestamp, received_at) if timestamp is not None else None,
            info=optional.get("info"),
            vendor_id=optional.get("vendor_id"),
            vendor_error_code=optional.get("vendor_error_code"),
        )
        policy = self.config.policy
        await self._in_transaction(
            lambda db: service.status_notification(db, self.station, report, received_at, policy)
        )
        return call_result.StatusNotification()

    @on(Action.authorize)
    async def on_authorize(self, id_tag: str) -> call_result.Authorize:
        self._authorize_budget().take()
        now = self.config.now()
        status = await self._in_transaction(lambda db: service.authorize(db, id_tag, now))
        return call_result.Authorize(id_tag_info=IdTagInfo(status=status))

    @on(Action.start_transaction)
    async def on_start_transaction(
        self,
        connector_id: int,
        id_tag: str,
        meter_start: int,
        timestamp: str,
        reservation_id: int | None = None,
    ) -> call_result.StartTransaction:
        received_at = self.config.now()
        _check_connector(connector_id, minimum=1)
        _check_meter("meterStart", meter_start)
        request = StartRequest(
            connector_number=connector_id,
            id_tag=id_tag,
            meter_start_wh=meter_start,
            timestamp=self._time(timestamp, received_at),
            reservation_id=_storable(reservation_id, MAX_INT32),
        )
        policy = self.config.policy
        result = await self.config.journal.deliver(
            KeptMessage(self.station, received_at, start=request),
            lambda: self._in_transaction(
                lambda db: service.start_transaction(db, self.station, request, received_at, policy)
            ),
        )
        if isinstance(result, Kept):
            assert result.transaction_id is not None
            return call_result.StartTransaction(
                transaction_id=result.transaction_id, id_tag_info=IdTagInfo(status=ACCEPTED)
            )
        return call_result.StartTransaction(
            transaction_id=result.transaction_id, id_tag_info=IdTagInfo(status=result.id_tag_status)
        )

    @on(Action.meter_values)
    async def on_meter_values(
        self,
        connector_id: int,
        meter_value: list[dict[str, Any]],
        transaction_id: int | None = None,
    ) -> call_result.MeterValues:
        received_at = self.config.now()
        _check_connector(connector_id, minimum=0)
        request = MeterValuesRequest(
            connector_number=connector_id,
            readings=self._readings(meter_value, received_at),
            transaction_id=_storable(transaction_id),
        )
        store = self.config.meter_writer.store
        if transaction_id is None:
            await self.config.journal.settle(self.station)  # may go on an open transaction
            await store(self.station, request, received_at)
        else:
            await self.config.journal.deliver(
                KeptMessage(self.station, received_at, meter_values=request),
                lambda: store(self.station, request, received_at),
            )
        return call_result.MeterValues()

    @on(Action.stop_transaction)
    async def on_stop_transaction(
        self,
        transaction_id: int,
        meter_stop: int,
        timestamp: str,
        id_tag: str | None = None,
        reason: str | None = None,
        transaction_data: list[dict[str, Any]] | None = None,
    ) -> call_result.StopTransaction:
        received_at = self.config.now()
        _check_meter("meterStop", meter_stop)
        sent = {
            "transaction_id": transaction_id,
            "meter_stop": meter_stop,
            "timestamp": timestamp,
            "id_tag": id_tag,
            "reason": reason,
            "transaction_data": transaction_data,
        }
        request = StopRequest(
            transaction_id=_storable(transaction_id),
            meter_stop_wh=meter_stop,
            timestamp=self._time(timestamp, received_at),
            id_tag=id_tag,
            reason=reason,
            transaction_data=self._readings(transaction_data or [], received_at),
            payload=snake_to_camel_case({k: v for k, v in sent.items() if v is not None}),
        )
        status = await self.config.journal.deliver(
            KeptMessage(self.station, received_at, stop=request),
            lambda: self._in_transaction(
                lambda db: service.stop_transaction(db, self.station, request, received_at)
            ),
        )
        if isinstance(status, Kept):
            status = ACCEPTED if id_tag is not None else None
        return call_result.StopTransaction(
            id_tag_info=IdTagInfo(status=status) if status is not None else None
        )

    @on(Action.data_transfer)
    async def on_data_transfer(self, vendor_id: str, **optional: Any) -> call_result.DataTransfer:
        return call_result.DataTransfer(status=DataTransferStatus.unknown_vendor_id)

    @on(Action.firmware_status_notification)
    async def on_firmware_status_notification(
        self, status: str
    ) -> call_result.FirmwareStatusNotification:
        await self._in_transaction(lambda db: service.firmware_status(db, self.station, status))
        return call_result.FirmwareStatusNotification()

    @on(Action.diagnostics_status_notification)
    async def on_diagnostics_status_notification(
        self, status: str
    ) -> call_result.DiagnosticsStatusNotification:
        await self._in_transaction(lambda db: service.diagnostics_status(db, self.station, status))
        return call_result.DiagnosticsStatusNotification()


def _check_connector(connector_id: int, *, minimum: int) -> None:
    if not minimum <= connector_id <= MAX_INT32:
        raise PropertyConstraintViolationError(
            details={"cause": f"connectorId {connector_id} out of range (from {minimum})"}
        )


def _check_meter(name: str, wh: int) -> None:
    if abs(wh) > MAX_INT64:
        raise PropertyConstraintViolationError(details={"cause": f"{name} out of range: {wh}"})


def _storable(value: int | None, maximum: int = MAX_INT64) -> int | None:
    """An id we only keep for reference, if a column can hold it (the raw payload keeps it
    anyway where it matters)."""
    return value if value is not None and abs(value) <= maximum else None
