"""Creating, changing, finding, approving and decommissioning stations (flush only; the
caller commits); an unknown station that connects is created pending approval.
Decommissioned stations keep their history and are refused on connect."""

import contextlib
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fleetcharge.audit.service import record
from fleetcharge.errors import Conflict, InvalidField, NotFound
from fleetcharge.kit import fields
from fleetcharge.kit.cursors import Page, PageRequest, page_of
from fleetcharge.kit.versions import claim_version
from fleetcharge.models import Location, Organisation, SiteCircuit, Station, Tariff
from fleetcharge.models.location import Registration
from fleetcharge.network import connectors
from fleetcharge.network.locations import location_by_field, uuid_of
from fleetcharge.network.password_hashing import hash_password
from fleetcharge.network.schemas import StationCreate, StationFields, StationUpdate
from fleetcharge.network.tariff_changes import change_tariff
from fleetcharge.permissions import Actor
from fleetcharge.sites import service as sites

Status = Literal["active", "pending", "decommissioned"]


def station_view(station: Station) -> dict[str, Any]:
    return {
        "uuid": str(station.uuid),
        "identity": station.ocpp_identity,
        "evse_id": station.evse_id,
        "name": station.name,
        "current_type": station.current_type,
        "max_power_kw": str(station.max_power_kw),
        "location_uuid": str(station.location.uuid),
        "host_organisation_uuid": str(station.location.host_organisation.uuid),
        "tariff_uuid": str(station.tariff.uuid) if station.tariff is not None else None,
        "connectors": [
            {"connector_id": c.connector_id, "name": c.name} for c in station.connectors
        ],
        "status": status_of(station),
        "decommissioned_at": station.decommissioned_at.isoformat()
        if station.decommissioned_at
        else None,
        "has_password": station.password_hash is not None,
        "phases": station.phases,
        "circuit_uuid": str(station.circuit.uuid) if station.circuit is not None else None,
        "created_at": station.created_at.isoformat(),
        "version": station.version,
    }


def status_of(station: Station) -> Status:
    if station.decommissioned_at is not None:
        return "decommissioned"
    return "pending" if station.registration_status == Registration.PENDING else "active"


def get_station(db: Session, actor: Actor, uuid: UUID) -> Station:
    actor.require("stations", "read")
    station = db.scalar(select(Station).where(Station.uuid == uuid))
    if station is None:
        raise NotFound(f"no station {uuid}")
    return station


def find_station(db: Session, reference: str) -> Station:
    """A station by its identity, EVSE id or UUID (the CLI's way)."""
    conditions = [Station.ocpp_identity == reference, Station.evse_id == reference]
    with contextlib.suppress(ValueError):
        conditions.append(Station.uuid == UUID(reference))
    station = db.scalar(select(Station).where(or_(*conditions)).limit(1))
    if station is None:
        raise NotFound(f"no station with identity, EVSE id or UUID {reference!r}")
    return station


def list_stations(
    db: Session,
    actor: Actor,
    page: PageRequest,
    *,
    location_uuid: UUID | None = None,
    organisation_uuid: UUID | None = None,
    status: Status | None = None,
    q: str | None = None,
) -> Page[Station]:
    actor.require("stations", "read")
    query = select(Station)
    if location_uuid is not None or organisation_uuid is not None:
        query = query.join(Location, Location.id == Station.location_id)
    if location_uuid is not None:
        query = query.where(Location.uuid == location_uuid)
    if organisation_uuid is not None:
        query = query.join(Organisation, Organisation.id == Location.host_organisation_id).where(
            Organisation.uuid == organisation_uuid
        )
    if status in ("active", "pending"):
        registration = Registration.PENDING if status == "pending" else Registration.ACCEPTED
        query = query.where(
            Station.decommissioned_at.is_(None), Station.registration_status == registration
        )
    elif status == "decommissioned":
        query = query.where(Station.decommissioned_at.is_not(None))
    if q and q.strip():
        pattern = f"%{q.strip()}%"
        query = query.where(
            or_(
                Station.name.ilike(pattern),
                Station.ocpp_identity.ilike(pattern),
                Station.evse_id.ilike(pattern),
            )
        )
    return page_of(db, query, Station.id, page)


def create_station(db: Session, actor: Actor, data: StationCreate) -> Station:
    actor.require("stations", "create")
    identity = fields.station_identity(data.identity)
    evse_id = fields.evse_id(data.evse_id)
    location = location_by_field(db, data.location_uuid, "location_uuid")
    with db.no_autoflush:  # the station is written once complete
        station = Station(
            ocpp_identity=identity,
            evse_id=evse_id,
            name=fields.text(data.name, "name", max_length=200),
            location=location,
            current_type=data.current_type or "AC",
            max_power_kw=_power(data.max_power_kw)
            if data.max_power_kw is not None
            else Decimal(22),
            connectors=[],
        )
        _apply(db, station, data, datetime.now(UTC))
        _unique(db, identity, evse_id)  # once every field is valid
        db.add(station)
    _flush(db, identity, evse_id)
    record(db, actor, "create", "station", station.uuid, None, None, station_view(station))
    return station


