"""Storing what stations report under the security extensions, and reading it back for
operators. The callers' units of work commit; these only flush."""

from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from fleetcharge.audit.service import record
from fleetcharge.errors import NotFound
from fleetcharge.kit.cursors import Page, PageRequest, page_of
from fleetcharge.models import (
    Station,
    StationCertificateRequest,
    StationInstalledCertificate,
    StationSecurityEvent,
)
from fleetcharge.permissions import Actor
from fleetcharge.station_security.events import is_critical

# Certificate signing requests kept per station (a station may renew as often as it likes).
CERTIFICATE_REQUESTS_KEPT = 100
# Certificates of one type kept from one GetInstalledCertificateIds answer.
INSTALLED_KEPT = 500
ACCEPTED, REJECTED = "Accepted", "Rejected"


def station_named(db: Session, identity: str) -> Station:
    station = db.scalar(select(Station).where(Station.ocpp_identity == identity))
    if station is None:
        raise NotFound(f"no charge station with identity {identity!r}", parameter="identity")
    return station


def _keep_newest(db: Session, query: "Select[Any]", table: Any, station_id: int, keep: int) -> None:
    """Delete the station's rows of `table` older than its newest `keep`."""
    cutoff = db.scalar(query.order_by(table.id.desc()).offset(keep).limit(1))
    if cutoff is not None:
        db.execute(delete(table).where(table.station_id == station_id, table.id <= cutoff))


# -- security events -------------------------------------------------------------------------


def record_security_event(
    db: Session,
    station_id: int,
    event_type: str,
    occurred_at: datetime,
    received_at: datetime,
    tech_info: str | None,
    keep: int,
) -> StationSecurityEvent:
    event = StationSecurityEvent(
        station_id=station_id,
        type=event_type,
        critical=is_critical(event_type),
        occurred_at=occurred_at,
        received_at=received_at,
        tech_info=tech_info,
    )
    db.add(event)
    db.flush()
    query = select(StationSecurityEvent.id).where(StationSecurityEvent.station_id == station_id)
    _keep_newest(db, query, StationSecurityEvent, station_id, keep)
    return event


def list_security_events(
    db: Session, station_id: int, page: PageRequest, event_type: str | None = None
) -> Page[StationSecurityEvent]:
    """Newest first."""
    query = select(StationSecurityEvent).where(StationSecurityEvent.station_id == station_id)
    if event_type is not None:
        query = query.where(StationSecurityEvent.type == event_type)
    return page_of(db, query, StationSecurityEvent.id, page, newest_first=True)


def security_event_view(event: StationSecurityEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event.type,
        "critical": event.critical,
        "timestamp": event.occurred_at.isoformat(),
        "received_at": event.received_at.isoformat(),
        "tech_info": event.tech_info,
    }


# -- certificate signing requests ------------------------------------------------------------


def record_certificate_request(
    db: Session,
    station_id: int,
    csr: str,
    received_at: datetime,
    reason: str | None,
) -> StationCertificateRequest:
    """A SignCertificate, Rejected with `reason`, or Accepted (to be signed) without one."""
    request = StationCertificateRequest(
        station_id=station_id,
        received_at=received_at,
        csr=csr,
        status=ACCEPTED if reason is None else REJECTED,
        reason=reason,
    )
    db.add(request)
    db.flush()
    query = select(StationCertificateRequest.id).where(
        StationCertificateRequest.station_id == station_id
    )
    _keep_newest(db, query, StationCertificateRequest, station_id, CERTIFICATE_REQUESTS_KEPT)
    return request


def record_signed(
    db: Session,
    request_id: int,
    certificate_pem: str,
    serial_number: str,
    valid_until: datetime,
    signed_at: datetime,
) -> None:
    request = db.get(StationCertificateRequest, request_id)
    if request is not None:  # unless pruned meanwhile
        request.certificate = certificate_pem
        request.serial_number = serial_number
        request.valid_until = valid_until
        request.signed_at = signed_at


