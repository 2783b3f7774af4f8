"""A vehicle's smart-charging fields (maximum, priority, usual departures, target energy)
as the vehicles' service changes them, and announcing the sites where it is charging."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.errors import InvalidField
from fleetcharge.kit import fields
from fleetcharge.models import Card, OcppTransaction, Station, Vehicle
from fleetcharge.models.ocpp import TransactionState
from fleetcharge.sites import values
from fleetcharge.sites.service import changed
from fleetcharge.sites.timing import WEEKDAYS


def vehicle_charging_fields(vehicle: Vehicle) -> tuple[Any, ...]:
    return (
        vehicle.max_charge_power_kw,
        vehicle.priority,
        dict(vehicle.departure_times or {}),
        vehicle.target_energy_kwh,
        vehicle.fleet_id,
    )


def apply_vehicle_charging(vehicle: Vehicle, data: Any, given: set[str]) -> None:
    """The smart-charging fields of a vehicle change body (`given`: the fields it sets)."""
    if "max_charge_power_kw" in given:
        value = data.max_charge_power_kw
        vehicle.max_charge_power_kw = (
            fields.power_kw(value, "max_charge_power_kw") if value is not None else None
        )
    if "priority" in given and data.priority is not None:
        vehicle.priority = data.priority
    if "departure_times" in given:
        vehicle.departure_times = departure_times(data.departure_times or {})
    if "target_energy_kwh" in given:
        value = data.target_energy_kwh
        vehicle.target_energy_kwh = (
            fields.decimal(value, "target_energy_kwh", places=2, below=Decimal(10_000))
            if value is not None
            else None
        )


def departure_times(given: dict[str, str]) -> dict[str, str]:
    """{"mon": "05:30", ...} checked, in weekday order; an error names the day."""
    out: dict[str, str] = {}
    for day, text in given.items():
        key = day.strip().lower() if isinstance(day, str) else day
        if key not in WEEKDAYS:
            raise InvalidField(
                f"departure_times: {day!r} is not a weekday ({', '.join(WEEKDAYS)})",
                field="departure_times",
            )
        try:
            out[key] = values.local_time(str(text)).strftime("%H:%M")
        except ValueError as error:
            field = f"departure_times.{key}"
            raise InvalidField(f"{field}: {error}", field=field) from None
    return {day: out[day] for day in WEEKDAYS if day in out}


def vehicle_changed(db: Session, vehicle_ids: Iterable[int]) -> None:
    """Announce the sites where these vehicles' cards have an open transaction."""
    ids = list(vehicle_ids)
    if not ids:
        return
    query = (
        select(Station.location_id)
        .join(OcppTransaction, OcppTransaction.station_id == Station.id)
        .join(Card, Card.id == OcppTransaction.card_id)
        .where(Card.vehicle_id.in_(ids), OcppTransaction.state == TransactionState.OPEN)
        .distinct()
    )
    for location_id in db.scalars(query):
        changed(db, location_id)
