"""Creating, changing, moving, retiring and finding vehicles (flush only; the caller
commits). A vehicle is never deleted: sessions and invoices refer to it.

Moving a vehicle to another fleet retires it in the old fleet the day before and makes a
new vehicle record with the same VIN in the new one, so that each record keeps the fleet it
was in for the days it was there; its cards follow it from the first day in the new fleet.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import UUID

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fleetcharge.audit.service import record
from fleetcharge.errors import Conflict, InvalidField, InvalidParameter
from fleetcharge.fleets import events
from fleetcharge.fleets.admin_schemas import VehicleCreate, VehicleMove, VehicleUpdate
from fleetcharge.fleets.card_history import reassign
from fleetcharge.fleets.fleet_records import get_fleet
from fleetcharge.kit import fields
from fleetcharge.kit.cursors import Page, PageRequest, page_of
from fleetcharge.kit.versions import claim_version
from fleetcharge.lookup import visible_by_uuid
from fleetcharge.models import Card, Fleet, Organisation, Vehicle, VehicleCount
from fleetcharge.permissions import Actor
from fleetcharge.sites import vehicle_fields as sites
from fleetcharge.timezones import local_date, zone
from fleetcharge.webhooks import event_types

VEHICLE_STATUSES = ("active", "retired")


def vehicle_view(vehicle: Vehicle) -> dict[str, Any]:
    fleet = vehicle.fleet
    return _view(
        vehicle,
        fleet,
        fleet.organisation,
        fleet.organisation.billing_timezone,
        [card.id_tag for card in vehicle.cards],
    )


def _view(
    vehicle: Any, fleet: Any, organisation: Any, timezone: str, id_tags: list[str]
) -> dict[str, Any]:
    """The view of a vehicle, from its record or a row of the same names."""
    retired = vehicle.effective_to is not None and vehicle.effective_to < _today_in(timezone)
    return {
        "uuid": str(vehicle.uuid),
        "vin": vehicle.vin,
        "registration_number": vehicle.registration_number,
        "contract_number": vehicle.contract_number,
        "fleet": {"uuid": str(fleet.uuid), "name": fleet.name},
        "organisation": {"uuid": str(organisation.uuid), "name": organisation.name},
        "effective_from": vehicle.effective_from.isoformat(),
        "effective_to": vehicle.effective_to.isoformat() if vehicle.effective_to else None,
        "max_ac_power_kw": _kw(vehicle.max_ac_power_kw),
        "max_dc_power_kw": _kw(vehicle.max_dc_power_kw),
        "max_charge_power_kw": _kw(vehicle.max_charge_power_kw),
        "priority": vehicle.priority,
        "departure_times": dict(vehicle.departure_times or {}),
        "target_energy_kwh": _kw(vehicle.target_energy_kwh),
        "status": "retired" if retired else "active",
        "id_tags": id_tags,
        "created_at": vehicle.created_at.isoformat(),
        "version": vehicle.version,
    }


def today(vehicle_or_fleet: Vehicle | Fleet) -> date:
    """Today where the organisation is billed: the day a vehicle's dates are counted in."""
    organisation = (
        vehicle_or_fleet.fleet.organisation
        if isinstance(vehicle_or_fleet, Vehicle)
        else vehicle_or_fleet.organisation
    )
    return _today_in(organisation.billing_timezone)


def _today_in(timezone: str) -> date:
    return local_date(datetime.now(zone("UTC")), timezone)


def get_vehicle(db: Session, actor: Actor, uuid: UUID, field: str | None = None) -> Vehicle:
    actor.require("vehicles", "read")
    return visible_by_uuid(db, actor, Vehicle, uuid, "vehicle", field=field)


