"""The Core profile's calls a simulated station answers beyond the basics of `commands`:
RemoteStartTransaction (a session on a free connector, with Authorize first when
AuthorizeRemoteTxRequests is true), ClearCache and DataTransfer (UnknownVendorId unless the
station is configured with a vendor, whose messages it echoes)."""

from typing import Any, Protocol

from ocpp.routing import after, on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action, ClearCacheStatus, DataTransferStatus, RemoteStartStopStatus

from fleetcharge.simulator.model import StationConfig


class RemoteStarts(Protocol):
    """What the handlers need from the station."""

    config: StationConfig

    def remote_start_connector(self, connector_id: int | None) -> int | None: ...
    def start_remote(self, id_tag: str, connector_id: int) -> None: ...
    def clear_cache(self) -> None: ...


class CoreCommands:
    """A mixin of `CommandHandler`: the station is `self.station`."""

    station: Any

    def _core(self) -> RemoteStarts:
        station: RemoteStarts = self.station
        return station

    @on(Action.remote_start_transaction)
    def on_remote_start_transaction(
        self, id_tag: str, connector_id: int | None = None, **_: Any
    ) -> Any:
        free = self._core().remote_start_connector(connector_id)
        status = RemoteStartStopStatus.rejected if free is None else RemoteStartStopStatus.accepted
        return call_result.RemoteStartTransaction(status=status)

    @after(Action.remote_start_transaction)
    def after_remote_start_transaction(
        self, id_tag: str, connector_id: int | None = None, **_: Any
    ) -> None:
        free = self._core().remote_start_connector(connector_id)
        if free is not None:
            self._core().start_remote(id_tag, free)

    @on(Action.clear_cache)
    def on_clear_cache(self, **_: Any) -> Any:
        self._core().clear_cache()
        return call_result.ClearCache(status=ClearCacheStatus.accepted)

    @on(Action.data_transfer)
    def on_data_transfer(self, vendor_id: str, data: str | None = None, **_: Any) -> Any:
        vendor = self._core().config.data_transfer_vendor
        if vendor is None or vendor.casefold() != vendor_id.casefold():
            return call_result.DataTransfer(status=DataTransferStatus.unknown_vendor_id)
        return call_result.DataTransfer(status=DataTransferStatus.accepted, data=data)
