"""Firmware updates, diagnostics and log requests sent to stations (flush only): each a row
made before it is sent (its id is the requestId), then the station's answer, or why it
never answered, and the statuses the station reports afterwards."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.audit.service import record
from fleetcharge.errors import InvalidField, NotFound
from fleetcharge.firmware.files import get_firmware
from fleetcharge.firmware.links import FileSettings, Link, new_link
from fleetcharge.firmware.orders import (
    REFUSALS,
    FirmwareOrder,
    Kind,
    UploadOrder,
    firmware_payload,
    upload_payload,
)
from fleetcharge.firmware.signing import check_signing
from fleetcharge.kit.cursors import Page, PageRequest, page_of
from fleetcharge.models import (
    FirmwareFile,
    Station,
    StationTransfer,
    StationTransferStatus,
    StationUpload,
)
from fleetcharge.permissions import Actor


@dataclass(frozen=True)
class Prepared:
    """A request stored and ready to send."""

    transfer_id: int
    action: str
    payload: dict[str, Any]  # as sent, with the link's token


def station_for(db: Session, actor: Actor, identity: str, action: str = "read") -> Station:
    actor.require("stations", action)
    station = db.scalar(select(Station).where(Station.ocpp_identity == identity))
    if station is None:
        raise NotFound(f"no station {identity!r}")
    return station


def prepare(
    db: Session,
    actor: Actor,
    identity: str,
    order: FirmwareOrder | UploadOrder,
    files: FileSettings,
    base_url: str,
    now: datetime,
) -> Prepared:
    """Store the request and build its payload (with a link of its own to our file)."""
    station = station_for(db, actor, identity, "command")
    transfer = StationTransfer(
        station_id=station.id,
        kind=order.kind,
        log_type=order.log_type if isinstance(order, UploadOrder) else None,
        request={},
        requested_by=actor.name,
    )
    link: Link | None = None
    if isinstance(order, FirmwareOrder):
        retrieve_at = max(order.retrieve_at or now, now)
        firmware = None
        if order.firmware_uuid is not None:
            firmware = get_firmware(db, actor, order.firmware_uuid, field="firmwareUuid")
            transfer.firmware_file_id = firmware.id
            link = new_link(base_url, retrieve_at + files.link_lifetime)
        signing = _signing(order, firmware) if order.signed else None
        db.add(transfer)
        db.flush()  # its id is the requestId
        location = link.url(firmware.name) if link and firmware else str(order.location)
        payload = firmware_payload(order, transfer.id, location, retrieve_at, signing)
    else:
        link = new_link(base_url, now + files.link_lifetime)
        db.add(transfer)
        db.flush()
        payload = upload_payload(order, transfer.id, link.url())
    if link is not None:
        transfer.token_sha256, transfer.token_expires_at = link.sha256, link.expires_at
        transfer.request = json.loads(link.hidden(json.dumps(payload)))
    else:
        transfer.request = payload
    db.flush()
    record(db, actor, "create", "station_transfer", transfer.uuid, None, None, _audited(transfer))
    return Prepared(transfer.id, order.kind.action, payload)


def _signing(order: FirmwareOrder, firmware: FirmwareFile | None) -> tuple[str, str]:
    certificate = order.signing_certificate
    signature = order.signature
    if certificate is None and signature is None and firmware is not None:
        certificate, signature = firmware.signing_certificate, firmware.signature
    if certificate is None:
        raise InvalidField(
            "signingCertificate: required (the firmware file was uploaded without one)",
            field="signingCertificate",
        )
    if signature is None:
        raise InvalidField("signature: required with signingCertificate", field="signature")
    return check_signing(certificate, signature)


def record_answer(db: Session, transfer_id: int, answer: dict[str, Any]) -> None:
    transfer = db.get_one(StationTransfer, transfer_id)
    transfer.answer = answer
    if answer.get("status") in REFUSALS:
        _close_link(transfer)


def record_failure(db: Session, transfer_id: int, code: str) -> None:
    """The station never answered (not connected, CallError, timeout): the link dies."""
    transfer = db.get_one(StationTransfer, transfer_id)
    transfer.error = code
    _close_link(transfer)


def _close_link(transfer: StationTransfer) -> None:
    transfer.token_sha256 = None
    transfer.token_expires_at = None


def record_status(
    db: Session,
    station_id: int,
    kinds: Sequence[Kind],
    status: str,
    received_at: datetime,
    request_id: int | None = None,
) -> bool:
    """Add a status the station reported to its request (by requestId, else its latest
    request of these kinds); False when it has none."""
    query = select(StationTransfer).where(
        StationTransfer.station_id == station_id,
        StationTransfer.kind.in_([str(kind) for kind in kinds]),
    )
    if request_id is not None:
        query = query.where(StationTransfer.id == request_id)
    else:
        query = query.where(StationTransfer.error.is_(None))
    transfer = db.scalar(query.order_by(StationTransfer.id.desc()).limit(1))
    if transfer is None:
        return False
    db.add(StationTransferStatus(transfer_id=transfer.id, status=status, received_at=received_at))
    transfer.status, transfer.status_at = status, received_at
    return True


# -- reading ------------------------------------------------------------------------------


def list_transfers(
    db: Session, actor: Actor, identity: str, kinds: Sequence[Kind], page: PageRequest
) -> tuple[Station, Page[StationTransfer]]:
    station = station_for(db, actor, identity)
    query = select(StationTransfer).where(
        StationTransfer.station_id == station.id,
        StationTransfer.kind.in_([str(kind) for kind in kinds]),
    )
    return station, page_of(db, query, StationTransfer.id, page, newest_first=True)


def get_transfer(db: Session, actor: Actor, identity: str, uuid: UUID) -> StationTransfer:
    station = station_for(db, actor, identity)
    transfer = db.scalar(
        select(StationTransfer).where(
            StationTransfer.uuid == uuid, StationTransfer.station_id == station.id
        )
    )
    if transfer is None:
        raise NotFound(f"station {identity!r} has no request {uuid}")
    return transfer


def transfer_views(
    db: Session, identity: str, transfers: Sequence[StationTransfer], history: bool = False
) -> list[dict[str, Any]]:
    ids = [transfer.id for transfer in transfers]
    file_ids = {t.firmware_file_id for t in transfers if t.firmware_file_id is not None}
    firmware: dict[int, UUID] = {
        row.id: row.uuid
        for row in db.execute(
            select(FirmwareFile.id, FirmwareFile.uuid).where(FirmwareFile.id.in_(file_ids))
        )
    }
    uploads = {
        upload.transfer_id: upload
        for upload in db.scalars(select(StationUpload).where(StationUpload.transfer_id.in_(ids)))
    }
    statuses: dict[int, list[dict[str, str]]] = {}
    if history:
        for row in db.scalars(
            select(StationTransferStatus)
            .where(StationTransferStatus.transfer_id.in_(ids))
            .order_by(StationTransferStatus.id)
        ):
            statuses.setdefault(row.transfer_id, []).append(
                {"status": row.status, "received_at": row.received_at.isoformat()}
            )
    views = []
    for transfer in transfers:
        view = _view(transfer, identity, firmware.get(transfer.firmware_file_id or 0))
        upload = uploads.get(transfer.id)
        view["upload"] = _upload_view(upload) if upload is not None else None
        if history:
            view["history"] = statuses.get(transfer.id, [])
        views.append(view)
    return views


def _view(transfer: StationTransfer, identity: str, firmware: UUID | None) -> dict[str, Any]:
    answer = transfer.answer
    file_name = None
    if answer is not None:
        file_name = answer.get("fileName") or answer.get("filename")
    return {
        "uuid": str(transfer.uuid),
        "request_id": transfer.id,
        "station": identity,
        "kind": transfer.kind,
        "action": Kind(transfer.kind).action,
        "log_type": transfer.log_type,
        "firmware_uuid": str(firmware) if firmware is not None else None,
        "request": transfer.request,
        "answer": answer,
        "error": transfer.error,
        "file_name": file_name,
        "status": transfer.status,
        "status_at": transfer.status_at.isoformat() if transfer.status_at else None,
        "link_expires_at": (
            transfer.token_expires_at.isoformat() if transfer.token_expires_at else None
        ),
        "requested_by": transfer.requested_by,
        "created_at": transfer.created_at.isoformat(),
    }


def _audited(transfer: StationTransfer) -> dict[str, Any]:
    return {"kind": transfer.kind, "request_id": transfer.id, "request": transfer.request}


def _upload_view(upload: StationUpload) -> dict[str, Any]:
    return {
        "name": upload.name,
        "content_type": upload.content_type,
        "size_bytes": upload.size_bytes,
        "sha256": upload.sha256,
        "received_at": upload.received_at.isoformat(),
    }