def active_vehicle(db: Session, actor: Actor, reference: str, field: str) -> Vehicle:
    """The active vehicle of the actor's organisation whose VIN or registration (any case)
    is `reference`, as a member names it; InvalidField naming `field` for none or several."""
    actor.require("vehicles", "read")
    text = reference.strip().upper()
    now = datetime.now(zone("UTC")).date()
    query = select(Vehicle).where(or_(Vehicle.effective_to.is_(None), Vehicle.effective_to >= now))
    if actor.organisation_id is not None:
        query = query.where(Vehicle.organisation_id == actor.organisation_id)
    found = list(db.scalars(query.where(Vehicle.vin == text).limit(1)))
    if not found:
        registration = func.upper(Vehicle.registration_number) == text
        found = list(db.scalars(query.where(registration).limit(2)))
    if not found:
        raise InvalidField(f"no active vehicle has VIN or registration {reference!r}", field=field)
    if len(found) > 1:
        raise InvalidField(
            f"more than one active vehicle has registration {reference!r}: give its VIN",
            field=field,
        )
    return found[0]


def list_vehicles(
    db: Session,
    actor: Actor,
    page: PageRequest,
    *,
    organisation_id: int | None = None,
    fleet_id: int | None = None,
    status: str | None = None,
    q: str | None = None,
) -> Page[dict[str, Any]]:
    """A page of vehicle views, read as rows rather than records: the total (kept in
    vehicle_counts for an organisation's unfiltered list, else counted), the rows left
    after the cursor, the page with its fleets and organisations, and their cards."""
    actor.require("vehicles", "read")
    shown = (
        select(
            Vehicle.id,
            Vehicle.uuid,
            Vehicle.vin,
            Vehicle.registration_number,
            Vehicle.contract_number,
            Vehicle.effective_from,
            Vehicle.effective_to,
            Vehicle.max_ac_power_kw,
            Vehicle.max_dc_power_kw,
            Vehicle.max_charge_power_kw,
            Vehicle.priority,
            Vehicle.departure_times,
            Vehicle.target_energy_kwh,
            Vehicle.created_at,
            Vehicle.version,
            Fleet.uuid.label("fleet_uuid"),
            Fleet.name.label("fleet_name"),
            Organisation.uuid.label("organisation_uuid"),
            Organisation.name.label("organisation_name"),
            Organisation.billing_timezone,
        )
        .join_from(Vehicle, Fleet, Fleet.id == Vehicle.fleet_id)
        .join(Organisation, Organisation.id == Vehicle.organisation_id)
    )
    query = select(Vehicle.id)
    if actor.organisation_id is not None:
        query = query.where(Vehicle.organisation_id == actor.organisation_id)
    if organisation_id is not None:
        query = query.where(Vehicle.organisation_id == organisation_id)
    if fleet_id is not None:
        query = query.where(Vehicle.fleet_id == fleet_id)
    if status is not None:
        if status not in VEHICLE_STATUSES:
            raise InvalidParameter(
                f"status must be one of {', '.join(VEHICLE_STATUSES)}, got {status!r}",
                parameter="status",
            )
        # UTC's today: a list spans organisations billed in different time zones.
        now = datetime.now(zone("UTC")).date()
        active = or_(Vehicle.effective_to.is_(None), Vehicle.effective_to >= now)
        query = query.where(active if status == "active" else ~active)
    if q and q.strip():
        pattern = f"%{q.strip()}%"
        query = query.where(
            or_(
                Vehicle.vin.ilike(pattern),
                Vehicle.registration_number.ilike(pattern),
                Vehicle.contract_number.ilike(pattern),
            )
        )
    total = None
    if fleet_id is None and status is None and not (q and q.strip()):
        total = _vehicles_of(db, organisation_id or actor.organisation_id)
    rows = page_of(db, query, Vehicle.id, page, columns=shown, total=total)
    id_tags: dict[int | None, list[str]] = {row.id: [] for row in rows.items}
    if id_tags:
        cards = select(Card.vehicle_id, Card.id_tag).where(Card.vehicle_id.in_(id_tags))
        for vehicle_id, id_tag in db.execute(cards.order_by(Card.id)):
            id_tags[vehicle_id].append(id_tag)
    views = [
        _view(
            row,
            _Named(row.fleet_uuid, row.fleet_name),
            _Named(row.organisation_uuid, row.organisation_name),
            row.billing_timezone,
            id_tags[row.id],
        )
        for row in rows.items
    ]
    return Page(views, rows.total, rows.next_cursor)


