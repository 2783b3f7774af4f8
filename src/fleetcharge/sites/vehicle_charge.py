"""A vehicle's current charge as its fleet sees it: where it is charging, and its own
departure and energy need, set by whoever may change the vehicle (not only staff, who may
set any connector's through the stations' route)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from fleetcharge.errors import Conflict
from fleetcharge.models import Location, Vehicle
from fleetcharge.permissions import Actor
from fleetcharge.sites import repository
from fleetcharge.sites.service import store_need


@dataclass(frozen=True)
class Charge:
    transaction_id: int
    station_identity: str
    connector_number: int
    location_name: str
    timezone: str  # the site's: departures are shown and typed in its local time
    started_at: datetime
    departure_at: datetime | None
    energy_kwh: Decimal | None


def current_charge(db: Session, vehicle: Vehicle) -> Charge | None:
    """The vehicle's open charging session, if any (the caller has read the vehicle)."""
    found = repository.open_transaction_of_vehicle(db, vehicle.id)
    if found is None:
        return None
    location = db.get(Location, found.station.location_id)
    assert location is not None
    need = found.need
    return Charge(
        transaction_id=found.transaction.id,
        station_identity=found.station.ocpp_identity,
        connector_number=found.connector_number,
        location_name=location.name,
        timezone=location.timezone,
        started_at=found.transaction.started_at,
        departure_at=need.departure_at if need is not None else None,
        energy_kwh=need.energy_kwh if need is not None else None,
    )


def set_vehicle_need(
    db: Session,
    actor: Actor,
    vehicle: Vehicle,
    *,
    departure_at: datetime | None,
    energy_kwh: Decimal | str | None,
) -> dict[str, Any]:
    """This charge's own departure and energy (None: the vehicle's usual ones), validated and
    audited as the admin API's charging-need route does."""
    actor.require("vehicles", "update")
    actor.visible_to(vehicle.organisation_id, "vehicle", vehicle.uuid)
    found = repository.open_transaction_of_vehicle(db, vehicle.id)
    if found is None:
        raise Conflict(f"vehicle {vehicle.registration_number} has no open charging session")
    return store_need(
        db,
        actor,
        found.station,
        found.connector_number,
        found.transaction.id,
        departure_at=departure_at,
        energy_kwh=energy_kwh,
    )
