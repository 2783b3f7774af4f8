"""The Firmware Management profile's messages from stations, and the security extensions'
(SignedFirmwareStatusNotification, LogStatusNotification): each status is kept on the
request it reports on (fleetcharge.firmware.transfers), by requestId where the message has
one, else on the station's latest request of its kind; the station's own firmware and
diagnostics status stays on its row too."""

from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action
from sqlalchemy.orm import Session

from fleetcharge.csms import service
from fleetcharge.csms.station_side import MAX_INT32, StationSide
from fleetcharge.firmware.orders import Kind
from fleetcharge.firmware.transfers import record_status

FIRMWARE = (Kind.FIRMWARE,)
SIGNED_FIRMWARE = (Kind.SIGNED_FIRMWARE,)
DIAGNOSTICS = (Kind.DIAGNOSTICS,)
LOG = (Kind.LOG,)


def _request_id(request_id: int | None) -> int | None:
    """A requestId we could have sent (ours are positive 32-bit); else none of ours."""
    return request_id if request_id is not None and 0 < request_id <= MAX_INT32 else -1


class FirmwareMessages(StationSide):
    @on(Action.firmware_status_notification)
    async def on_firmware_status_notification(
        self, status: str
    ) -> call_result.FirmwareStatusNotification:
        received_at = self.config.now()
        station = self.station

        def keep(db: Session) -> None:
            service.firmware_status(db, station, status)
            record_status(db, station.id, FIRMWARE, status, received_at)

        await self._in_transaction(keep)
        return call_result.FirmwareStatusNotification()

    @on(Action.diagnostics_status_notification)
    async def on_diagnostics_status_notification(
        self, status: str
    ) -> call_result.DiagnosticsStatusNotification:
        received_at = self.config.now()
        station = self.station

        def keep(db: Session) -> None:
            service.diagnostics_status(db, station, status)
            record_status(db, station.id, DIAGNOSTICS, status, received_at)

        await self._in_transaction(keep)
        return call_result.DiagnosticsStatusNotification()

    @on(Action.signed_firmware_status_notification)
    async def on_signed_firmware_status_notification(
        self, status: str, request_id: int | None = None
    ) -> call_result.SignedFirmwareStatusNotification:
        received_at, station_id = self.config.now(), self.station.id
        wanted = None if request_id is None else _request_id(request_id)
        await self._in_transaction(
            lambda db: record_status(db, station_id, SIGNED_FIRMWARE, status, received_at, wanted)
        )
        return call_result.SignedFirmwareStatusNotification()

    @on(Action.log_status_notification)
    async def on_log_status_notification(
        self, status: str, request_id: int | None = None
    ) -> call_result.LogStatusNotification:
        received_at, station_id = self.config.now(), self.station.id
        wanted = None if request_id is None else _request_id(request_id)
        await self._in_transaction(
            lambda db: record_status(db, station_id, LOG, status, received_at, wanted)
        )
        return call_result.LogStatusNotification()