def _vehicles_of(db: Session, organisation_id: int | None) -> int:
    """Vehicle records of an organisation (None: of all), as the triggers keep them."""
    count = select(func.coalesce(func.sum(VehicleCount.vehicles), 0))
    if organisation_id is not None:
        count = count.where(VehicleCount.organisation_id == organisation_id)
    return int(db.scalar(count) or 0)


class _Named(NamedTuple):
    uuid: UUID
    name: str


def create_vehicle(db: Session, actor: Actor, data: VehicleCreate) -> Vehicle:
    actor.require("vehicles", "create")
    fleet = get_fleet(db, actor, data.fleet_uuid, field="fleet_uuid")
    vin = _free_vin(db, fields.vin(data.vin))
    vehicle = Vehicle(
        fleet=fleet,
        organisation_id=fleet.organisation_id,
        vin=vin,
        registration_number=_registration(data.registration_number),
        contract_number=_contract(data.contract_number),
        effective_from=(
            fields.day(data.effective_from, "effective_from")
            if data.effective_from
            else today(fleet)
        ),
        max_ac_power_kw=_power(data.max_ac_power_kw, "max_ac_power_kw"),
        max_dc_power_kw=_power(data.max_dc_power_kw, "max_dc_power_kw"),
    )
    db.add(vehicle)
    _flush(db, vin)
    record(
        db,
        actor,
        "create",
        "vehicle",
        vehicle.uuid,
        vehicle.organisation_id,
        None,
        vehicle_view(vehicle),
    )
    events.vehicle_changed(db, vehicle.organisation_id, vehicle.id, event_types.VEHICLE_CREATED)
    return vehicle


def update_vehicle(
    db: Session, actor: Actor, vehicle: Vehicle, data: VehicleUpdate, expected: int | None = None
) -> Vehicle:
    """Registration, contract, power limits, and retiring (`effective_to`: its last active
    day)."""
    actor.require("vehicles", "update")
    actor.visible_to(vehicle.organisation_id, "vehicle", vehicle.uuid)
    claim_version(db, vehicle, expected)
    before = vehicle_view(vehicle)
    shown_before = _shown(vehicle)
    given = data.model_fields_set
    if data.registration_number is not None:
        vehicle.registration_number = _registration(data.registration_number)
    if "contract_number" in given:
        vehicle.contract_number = _contract(data.contract_number)
    if "max_ac_power_kw" in given:
        vehicle.max_ac_power_kw = _power(data.max_ac_power_kw, "max_ac_power_kw")
    if "max_dc_power_kw" in given:
        vehicle.max_dc_power_kw = _power(data.max_dc_power_kw, "max_dc_power_kw")
    charging_before = sites.vehicle_charging_fields(vehicle)
    sites.apply_vehicle_charging(vehicle, data, given)
    if "effective_to" in given:
        if data.effective_to is None:
            vin = _free_vin(db, vehicle.vin, besides=vehicle.id)
            vehicle.effective_to = None
        else:
            vehicle.effective_to = _last_day(vehicle, data.effective_to, "effective_to")
            vin = vehicle.vin
        _flush(db, vin)
    db.flush()
    record(
        db,
        actor,
        "update",
        "vehicle",
        vehicle.uuid,
        vehicle.organisation_id,
        before,
        vehicle_view(vehicle),
    )
    _announce_update(db, vehicle, shown_before)
    if sites.vehicle_charging_fields(vehicle) != charging_before:
        sites.vehicle_changed(db, [vehicle.id])
    return vehicle


def _shown(vehicle: Vehicle) -> tuple[str, str | None, date | None]:
    """What /vehicles shows of the vehicle that an update may change."""
    return vehicle.registration_number, vehicle.contract_number, vehicle.effective_to


def _announce_update(
    db: Session, vehicle: Vehicle, before: tuple[str, str | None, date | None]
) -> None:
    """vehicle.retired when it is given its last day, vehicle.updated for any other change
    /vehicles shows, nothing for the rest (power limits)."""
    if _shown(vehicle) == before:
        return
    retired = before[2] is None and vehicle.effective_to is not None
    event_type = event_types.VEHICLE_RETIRED if retired else event_types.VEHICLE_UPDATED
    events.vehicle_changed(db, vehicle.organisation_id, vehicle.id, event_type)


