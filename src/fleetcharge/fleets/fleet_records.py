"""Creating, renaming and finding fleets (flush only; the caller commits)."""

from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fleetcharge.audit.service import record
from fleetcharge.errors import Conflict
from fleetcharge.fleets.admin_schemas import FleetCreate, FleetRename
from fleetcharge.kit import fields
from fleetcharge.kit.cursors import Page, PageRequest, page_of
from fleetcharge.kit.versions import claim_version
from fleetcharge.lookup import visible_by_uuid
from fleetcharge.models import Fleet, Vehicle
from fleetcharge.organisations.service import visible_organisation
from fleetcharge.permissions import Actor
from fleetcharge.sites import vehicle_fields as sites


def fleet_view(fleet: Fleet) -> dict[str, Any]:
    return {
        "uuid": str(fleet.uuid),
        "name": fleet.name,
        "organisation": {"uuid": str(fleet.organisation.uuid), "name": fleet.organisation.name},
        "priority": fleet.priority,
        "created_at": fleet.created_at.isoformat(),
        "version": fleet.version,
    }


def get_fleet(db: Session, actor: Actor, uuid: UUID, field: str | None = None) -> Fleet:
    actor.require("fleets", "read")
    return visible_by_uuid(db, actor, Fleet, uuid, "fleet", field=field)


def list_fleets(
    db: Session,
    actor: Actor,
    page: PageRequest,
    *,
    organisation_id: int | None = None,
    q: str | None = None,
) -> Page[Fleet]:
    actor.require("fleets", "read")
    query = select(Fleet)
    if actor.organisation_id is not None:
        query = query.where(Fleet.organisation_id == actor.organisation_id)
    if organisation_id is not None:
        query = query.where(Fleet.organisation_id == organisation_id)
    if q and q.strip():
        query = query.where(Fleet.name.ilike(f"%{q.strip()}%"))
    return page_of(db, query, Fleet.id, page)


def create_fleet(db: Session, actor: Actor, data: FleetCreate) -> Fleet:
    actor.require("fleets", "create")
    organisation = visible_organisation(
        db, actor, data.organisation_uuid, field="organisation_uuid"
    )
    fleet = Fleet(organisation=organisation, name=_name(db, organisation.id, data.name))
    db.add(fleet)
    _flush(db, fleet.name)
    record(db, actor, "create", "fleet", fleet.uuid, organisation.id, None, fleet_view(fleet))
    return fleet


def rename_fleet(
    db: Session, actor: Actor, fleet: Fleet, data: FleetRename, expected: int | None = None
) -> Fleet:
    actor.require("fleets", "update")
    actor.visible_to(fleet.organisation_id, "fleet", fleet.uuid)
    claim_version(db, fleet, expected)
    before = fleet_view(fleet)
    if data.name is not None and data.name.strip() != fleet.name:
        fleet.name = _name(db, fleet.organisation_id, data.name)
        _flush(db, fleet.name)
    if data.priority is not None and data.priority != fleet.priority:
        fleet.priority = data.priority
        db.flush()
        sites.vehicle_changed(
            db, list(db.scalars(select(Vehicle.id).where(Vehicle.fleet_id == fleet.id)))
        )
    record(
        db, actor, "update", "fleet", fleet.uuid, fleet.organisation_id, before, fleet_view(fleet)
    )
    return fleet


def _name(db: Session, organisation_id: int, name: str) -> str:
    cleaned = fields.text(name, "name", max_length=200)
    taken = select(Fleet.id).where(Fleet.organisation_id == organisation_id, Fleet.name == cleaned)
    if db.scalar(taken) is not None:
        raise Conflict(f"the organisation already has a fleet named {cleaned!r}", field="name")
    return cleaned


def _flush(db: Session, name: str) -> None:
    try:
        db.flush()
    except IntegrityError:
        raise Conflict(
            f"the organisation already has a fleet named {name!r}", field="name"
        ) from None
