"""Creating, changing and finding locations (flush only; the caller commits)."""

from typing import Any
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fleetcharge.audit.service import record
from fleetcharge.errors import InvalidField, NotFound
from fleetcharge.kit import fields
from fleetcharge.kit.cursors import Page, PageRequest, page_of
from fleetcharge.kit.versions import claim_version
from fleetcharge.lookup import by_name_or_uuid
from fleetcharge.models import Location, Organisation
from fleetcharge.network.schemas import LocationCreate, LocationUpdate
from fleetcharge.permissions import Actor


def location_view(location: Location) -> dict[str, Any]:
    return {
        "uuid": str(location.uuid),
        "name": location.name,
        "address": location.address,
        "timezone": location.timezone,
        "host_organisation_uuid": str(location.host_organisation.uuid),
        "created_at": location.created_at.isoformat(),
        "version": location.version,
    }


def find_location(db: Session, name_or_uuid: str) -> Location:
    return by_name_or_uuid(db, Location, name_or_uuid, "location")


def get_location(db: Session, actor: Actor, uuid: UUID) -> Location:
    actor.require("locations", "read")
    location = db.scalar(select(Location).where(Location.uuid == uuid))
    if location is None:
        raise NotFound(f"no location {uuid}")
    return location


def location_by_field(db: Session, value: str, field: str) -> Location:
    """The location a body field names by UUID (a wrong one is that field's error)."""
    location = db.scalar(select(Location).where(Location.uuid == uuid_of(value, field)))
    if location is None:
        raise InvalidField(f"{field}: no location {value}", field=field)
    return location


def uuid_of(value: str, field: str) -> UUID:
    try:
        return UUID(value.strip())
    except ValueError:
        raise InvalidField(f"{field} must be a UUID, got {value!r}", field=field) from None


def list_locations(
    db: Session,
    actor: Actor,
    page: PageRequest,
    *,
    organisation_uuid: UUID | None = None,
    q: str | None = None,
) -> Page[Location]:
    actor.require("locations", "read")
    query = select(Location)
    if organisation_uuid is not None:
        query = query.join(Organisation, Organisation.id == Location.host_organisation_id).where(
            Organisation.uuid == organisation_uuid
        )
    if q and q.strip():
        pattern = f"%{q.strip()}%"
        query = query.where(or_(Location.name.ilike(pattern), Location.address.ilike(pattern)))
    return page_of(db, query, Location.id, page)


def create_location(db: Session, actor: Actor, data: LocationCreate) -> Location:
    actor.require("locations", "create")
    location = Location(
        name=fields.text(data.name, "name", max_length=200),
        address=fields.text(data.address, "address", max_length=300),
        timezone=fields.timezone(data.timezone),
        host_organisation_id=_host(db, data.host_organisation_uuid).id,
    )
    db.add(location)
    db.flush()
    record(db, actor, "create", "location", location.uuid, None, None, location_view(location))
    return location


def update_location(
    db: Session,
    actor: Actor,
    location: Location,
    data: LocationUpdate,
    expected_version: int | None = None,
) -> Location:
    actor.require("locations", "update")
    claim_version(db, location, expected_version)
    before = location_view(location)
    if data.name is not None:
        location.name = fields.text(data.name, "name", max_length=200)
    if data.address is not None:
        location.address = fields.text(data.address, "address", max_length=300)
    if data.timezone is not None:
        location.timezone = fields.timezone(data.timezone)
    if data.host_organisation_uuid is not None:
        host = _host(db, data.host_organisation_uuid)
        location.host_organisation_id = host.id
        location.host_organisation = host
    db.flush()
    after = location_view(location)
    record(db, actor, "update", "location", location.uuid, None, before, after)
    return location


def _host(db: Session, value: str) -> Organisation:
    field = "host_organisation_uuid"
    host = db.scalar(select(Organisation).where(Organisation.uuid == uuid_of(value, field)))
    if host is None:
        raise InvalidField(f"{field}: no organisation {value}", field=field)
    return host
