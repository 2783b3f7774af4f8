"""Firmware updates, diagnostics and logs asked of a connected station: each request is
stored (its id the requestId) before it is sent, with a link of its own for the station to
download our firmware or upload its file; then the station's answer, or why it gave none
(404 not connected, 502 CallError, 504 no answer), and the statuses it reports after."""

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from uuid import UUID

import anyio.to_thread
from fastapi import APIRouter, Request, Response

from fleetcharge.admin.calls import (
    Cursor,
    Limit,
    admin_call,
    authorised,
    json_response,
    page_request,
    page_response,
)
from fleetcharge.admin.documents import ERRORS, lists, shows
from fleetcharge.csms.commands import Command
from fleetcharge.csms.routing import StationRouter
from fleetcharge.db import unit_of_work
from fleetcharge.errors import DomainError
from fleetcharge.firmware import transfers, uploads
from fleetcharge.firmware.links import FileSettings
from fleetcharge.firmware.orders import LISTS, FirmwareOrder, UploadOrder
from fleetcharge.firmware.schemas import (
    DiagnosticsBody,
    LogBody,
    SignedUpdateFirmwareBody,
    TransferCommandView,
    TransferDetail,
    TransferView,
    UpdateFirmwareBody,
)
from fleetcharge.kit.cursors import Page
from fleetcharge.models import StationTransfer

router = APIRouter(prefix="/stations", tags=["Firmware, diagnostics and logs"])

SENDS: dict[str, Any] = {
    "responses": {
        200: {
            "model": TransferCommandView,
            "description": "The station's answer (may be Rejected) and the request as stored.",
        },
        404: {**ERRORS[404], "description": "No such station, or it is not connected."},
        502: {
            **ERRORS[404],
            "description": "The station answered with a CallError or disconnected.",
        },
        504: {**ERRORS[404], "description": "The station did not answer in time."},
    }
}


def _base_url(request: Request, settings: FileSettings) -> str:
    """Where the station reaches us: the setting, else this request's scheme and host."""
    return settings.base_url or f"{request.url.scheme}://{request.url.netloc}"


async def _send(request: Request, identity: str, order: FirmwareOrder | UploadOrder) -> Response:
    authorised(request, "stations", "command")
    settings: FileSettings = request.app.state.file_settings
    base_url = _base_url(request, settings)
    engine = request.app.state.engine

    def prepare() -> transfers.Prepared:
        with admin_call(request, "stations", "command") as (db, actor):
            now = datetime.now(UTC)
            return transfers.prepare(db, actor, identity, order, settings, base_url, now)

    prepared = await anyio.to_thread.run_sync(prepare)
    station_router: StationRouter = request.app.state.central_system.router
    try:
        answer = await station_router.send(identity, Command(prepared.action, prepared.payload))
    except DomainError as error:
        code = error.code

        def failed() -> None:
            with unit_of_work(engine) as db:
                transfers.record_failure(db, prepared.transfer_id, code)

        await anyio.to_thread.run_sync(failed)
        raise

    def answered() -> dict[str, Any]:
        with unit_of_work(engine) as db:
            transfers.record_answer(db, prepared.transfer_id, answer.answer)
            transfer = db.get_one(StationTransfer, prepared.transfer_id)
            return transfers.transfer_views(db, identity, [transfer])[0]

    view = await anyio.to_thread.run_sync(answered)
    return json_response({**answer.to_json(), "transfer": view})


@router.post(
    "/{identity}/update-firmware",
    summary="Have the station install firmware (UpdateFirmware)",
    **SENDS,
)
async def update_firmware(request: Request, identity: str, body: UpdateFirmwareBody) -> Response:
    return await _send(request, identity, body.order())


@router.post(
    "/{identity}/signed-update-firmware",
    summary="Have the station install signed firmware (SignedUpdateFirmware)",
    **SENDS,
)
async def signed_update_firmware(
    request: Request, identity: str, body: SignedUpdateFirmwareBody
) -> Response:
    return await _send(request, identity, body.order())


@router.post(
    "/{identity}/diagnostics",
    summary="Have the station upload its diagnostics to us (GetDiagnostics)",
    **SENDS,
)
async def get_diagnostics(request: Request, identity: str, body: DiagnosticsBody) -> Response:
    return await _send(request, identity, body.order())


@router.post(
    "/{identity}/logs",
    summary="Have the station upload a diagnostics or security log to us (GetLog)",
    **SENDS,
)
async def get_log(request: Request, identity: str, body: LogBody) -> Response:
    return await _send(request, identity, body.order())


def _listing(request: Request, identity: str, path: str, cursor: Cursor, limit: Limit) -> Response:
    with admin_call(request, "stations", "read") as (db, actor):
        page_asked = page_request(cursor, limit)
        station, page = transfers.list_transfers(db, actor, identity, LISTS[path], page_asked)
        views = transfers.transfer_views(db, station.ocpp_identity, page.items)
        shown: Page[dict[str, Any]] = Page(views, page.total, page.next_cursor)
        return page_response(request, shown, lambda view: view)


@router.get(
    "/{identity}/firmware-updates",
    summary="The station's firmware updates, newest first",
    **lists(TransferView),
)
def firmware_updates(
    request: Request, identity: str, cursor: Cursor = None, limit: Limit = None
) -> Response:
    return _listing(request, identity, "firmware-updates", cursor, limit)


@router.get(
    "/{identity}/diagnostics",
    summary="The station's diagnostics requests, newest first",
    **lists(TransferView),
)
def diagnostics(
    request: Request, identity: str, cursor: Cursor = None, limit: Limit = None
) -> Response:
    return _listing(request, identity, "diagnostics", cursor, limit)


@router.get(
    "/{identity}/logs", summary="The station's log requests, newest first", **lists(TransferView)
)
def logs(request: Request, identity: str, cursor: Cursor = None, limit: Limit = None) -> Response:
    return _listing(request, identity, "logs", cursor, limit)


@router.get(
    "/{identity}/transfers/{uuid}",
    summary="One firmware, diagnostics or log request, with every status the station reported",
    **shows(TransferDetail, "The request and its history."),
)
def transfer(request: Request, identity: str, uuid: UUID) -> Response:
    with admin_call(request, "stations", "read") as (db, actor):
        found = transfers.get_transfer(db, actor, identity, uuid)
        return json_response(transfers.transfer_views(db, identity, [found], history=True)[0])


@router.get(
    "/{identity}/transfers/{uuid}/file",
    summary="Download the file the station uploaded for a diagnostics or log request",
    responses={
        200: {
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            "description": "The file, byte for byte as uploaded.",
        }
    },
)
def uploaded_file(request: Request, identity: str, uuid: UUID) -> Response:
    with admin_call(request, "stations", "read") as (db, actor):
        upload = uploads.uploaded_file(db, actor, identity, uuid)
        headers = {
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(upload.name)}",
            "ETag": f'"{upload.sha256}"',
        }
        return Response(upload.content, 200, headers, media_type="application/octet-stream")
