"""The OCPP 1.6 actions a charge station sends us: payloads in, domain calls, answers out.

Each message's database work runs in a worker thread as one unit of work, committed
before the answer is sent; if it fails the station gets an InternalError CallError and
nothing of the message is stored. MeterValues share their unit of work with those of other
stations that arrive at the same time (`meter_writer`). Transaction messages (Start-,
StopTransaction, MeterValues of a transaction) are answered while the database is
unavailable too, once kept in the outage journal (`journal`).
"""

from typing import Any

from ocpp.charge_point import snake_to_camel_case
from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.datatypes import IdTagInfo
from ocpp.v16.enums import Action, RegistrationStatus

from fleetcharge.csms import service
from fleetcharge.csms.clock import iso_utc
from fleetcharge.csms.core_messages import CoreMessages
from fleetcharge.csms.firmware_messages import FirmwareMessages
from fleetcharge.csms.journal import Kept
from fleetcharge.csms.readings import Reading
from fleetcharge.csms.schemas import (
    KeptMessage,
    MeterValuesRequest,
    StartRequest,
    StatusReport,
    StopRequest,
)
from fleetcharge.csms.security_messages import SecurityMessages
from fleetcharge.csms.service import ACCEPTED
from fleetcharge.csms.station_side import (
    MAX_INT32,
    StationSide,
    check_connector,
    check_meter,
    storable,
)
from fleetcharge.csms.transaction_signals import SignalKind, TransactionSignal, publish
from fleetcharge.network.station_reports import BootInfo

# Seconds a pending station waits before its next BootNotification.
PENDING_BOOT_INTERVAL_S = 60


class StationHandlers(CoreMessages, FirmwareMessages, SecurityMessages, StationSide):
    """One connected station's side of the conversation: the Core profile's messages here,
    each other profile's in the classes it derives from."""

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
        self._signal("booted", None)
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
        check_connector(connector_id, minimum=0)
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
        policy, connected_at = self.config.policy, self.connected_at
        await self._in_transaction(
            lambda db: service.status_notification(
                db, self.station, report, received_at, policy, connected_at
            )
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
        check_connector(connector_id, minimum=1)
        check_meter("meterStart", meter_start)
        request = StartRequest(
            connector_number=connector_id,
            id_tag=id_tag,
            meter_start_wh=meter_start,
            timestamp=self._time(timestamp, received_at),
            reservation_id=storable(reservation_id, MAX_INT32),
        )
        policy = self.config.policy
        result = await self.config.journal.deliver(
            KeptMessage(self.station, received_at, start=request),
            lambda: self._in_transaction(
                lambda db: service.start_transaction(db, self.station, request, received_at, policy)
            ),
        )
        self._signal("started", result.transaction_id)
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
        check_connector(connector_id, minimum=0)
        request = MeterValuesRequest(
            connector_number=connector_id,
            readings=self._readings(meter_value, received_at),
            transaction_id=storable(transaction_id),
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
            self._signal("meter_values", transaction_id, request.readings)
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
        check_meter("meterStop", meter_stop)
        sent = {
            "transaction_id": transaction_id,
            "meter_stop": meter_stop,
            "timestamp": timestamp,
            "id_tag": id_tag,
            "reason": reason,
            "transaction_data": transaction_data,
        }
        request = StopRequest(
            transaction_id=storable(transaction_id),
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
        self._signal("stopped", transaction_id)
        if isinstance(status, Kept):
            status = ACCEPTED if id_tag is not None else None
        return call_result.StopTransaction(
            id_tag_info=IdTagInfo(status=status) if status is not None else None
        )

    def _signal(
        self,
        kind: SignalKind,
        transaction_id: int | None,
        readings: tuple[Reading, ...] = (),
    ) -> None:
        station = self.station
        publish(TransactionSignal(kind, station.id, station.identity, transaction_id, readings))
