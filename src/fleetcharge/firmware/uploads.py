"""The files behind the stations' links (flush only): the firmware a link downloads, the
upload a link receives. A token reaches its own request's file only, until it expires."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.errors import NotFound
from fleetcharge.firmware.links import token_sha256
from fleetcharge.firmware.orders import Kind
from fleetcharge.firmware.transfers import get_transfer
from fleetcharge.models import FirmwareFile, StationTransfer, StationUpload
from fleetcharge.permissions import Actor

NO_LINK = "no such file link, or it has expired"


@dataclass(frozen=True)
class Download:
    name: str
    sha256: str
    content: bytes


def _linked(db: Session, token: str, uploads: bool, now: datetime) -> StationTransfer:
    transfer = db.scalar(
        select(StationTransfer).where(StationTransfer.token_sha256 == token_sha256(token))
    )
    if (
        transfer is None
        or transfer.token_expires_at is None
        or transfer.token_expires_at <= now
        or Kind(transfer.kind).uploads != uploads
    ):
        raise NotFound(NO_LINK)
    return transfer


def firmware_download(db: Session, token: str, now: datetime) -> Download:
    transfer = _linked(db, token, False, now)
    firmware = db.get(FirmwareFile, transfer.firmware_file_id or 0)
    if firmware is None:
        raise NotFound(NO_LINK)
    return Download(firmware.name, firmware.sha256, firmware.content)


def upload_target(db: Session, token: str, now: datetime) -> int:
    """The request a link receives the upload of (404 if none)."""
    return _linked(db, token, True, now).id


def store_upload(
    db: Session,
    transfer_id: int,
    name: str,
    content_type: str,
    content: bytes,
    received_at: datetime,
) -> StationUpload:
    """Keep the file (replacing an earlier upload of the same request)."""
    upload = db.get(StationUpload, transfer_id) or StationUpload(transfer_id=transfer_id)
    upload.name = name[:255]
    upload.content_type = content_type[:200]
    upload.size_bytes = len(content)
    upload.sha256 = hashlib.sha256(content).hexdigest()
    upload.received_at = received_at
    upload.content = content
    db.add(upload)
    db.flush()
    return upload


def uploaded_file(db: Session, actor: Actor, identity: str, uuid: UUID) -> StationUpload:
    """The file the station uploaded for its request `uuid` (for an operator)."""
    transfer = get_transfer(db, actor, identity, uuid)
    upload = db.get(StationUpload, transfer.id)
    if upload is None:
        raise NotFound(f"request {uuid} has no uploaded file yet")
    return upload