def record_signing_failed(db: Session, request_id: int, reason: str) -> None:
    request = db.get(StationCertificateRequest, request_id)
    if request is not None:
        request.reason = reason[:200]


def record_delivery(db: Session, request_id: int, delivery: str, detail: str | None) -> None:
    """How the station took its certificate: its CertificateSigned answer, or the error."""
    request = db.get(StationCertificateRequest, request_id)
    if request is not None:
        request.delivery = delivery[:12]
        request.delivery_detail = None if detail is None else detail[:200]


def list_certificate_requests(
    db: Session, station_id: int, page: PageRequest
) -> Page[StationCertificateRequest]:
    query = select(StationCertificateRequest).where(
        StationCertificateRequest.station_id == station_id
    )
    return page_of(db, query, StationCertificateRequest.id, page, newest_first=True)


def certificate_request_view(request: StationCertificateRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "received_at": request.received_at.isoformat(),
        "status": request.status,
        "reason": request.reason,
        "csr": request.csr,
        "serial_number": request.serial_number,
        "certificate": request.certificate,
        "valid_until": request.valid_until.isoformat() if request.valid_until else None,
        "signed_at": request.signed_at.isoformat() if request.signed_at else None,
        "delivery": request.delivery,
        "delivery_detail": request.delivery_detail,
    }


# -- installed certificates ------------------------------------------------------------------


def replace_installed(
    db: Session,
    station_id: int,
    certificate_type: str,
    answer: dict[str, Any],
    reported_at: datetime,
) -> int:
    """What a GetInstalledCertificateIds answer lists replaces what the station listed of
    that type before (NotFound: none); how many are kept."""
    db.execute(
        delete(StationInstalledCertificate).where(
            StationInstalledCertificate.station_id == station_id,
            StationInstalledCertificate.certificate_type == certificate_type,
        )
    )
    listed = (answer.get("certificateHashData") or []) if answer.get("status") == ACCEPTED else []
    for item in listed[:INSTALLED_KEPT]:
        db.add(
            StationInstalledCertificate(
                station_id=station_id,
                certificate_type=certificate_type,
                hash_algorithm=item["hashAlgorithm"],
                issuer_name_hash=item["issuerNameHash"],
                issuer_key_hash=item["issuerKeyHash"],
                serial_number=item["serialNumber"],
                reported_at=reported_at,
            )
        )
    db.flush()
    return min(len(listed), INSTALLED_KEPT)


def list_installed(
    db: Session, station_id: int, page: PageRequest, certificate_type: str | None = None
) -> Page[StationInstalledCertificate]:
    query = select(StationInstalledCertificate).where(
        StationInstalledCertificate.station_id == station_id
    )
    if certificate_type is not None:
        query = query.where(StationInstalledCertificate.certificate_type == certificate_type)
    return page_of(db, query, StationInstalledCertificate.id, page)


def installed_view(certificate: StationInstalledCertificate) -> dict[str, Any]:
    return {
        "id": certificate.id,
        "certificate_type": certificate.certificate_type,
        "certificate_hash_data": {
            "hashAlgorithm": certificate.hash_algorithm,
            "issuerNameHash": certificate.issuer_name_hash,
            "issuerKeyHash": certificate.issuer_key_hash,
            "serialNumber": certificate.serial_number,
        },
        "reported_at": certificate.reported_at.isoformat(),
    }


# -- operators' changes ----------------------------------------------------------------------


def audit_command(
    db: Session, actor: Actor, identity: str, action: str, sent: dict[str, Any], status: str | None
) -> None:
    """A certificate change an operator asked a station for, and the station's answer."""
    station = db.scalar(select(Station).where(Station.ocpp_identity == identity))
    if station is None:  # connected under an identity since deleted: nothing to attach it to
        return
    after = {"identity": identity, "sent": sent, "status": status}
    record(db, actor, action, "station", station.uuid, None, None, after)
