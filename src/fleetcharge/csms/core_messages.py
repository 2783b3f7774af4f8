"""Core profile messages from stations beyond the basics of handlers.py: DataTransfer,
routed to the vendors registered in `fleetcharge.data_transfer.registry`."""

from typing import Any

from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action

from fleetcharge.csms.station_side import StationSide
from fleetcharge.data_transfer.registry import DataTransferRequest, vendors


class CoreMessages(StationSide):
    @on(Action.data_transfer)
    async def on_data_transfer(
        self, vendor_id: str, message_id: str | None = None, data: str | None = None, **_: Any
    ) -> call_result.DataTransfer:
        request = DataTransferRequest(self.station.identity, vendor_id, message_id, data)
        reply = await vendors().handle(request)
        return call_result.DataTransfer(status=reply.status, data=reply.data)
