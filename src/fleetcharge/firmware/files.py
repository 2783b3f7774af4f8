"""Firmware images operators upload (flush only), for stations to download from us."""

import hashlib
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.audit.service import record
from fleetcharge.errors import InvalidField, NotFound
from fleetcharge.firmware.signing import check_signing
from fleetcharge.kit.cursors import Page, PageRequest, page_of
from fleetcharge.models import FirmwareFile
from fleetcharge.permissions import Actor

MAX_NAME = 200


def file_name(name: str | None) -> str:
    """The file's own name: no folders, no control characters, 1 to 200 characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not base or len(base) > MAX_NAME or not base.isprintable() or base in (".", ".."):
        raise InvalidField(
            f"file: needs a name of 1 to {MAX_NAME} printable characters", field="file"
        )
    return base


def store_firmware(
    db: Session,
    actor: Actor,
    name: str | None,
    content: bytes,
    signing_certificate: str | None,
    signature: str | None,
) -> FirmwareFile:
    actor.require("stations", "command")
    if not content:
        raise InvalidField("file: empty", field="file")
    if (signing_certificate is None) != (signature is None):
        missing = "signature" if signature is None else "signingCertificate"
        raise InvalidField(f"{missing}: needed with the other", field=missing)
    signing = None
    if signing_certificate is not None and signature is not None:
        signing = check_signing(signing_certificate, signature)
    row = FirmwareFile(
        name=file_name(name),
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        signing_certificate=signing[0] if signing else None,
        signature=signing[1] if signing else None,
        uploaded_by=actor.name,
        content=content,
    )
    db.add(row)
    db.flush()
    record(db, actor, "create", "firmware_file", row.uuid, None, None, firmware_view(row))
    return row


def get_firmware(db: Session, actor: Actor, uuid: UUID, field: str | None = None) -> FirmwareFile:
    actor.require("stations", "read")
    row = db.scalar(select(FirmwareFile).where(FirmwareFile.uuid == uuid))
    if row is None:
        if field is not None:
            raise InvalidField(f"{field}: no firmware file {uuid}", field=field)
        raise NotFound(f"no firmware file {uuid}")
    return row


def list_firmware(db: Session, actor: Actor, page: PageRequest) -> Page[FirmwareFile]:
    actor.require("stations", "read")
    return page_of(db, select(FirmwareFile), FirmwareFile.id, page, newest_first=True)


def firmware_view(row: FirmwareFile) -> dict[str, Any]:
    return {
        "uuid": str(row.uuid),
        "name": row.name,
        "size_bytes": row.size_bytes,
        "sha256": row.sha256,
        "signed": row.signature is not None,
        "signing_certificate": row.signing_certificate,
        "signature": row.signature,
        "uploaded_by": row.uploaded_by,
        "created_at": row.created_at.isoformat(),
    }
