"""The Core profile's remaining commands to a connected station: RemoteStartTransaction
(refused before sending for a card or connector we know cannot charge), ClearCache and
DataTransfer. Registered before the stations' routes."""

import anyio.to_thread
from fastapi import APIRouter, Request, Response

from fleetcharge.admin.calls import authorised
from fleetcharge.admin.routes.station_commands import SENDS, _send
from fleetcharge.csms.commands import Command
from fleetcharge.csms.remote_start import RemoteStartBody, check_remote_start
from fleetcharge.data_transfer.schemas import DataTransferBody
from fleetcharge.db import unit_of_work

router = APIRouter(prefix="/stations", tags=["Station commands"])


@router.post(
    "/{identity}/remote-start",
    summary="Start a transaction for a card (RemoteStartTransaction)",
    **SENDS,
)
async def remote_start(request: Request, identity: str, body: RemoteStartBody) -> Response:
    authorised(request, "stations", "command")
    now = request.app.state.central_system.config.now()

    def check() -> None:
        with unit_of_work(request.app.state.engine) as db:
            check_remote_start(db, identity, body, now)

    await anyio.to_thread.run_sync(check)
    return await _send(request, identity, body.command())


@router.post(
    "/{identity}/clear-cache",
    summary="Empty the station's authorization cache (ClearCache)",
    **SENDS,
)
async def clear_cache(request: Request, identity: str) -> Response:
    return await _send(request, identity, Command("ClearCache", {}))


@router.post(
    "/{identity}/data-transfer",
    summary="Send the station a vendor's own message (DataTransfer)",
    **SENDS,
)
async def data_transfer(request: Request, identity: str, body: DataTransferBody) -> Response:
    return await _send(request, identity, Command("DataTransfer", body.payload()))
