"""Reading and writing the record of charging profiles sent (table charging_profiles)."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.errors import NotFound
from fleetcharge.kit.cursors import Page, PageRequest, page_of
from fleetcharge.models import ChargingProfileRecord, Station

ACCEPTED = "Accepted"


def station_of(db: Session, identity: str) -> Station:
    station = db.scalar(select(Station).where(Station.ocpp_identity == identity))
    if station is None:
        raise NotFound(f"no charge station {identity!r}")
    return station


def add(
    db: Session,
    station_id: int,
    connector_id: int,
    profile: dict[str, Any],
    source: str,
    at: datetime,
) -> ChargingProfileRecord:
    record = ChargingProfileRecord(
        station_id=station_id,
        connector_id=connector_id,
        profile_id=int(profile["chargingProfileId"]),
        purpose=str(profile["chargingProfilePurpose"]),
        stack_level=int(profile["stackLevel"]),
        transaction_id=profile.get("transactionId"),
        profile=profile,
        unit=str(profile["chargingSchedule"]["chargingRateUnit"]),
        source=source,
        status=None,
        sent_at=at,
    )
    db.add(record)
    db.flush()
    return record


def _installed(db: Session, station_id: int) -> list[ChargingProfileRecord]:
    return list(
        db.scalars(
            select(ChargingProfileRecord).where(
                ChargingProfileRecord.station_id == station_id,
                ChargingProfileRecord.status == ACCEPTED,
                ChargingProfileRecord.cleared_at.is_(None),
            )
        )
    )


def answered(db: Session, record_id: int, status: str, at: datetime) -> ChargingProfileRecord:
    """The station's answer; an accepted profile replaces the installed one with its id, or
    with its stack level and purpose on the same connector (section 5.16.1)."""
    record = db.get(ChargingProfileRecord, record_id)
    assert record is not None
    record.status = status
    if status == ACCEPTED:
        for other in _installed(db, record.station_id):
            same_slot = (
                other.connector_id == record.connector_id
                and other.stack_level == record.stack_level
                and other.purpose == record.purpose
            )
            if other.id != record.id and (other.profile_id == record.profile_id or same_slot):
                other.cleared_at = at
    db.flush()
    return record


def cleared(
    db: Session,
    station_id: int,
    at: datetime,
    *,
    profile_id: int | None = None,
    connector_id: int | None = None,
    purpose: str | None = None,
    stack_level: int | None = None,
) -> list[ChargingProfileRecord]:
    """Mark what an accepted ClearChargingProfile removed: the profile with `profile_id` if
    given, else those matching every other criterion given (section 5.5)."""
    matched = []
    for record in _installed(db, station_id):
        if profile_id is not None:
            hit = record.profile_id == profile_id
        else:
            hit = (
                (connector_id is None or record.connector_id == connector_id)
                and (purpose is None or record.purpose == purpose)
                and (stack_level is None or record.stack_level == stack_level)
            )
        if hit:
            record.cleared_at = at
            matched.append(record)
    db.flush()
    return matched


def latest_status(db: Session, station_id: int) -> str | None:
    """The answer to the last SetChargingProfile the allocator sent the station (None: none
    sent, or not answered yet)."""
    return db.scalar(
        select(ChargingProfileRecord.status)
        .where(
            ChargingProfileRecord.station_id == station_id,
            ChargingProfileRecord.source == "allocator",
        )
        .order_by(ChargingProfileRecord.id.desc())
        .limit(1)
    )


def list_profiles(
    db: Session, station_id: int, page: PageRequest, *, installed: bool = False
) -> Page[ChargingProfileRecord]:
    query = select(ChargingProfileRecord).where(ChargingProfileRecord.station_id == station_id)
    if installed:
        query = query.where(
            ChargingProfileRecord.status == ACCEPTED, ChargingProfileRecord.cleared_at.is_(None)
        )
    return page_of(db, query, ChargingProfileRecord.id, page, newest_first=True)


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def view(record: ChargingProfileRecord) -> dict[str, Any]:
    return {
        "uuid": str(record.uuid),
        "connector_id": record.connector_id,
        "charging_profile_id": record.profile_id,
        "purpose": record.purpose,
        "stack_level": record.stack_level,
        "transaction_id": record.transaction_id,
        "unit": record.unit,
        "source": record.source,
        "status": record.status,
        "sent_at": _time(record.sent_at),
        "cleared_at": _time(record.cleared_at),
        "profile": record.profile,
    }
