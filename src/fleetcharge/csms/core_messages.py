"""Core profile messages from stations beyond the basics of handlers.py: DataTransfer,
routed to the vendors registered in `fleetcharge.data_transfer.registry`; and, when the
central system is so configured, the station's configuration read after each boot."""

import logging
from dataclasses import asdict
from typing import Any

from ocpp.charge_point import remove_nones, snake_to_camel_case
from ocpp.exceptions import OCPPError
from ocpp.routing import after, on
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action
from sqlalchemy.orm import Session
from starlette.websockets import WebSocketDisconnect

from fleetcharge.configuration.service import record_report
from fleetcharge.csms.protocol import ConnectionClosed
from fleetcharge.csms.station_side import StationSide
from fleetcharge.data_transfer.registry import DataTransferRequest, vendors
from fleetcharge.models import Station

logger = logging.getLogger(__name__)


class CoreMessages(StationSide):
    @on(Action.data_transfer)
    async def on_data_transfer(
        self, vendor_id: str, message_id: str | None = None, data: str | None = None, **_: Any
    ) -> call_result.DataTransfer:
        request = DataTransferRequest(self.station.identity, vendor_id, message_id, data)
        reply = await vendors().handle(request)
        return call_result.DataTransfer(status=reply.status, data=reply.data)

    @after(Action.boot_notification)
    async def read_configuration_after_boot(self, **_: Any) -> None:
        """Once the boot is answered (never from the handler: it would wait for itself)."""
        if self.config.read_configuration_on_boot:
            await self.read_configuration()

    async def read_configuration(self) -> None:
        """GetConfiguration, its answer stored; a station that cannot answer is logged."""
        try:
            result = await self.call(call.GetConfiguration(), suppress=False)
        except (OCPPError, TimeoutError) as error:
            logger.warning("%s: no configuration after its boot: %r", self.id, error)
            return
        except (ConnectionClosed, WebSocketDisconnect, RuntimeError, OSError):
            return  # gone again: read at its next boot
        answer = snake_to_camel_case(remove_nones(asdict(result)))
        at = self.config.now()

        def store(db: Session) -> None:
            station = db.get(Station, self.station.id)
            if station is not None:
                keys = list(answer.get("configurationKey") or [])
                unknown = list(answer.get("unknownKey") or [])
                record_report(db, station, keys, unknown, at, complete=True)

        try:
            await self._in_transaction(store)
        except Exception:  # a task of its own: nobody else would hear of it
            logger.exception("%s: its configuration could not be stored", self.id)
