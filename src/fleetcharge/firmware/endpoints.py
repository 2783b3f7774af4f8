"""The stations' side of file links, on the main HTTP app (not the admin API: stations
cannot send our Bearer tokens, the token in the URL is their key): GET downloads a firmware
image, PUT or POST receives diagnostics or a log, raw or as multipart/form-data.

An unknown, expired or other kind of link is 404; a body over the size limit is 413 and
nothing of it is kept. Also the size-limited body reading the admin API's firmware upload
uses."""

import base64
import hashlib
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from fleetcharge.db import unit_of_work
from fleetcharge.errors import DomainError, InvalidField
from fleetcharge.firmware import uploads
from fleetcharge.firmware.files import file_name
from fleetcharge.firmware.links import DEFAULT_UPLOAD_NAME, FILES_PATH, FileSettings

router = APIRouter(prefix=FILES_PATH, include_in_schema=False)


class TooLarge(DomainError):
    status_code = 413
    code = "too_large"


@dataclass(frozen=True)
class ReceivedFile:
    name: str | None
    content_type: str
    content: bytes
    fields: dict[str, str]  # a form's other fields


async def read_limited(request: Request, limit: int) -> bytes:
    """The whole body, refused (413) as soon as it is longer than `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"the file is larger than the limit of {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TooLarge(f"the file is larger than the limit of {limit} bytes")
    return bytes(body)


async def received_file(request: Request, limit: int, part: str | None = None) -> ReceivedFile:
    """The file a request carries: the body itself, or a multipart form's file part (the one
    named `part`, else the first), with the form's text fields."""
    content_type = request.headers.get("content-type", "application/octet-stream")
    if not content_type.lower().startswith("multipart/form-data"):
        body = await read_limited(request, limit)
        return ReceivedFile(None, content_type, body, {})
    # The form's own fields and boundaries are small: 64 KiB of room beside the file.
    body = await read_limited(request, limit + 65536)

    async def chunks() -> AsyncGenerator[bytes]:
        yield body

    try:
        form = await MultiPartParser(request.headers, chunks(), max_files=1).parse()
    except MultiPartException as error:
        raise InvalidField(f"the form could not be read: {error.message}", field="file") from None
    files = [
        (key, value)
        for key, value in form.multi_items()
        if isinstance(value, UploadFile) and (part is None or key == part)
    ]
    fields = {key: value for key, value in form.multi_items() if isinstance(value, str)}
    if not files:
        raise InvalidField(f"the form has no file part{f' {part!r}' if part else ''}", field="file")
    upload = files[0][1]
    content = await upload.read()
    await form.close()
    if len(content) > limit:
        raise TooLarge(f"the file is larger than the limit of {limit} bytes")
    kind = upload.content_type or "application/octet-stream"
    return ReceivedFile(upload.filename, kind, content, fields)


def _files(request: Request) -> FileSettings:
    settings: FileSettings = request.app.state.file_settings
    return settings


def _now() -> datetime:
    return datetime.now(UTC)


@router.api_route("/{token}", methods=["GET", "HEAD"])
@router.api_route("/{token}/{name}", methods=["GET", "HEAD"])
async def download(request: Request, token: str, name: str | None = None) -> Response:
    def find() -> uploads.Download:
        with unit_of_work(request.app.state.engine) as db:
            return uploads.firmware_download(db, token, _now())

    found = await anyio.to_thread.run_sync(find)
    digest = base64.b64encode(bytes.fromhex(found.sha256)).decode()
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.name)}",
        "ETag": f'"{found.sha256}"',
        # RFC 9530: what the station can check the image against.
        "Repr-Digest": f"sha-256=:{digest}:",
        "Cache-Control": "no-store",
    }
    body = b"" if request.method == "HEAD" else found.content
    response = Response(body, 200, headers, media_type="application/octet-stream")
    if request.method == "HEAD":
        response.headers["content-length"] = str(len(found.content))
    return response


@router.api_route("/{token}", methods=["PUT", "POST"], status_code=201)
@router.api_route("/{token}/{name}", methods=["PUT", "POST"], status_code=201)
async def upload(request: Request, token: str, name: str | None = None) -> Response:
    engine = request.app.state.engine

    def target() -> int:
        with unit_of_work(engine) as db:
            return uploads.upload_target(db, token, _now())

    transfer_id = await anyio.to_thread.run_sync(target)  # 404 before reading any body
    received = await received_file(request, _files(request).upload_max_bytes)
    stored_name = _upload_name(name or received.name)

    def keep() -> None:
        with unit_of_work(engine) as db:
            uploads.store_upload(
                db, transfer_id, stored_name, received.content_type, received.content, _now()
            )

    await anyio.to_thread.run_sync(keep)
    sha256 = hashlib.sha256(received.content).hexdigest()
    size = len(received.content)
    return JSONResponse({"name": stored_name, "size_bytes": size, "sha256": sha256}, 201)


def _upload_name(name: str | None) -> str:
    try:
        return file_name(name)
    except InvalidField:
        return DEFAULT_UPLOAD_NAME
