"""Firmware images operators upload for stations to download from us (kept in the database,
so every server process serves them)."""

from typing import Any
from uuid import UUID

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from fleetcharge.admin.calls import (
    Cursor,
    Limit,
    admin_call,
    authorised,
    object_response,
    page_request,
)
from fleetcharge.admin.documents import ERRORS, lists, shows
from fleetcharge.admin.resources import listed
from fleetcharge.firmware import files
from fleetcharge.firmware.endpoints import received_file
from fleetcharge.firmware.links import FileSettings
from fleetcharge.firmware.schemas import FirmwareFileView
from fleetcharge.kit.cursors import Page
from fleetcharge.models import FirmwareFile
from fleetcharge.permissions import Actor

router = APIRouter(prefix="/firmware", tags=["Firmware"])

UPLOAD_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "signingCertificate": {"type": "string", "description": "PEM"},
                    "signature": {"type": "string", "description": "base64"},
                },
            }
        },
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
    },
}
NAME = {
    "name": "name",
    "in": "query",
    "required": False,
    "description": "The file's name, for a raw (application/octet-stream) upload.",
    "schema": {"type": "string", "maxLength": 200},
}


@router.post(
    "",
    summary="Upload a firmware image (multipart `file`, or the raw body with `?name=`)",
    status_code=201,
    responses={
        201: {"model": FirmwareFileView, "description": "Stored."},
        413: {**ERRORS[400], "description": "Larger than the firmware size limit."},
    },
    openapi_extra={"requestBody": UPLOAD_BODY, "parameters": [NAME]},
)
async def upload_firmware(request: Request) -> Response:
    authorised(request, "stations", "command")  # 403 before reading the body
    settings: FileSettings = request.app.state.file_settings
    received = await received_file(request, settings.firmware_max_bytes, part="file")
    name = received.name or request.query_params.get("name")

    def store() -> Response:
        with admin_call(request, "stations", "command") as (db, actor):
            row = files.store_firmware(
                db,
                actor,
                name,
                received.content,
                received.fields.get("signingCertificate"),
                received.fields.get("signature"),
            )
            return object_response(files.firmware_view(row), 201)

    return await anyio.to_thread.run_sync(store)


@router.get("", summary="List firmware images, newest first", **lists(FirmwareFileView))
def list_firmware(request: Request, cursor: Cursor = None, limit: Limit = None) -> Response:
    def fetch(db: Session, actor: Actor) -> Page[FirmwareFile]:
        return files.list_firmware(db, actor, page_request(cursor, limit))

    return listed(request, "stations", fetch, files.firmware_view)


@router.get("/{uuid}", summary="Show a firmware image", **shows(FirmwareFileView))
def show_firmware(request: Request, uuid: UUID) -> Response:
    with admin_call(request, "stations", "read") as (db, actor):
        return object_response(files.firmware_view(files.get_firmware(db, actor, uuid)))