def move_vehicle(
    db: Session, actor: Actor, vehicle: Vehicle, data: VehicleMove, expected: int | None = None
) -> Vehicle:
    """The vehicle's record in its new fleet from `data.from_` on (see the module's note)."""
    actor.require("vehicles", "update")
    actor.visible_to(vehicle.organisation_id, "vehicle", vehicle.uuid)
    target = get_fleet(db, actor, data.fleet_uuid, field="fleet_uuid")
    if target.organisation_id != vehicle.organisation_id:
        raise InvalidField(
            "fleet_uuid must be a fleet of the vehicle's own organisation", field="fleet_uuid"
        )
    if target.id == vehicle.fleet_id:
        raise InvalidField("the vehicle is already in that fleet", field="fleet_uuid")
    if vehicle.effective_to is not None:
        raise InvalidField(
            "a retired vehicle cannot move: create it in the new fleet", field="fleet_uuid"
        )
    first_day = fields.day(data.from_, "from") if data.from_ else today(vehicle)
    claim_version(db, vehicle, expected)
    before = vehicle_view(vehicle)
    vehicle.effective_to = _last_day(vehicle, first_day - timedelta(days=1), "from")
    db.flush()
    moved = Vehicle(
        fleet=target,
        organisation_id=vehicle.organisation_id,
        vin=vehicle.vin,
        registration_number=vehicle.registration_number,
        contract_number=vehicle.contract_number,
        effective_from=first_day,
        max_ac_power_kw=vehicle.max_ac_power_kw,
        max_dc_power_kw=vehicle.max_dc_power_kw,
        max_charge_power_kw=vehicle.max_charge_power_kw,
        priority=vehicle.priority,
        departure_times=dict(vehicle.departure_times or {}),
        target_energy_kwh=vehicle.target_energy_kwh,
    )
    db.add(moved)
    _flush(db, vehicle.vin)
    starts = datetime.combine(first_day, time(), zone(target.organisation.billing_timezone))
    for card in list(vehicle.cards):
        reassign(db, card, moved, starts)
    db.flush()
    db.refresh(vehicle)
    db.refresh(moved)
    record(
        db,
        actor,
        "update",
        "vehicle",
        vehicle.uuid,
        vehicle.organisation_id,
        before,
        vehicle_view(vehicle),
    )
    record(
        db, actor, "create", "vehicle", moved.uuid, moved.organisation_id, None, vehicle_view(moved)
    )
    retired, created = event_types.VEHICLE_RETIRED, event_types.VEHICLE_CREATED
    events.vehicle_changed(db, vehicle.organisation_id, vehicle.id, retired)
    events.vehicle_changed(db, moved.organisation_id, moved.id, created)
    return moved


def _last_day(vehicle: Vehicle, last: date, field: str) -> date:
    fields.day(last, field)
    if last < vehicle.effective_from:
        first = vehicle.effective_from.isoformat()
        what = "the day before the first in the new fleet" if field == "from" else field
        raise InvalidField(
            f"{what} ({last.isoformat()}) must not be before its effective_from ({first})",
            field=field,
        )
    return last


def _registration(value: str) -> str:
    return fields.text(value, "registration_number", max_length=20)


def _contract(value: str | None) -> str | None:
    return fields.optional_text(value, "contract_number", max_length=64)


def _power(value: Decimal | None, field: str) -> Decimal | None:
    return fields.power_kw(value, field) if value is not None else None


def _kw(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _free_vin(db: Session, vin: str, besides: int | None = None) -> str:
    query = select(Vehicle.id).where(Vehicle.vin == vin, Vehicle.effective_to.is_(None))
    if besides is not None:
        query = query.where(Vehicle.id != besides)
    if db.scalar(query.limit(1)) is not None:
        raise Conflict(f"an active vehicle already has VIN {vin}", field="vin")
    return vin


def _flush(db: Session, vin: str) -> None:
    try:
        db.flush()
    except IntegrityError:
        raise Conflict(f"an active vehicle already has VIN {vin}", field="vin") from None
