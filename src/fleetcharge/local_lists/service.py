"""Keeping a station's local list in step with the cards (flush only; the caller commits).

The list a station should hold is computed from the cards tables each time (see
`repository.desired_list`); what it holds is what it accepted (`local_list_entries`, at
`local_list_states.version`). A change of a card (blocked, unblocked, expired, moved to
another organisation) makes the two differ, and the central system sends the difference.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.audit.service import record
from fleetcharge.errors import NotFound
from fleetcharge.kit.cursors import Page, PageRequest, page_of
from fleetcharge.local_lists import repository
from fleetcharge.local_lists.entries import FULL, Change, Update, differences
from fleetcharge.models import LocalListEntry, LocalListState, Location, LocationLocalList, Station
from fleetcharge.models.local_list import LocalListScope
from fleetcharge.permissions import Actor

ACCEPTED = "Accepted"


@dataclass(frozen=True)
class Pending:
    """What a station's list lacks: `changes` to send after `version` (the one it holds),
    making it `list_size` entries long."""

    station_id: int
    version: int
    changes: tuple[Change, ...]
    list_size: int
    full: bool


def pending(
    db: Session, station_id: int, at: datetime, *, full: bool = False, after_version: int = 0
) -> Pending:
    """The changes to send: every entry when `full`, else the differences from what the
    station holds. Versions continue from ours, or from `after_version` if higher (the
    version the station reported)."""
    state = db.get(LocalListState, station_id)
    desired = repository.desired_list(db, station_id, at)
    if full:
        changes = [Change(tag, desired[tag]) for tag in sorted(desired)]
    else:
        changes = differences(repository.held_list(db, station_id), desired)
    version = max(state.version if state is not None else 0, after_version)
    return Pending(station_id, version, tuple(changes), len(desired), full)


def record_answer(db: Session, station_id: int, update: Update, result: str, at: datetime) -> None:
    """The station's answer to one SendLocalList (`result`: its status, or why it gave none);
    an Accepted update is what the station holds from now on."""
    state = repository.state(db, station_id)
    state.last_update_type = update.update_type
    state.last_result = result
    state.last_sync_at = at
    if result != ACCEPTED:
        return
    state.version = update.list_version
    state.synced_at = at
    if update.update_type == FULL:
        repository.clear(db, station_id)
        db.flush()
    for change in update.changes:
        if change.entry is None:
            repository.remove(db, station_id, change.id_tag)
        else:
            repository.put(db, station_id, change.entry)
    db.flush()


def record_version(db: Session, station_id: int, version: int, at: datetime) -> int:
    """The version the station reported (GetLocalListVersion); ours is returned."""
    state = repository.state(db, station_id)
    state.reported_version = version
    state.reported_at = at
    db.flush()
    return state.version


def station_id(db: Session, identity: str) -> int:
    found = db.scalar(select(Station.id).where(Station.ocpp_identity == identity))
    if found is None:
        raise NotFound(f"no charge station {identity!r}")
    return found


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def state_view(db: Session, identity: str, at: datetime) -> dict[str, Any]:
    """What the station holds per our records, and whether it is in step."""
    found = station_id(db, identity)
    state = db.get(LocalListState, found) or LocalListState(station_id=found, version=0)
    out_of_step = pending(db, found, at)
    station = db.get(Station, found)
    assert station is not None
    return {
        "station": identity,
        "scope": repository.scope_of(db, station.location_id).value,
        "version": state.version,
        "entries": len(repository.held_list(db, found)),
        "pending_changes": len(out_of_step.changes),
        "last_update_type": state.last_update_type,
        "last_result": state.last_result,
        "last_sync_at": _time(state.last_sync_at),
        "synced_at": _time(state.synced_at),
        "reported_version": state.reported_version,
        "reported_at": _time(state.reported_at),
    }


def entry_view(row: LocalListEntry) -> dict[str, Any]:
    return {
        "id_tag": row.id_tag,
        "status": row.status,
        "expiry_date": _time(row.expiry_date),
        "parent_id_tag": row.parent_id_tag,
    }


def list_entries(db: Session, identity: str, page: PageRequest) -> Page[LocalListEntry]:
    found = station_id(db, identity)
    query = select(LocalListEntry).where(LocalListEntry.station_id == found)
    return page_of(db, query, LocalListEntry.id, page)


def scope_view(location: Location, scope: LocalListScope) -> dict[str, Any]:
    return {"location_uuid": str(location.uuid), "scope": scope.value}


def set_scope(
    db: Session, actor: Actor, location: Location, scope: LocalListScope
) -> dict[str, Any]:
    """Which cards the location's stations hold; they are sent the difference shortly."""
    actor.require("locations", "update")
    before = scope_view(location, repository.scope_of(db, location.id))
    row = db.get(LocationLocalList, location.id)
    if row is None:
        row = LocationLocalList(location_id=location.id, scope=scope.value)
        db.add(row)
    row.scope = scope.value
    db.flush()
    after = scope_view(location, scope)
    record(db, actor, "set_local_list", "location", location.uuid, None, before, after)
    return after