def register_pending(
    db: Session, location: Location, identity: str, password: str | None
) -> Station:
    """A station that connected with an identity we do not know (auto-registration),
    created at `location` pending approval with the password it sent (flushed). Its EVSE id
    is its identity, unless another station has that one."""
    evse_id = identity
    if _evse_id_taken(db, evse_id):
        evse_id = f"{identity}-{location.id}"
    station = Station(
        location=location,
        evse_id=evse_id,
        name=identity,
        ocpp_identity=identity,
        registration_status=Registration.PENDING,
        password_hash=hash_password(password) if password is not None else None,
    )
    db.add(station)
    db.flush()
    return station


def update_station(
    db: Session,
    actor: Actor,
    station: Station,
    data: StationUpdate,
    expected_version: int | None = None,
) -> Station:
    actor.require("stations", "update")
    claim_version(db, station, expected_version)
    before = station_view(station)
    if data.name is not None:
        station.name = fields.text(data.name, "name", max_length=200)
    if data.current_type is not None:
        station.current_type = data.current_type
    if data.max_power_kw is not None:
        station.max_power_kw = _power(data.max_power_kw)
    moved_from = station.location_id
    if data.location_uuid is not None:
        station.location = location_by_field(db, data.location_uuid, "location_uuid")
        station.location_id = station.location.id
        if station.location_id != moved_from and data.circuit is None:
            station.circuit_id, station.circuit = None, None  # circuits are per site
    _apply(db, station, data, datetime.now(UTC))
    db.flush()
    after = station_view(station)
    record(db, actor, "update", "station", station.uuid, None, before, after)
    if _smart_charging_fields(before) != _smart_charging_fields(after):
        for location_id in {moved_from, station.location_id}:
            sites.changed(db, location_id)
    return station


def _smart_charging_fields(view: dict[str, Any]) -> tuple[Any, ...]:
    names = ("max_power_kw", "current_type", "phases", "circuit_uuid", "location_uuid", "status")
    return tuple(view[name] for name in names)


def decommission(db: Session, actor: Actor, station: Station) -> Station:
    """From now on the station is refused on connect (again: no change)."""
    actor.require("stations", "update")
    if station.decommissioned_at is not None:
        return station
    claim_version(db, station, None)
    before = station_view(station)
    station.decommissioned_at = datetime.now(UTC)
    db.flush()
    after = station_view(station)
    record(db, actor, "decommission", "station", station.uuid, None, before, after)
    sites.changed(db, station.location_id)
    return station


def approve(db: Session, actor: Actor, station: Station) -> bool:
    """An auto-registered station is accepted: its BootNotification is answered Accepted
    from now on (fleetcharge.csms.held_sessions.approve_station also records the sessions
    held while it was pending). Whether it was pending: again, or for a station never
    pending, no change."""
    actor.require("stations", "approve")
    if station.registration_status != Registration.PENDING:
        return False
    if station.decommissioned_at is not None:
        raise Conflict(f"station {station.uuid} is decommissioned", field="uuid")
    claim_version(db, station, None)
    before = station_view(station)
    station.registration_status = Registration.ACCEPTED
    db.flush()
    record(db, actor, "approve", "station", station.uuid, None, before, station_view(station))
    return True


def _apply(db: Session, station: Station, data: StationFields, now: datetime) -> None:
    if data.tariff_uuid is not None:
        change_tariff(db, station, _tariff(db, data.tariff_uuid), now)
    if data.connectors is not None:
        connectors.replace(db, station, connectors.checked(data.connectors))
    if data.phases is not None:
        station.phases = data.phases
    if data.circuit is not None:
        if station.location_id is None:
            station.location_id = station.location.id
        circuit_id = sites.station_circuit(db, station, data.circuit)
        station.circuit_id = circuit_id
        station.circuit = db.get(SiteCircuit, circuit_id) if circuit_id is not None else None


def _tariff(db: Session, value: str) -> Tariff | None:
    if not value.strip():
        return None
    tariff = db.scalar(select(Tariff).where(Tariff.uuid == uuid_of(value, "tariff_uuid")))
    if tariff is None:
        raise InvalidField(f"tariff_uuid: no tariff {value}", field="tariff_uuid")
    return tariff


def _power(value: Decimal) -> Decimal:
    return fields.power_kw(value, "max_power_kw")


def _unique(db: Session, identity: str, evse_id: str) -> None:
    if db.scalar(select(Station.id).where(Station.ocpp_identity == identity)) is not None:
        raise Conflict(f"a station already has the identity {identity!r}", field="identity")
    if _evse_id_taken(db, evse_id):
        raise Conflict(f"a station already has the EVSE id {evse_id!r}", field="evse_id")


def _evse_id_taken(db: Session, evse_id: str) -> bool:
    return db.scalar(select(Station.id).where(Station.evse_id == evse_id)) is not None


def _flush(db: Session, identity: str, evse_id: str) -> None:
    try:
        db.flush()
    except IntegrityError:
        # Another request took the identity or EVSE id between our check and our write.
        raise Conflict(
            f"a station already has the identity {identity!r} or the EVSE id {evse_id!r}",
            field="identity",
        ) from None
