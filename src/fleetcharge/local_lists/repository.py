"""Reading and writing the local lists' tables (flush only)."""

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from fleetcharge.local_lists.entries import MAX_ID_TAG, Entry
from fleetcharge.models import (
    Card,
    LocalListEntry,
    LocalListState,
    Location,
    LocationLocalList,
    Station,
)
from fleetcharge.models.local_list import LocalListScope
from fleetcharge.models.vehicle import CardStatus


def scope_of(db: Session, location_id: int) -> LocalListScope:
    row = db.get(LocationLocalList, location_id)
    return LocalListScope(row.scope) if row is not None else LocalListScope.HOST


def desired_list(db: Session, station_id: int, at: datetime) -> dict[str, Entry]:
    """The entries the station should hold at `at`, by idTag: the cards its location's
    scope names, each with its status (Accepted, Blocked, Expired) and expiry."""
    station = db.get(Station, station_id)
    if station is None:
        return {}
    location = db.get(Location, station.location_id)
    assert location is not None
    scope = scope_of(db, location.id)
    if scope is LocalListScope.NONE:
        return {}
    query = select(Card.id_tag, Card.status, Card.expires_at).where(
        func.length(Card.id_tag) <= MAX_ID_TAG
    )
    if scope is LocalListScope.HOST:
        query = query.where(Card.organisation_id == location.host_organisation_id)
    listed = {}
    for id_tag, status, expires_at in db.execute(query):
        listed[id_tag] = Entry(id_tag, _status(status, expires_at, at), expires_at)
    return listed


def _status(status: str, expires_at: datetime | None, at: datetime) -> str:
    if status == CardStatus.BLOCKED:
        return "Blocked"
    if expires_at is not None and expires_at <= at:
        return "Expired"
    return "Accepted"


def held_list(db: Session, station_id: int) -> dict[str, Entry]:
    rows = db.scalars(select(LocalListEntry).where(LocalListEntry.station_id == station_id))
    return {
        row.id_tag: Entry(row.id_tag, row.status, row.expiry_date, row.parent_id_tag)
        for row in rows
    }


def state(db: Session, station_id: int) -> LocalListState:
    """The station's state row, made (version 0: no list) when it has none yet."""
    row = db.get(LocalListState, station_id)
    if row is None:
        row = LocalListState(station_id=station_id, version=0)
        db.add(row)
        db.flush()
    return row


def clear(db: Session, station_id: int) -> None:
    db.execute(delete(LocalListEntry).where(LocalListEntry.station_id == station_id))


def put(db: Session, station_id: int, entry: Entry) -> None:
    row = db.scalar(
        select(LocalListEntry).where(
            LocalListEntry.station_id == station_id, LocalListEntry.id_tag == entry.id_tag
        )
    )
    if row is None:
        row = LocalListEntry(station_id=station_id, id_tag=entry.id_tag)
        db.add(row)
    row.status = entry.status
    row.expiry_date = entry.expiry_date
    row.parent_id_tag = entry.parent_id_tag


def remove(db: Session, station_id: int, id_tag: str) -> None:
    db.execute(
        delete(LocalListEntry).where(
            LocalListEntry.station_id == station_id, LocalListEntry.id_tag == id_tag
        )
    )
