"""A fleet organisation's month at a glance (the console's fleet overview): energy, cost,
sessions and average price against the month before, each day of the month, and the
month per fleet, per vehicle (the top ones) and per location.

The sessions are those /usage lists (paid by the organisation's fleets) and the month is
the calendar month of their local completion date, as /usage's date filters match, so the
figures equal sums over /usage for the month's first to last day.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.charging.figures import Totals
from fleetcharge.kit.months import Month
from fleetcharge.models import Fleet, Location, UsageDayTotal, UsageMonthTotal, Vehicle
from fleetcharge.permissions import Actor

TOP_VEHICLES = 10
_FIGURES = ("sessions", "energy_kwh", "cost")


@dataclass(frozen=True)
class DayTotals:
    day: date
    totals: Totals


@dataclass(frozen=True)
class FleetTotals:
    uuid: UUID
    name: str
    totals: Totals


@dataclass(frozen=True)
class VehicleTotals:
    uuid: UUID
    vin: str
    registration_number: str | None
    fleet_name: str
    totals: Totals


@dataclass(frozen=True)
class LocationTotals:
    uuid: UUID
    name: str
    address: str
    totals: Totals


@dataclass(frozen=True)
class FleetOverview:
    month: Month
    totals: Totals
    previous: Totals  # the month before
    days: list[DayTotals]  # every day of the month, in order, days without sessions too
    fleets: list[FleetTotals]  # by cost, highest first
    top_vehicles: list[VehicleTotals]  # the TOP_VEHICLES costing most
    locations: list[LocationTotals]  # by cost, highest first


def fleet_overview(db: Session, actor: Actor, organisation_id: int, month: Month) -> FleetOverview:
    """The month of sessions paid by the organisation's fleets; NotFound for an actor of
    another organisation. Read from the usage totals (`charging.usage_totals`): a few
    hundred rows whatever the number of sessions."""
    actor.visible_to(organisation_id, "organisation", organisation_id)
    previous = month.previous()
    per_day: dict[date, Totals] = defaultdict(Totals)
    per_fleet: dict[int, Totals] = defaultdict(Totals)
    before = Totals()
    days = db.execute(
        select(UsageDayTotal.local_date, UsageDayTotal.fleet_id, *_figures(UsageDayTotal)).where(
            UsageDayTotal.organisation_id == organisation_id,
            UsageDayTotal.local_date >= previous.first_day,
            UsageDayTotal.local_date <= month.last_day,
            UsageDayTotal.sessions > 0,
        )
    )
    for day, fleet_id, *figures in days:
        totals = Totals(*figures)
        if day < month.first_day:
            before += totals
        else:
            per_day[day] += totals
            per_fleet[fleet_id] += totals
    per_vehicle: dict[int, Totals] = defaultdict(Totals)
    per_location: dict[int, Totals] = defaultdict(Totals)
    places = db.execute(
        select(
            UsageMonthTotal.vehicle_id, UsageMonthTotal.location_id, *_figures(UsageMonthTotal)
        ).where(
            UsageMonthTotal.organisation_id == organisation_id,
            UsageMonthTotal.month == month.first_day,
            UsageMonthTotal.sessions > 0,
        )
    )
    for vehicle_id, location_id, *figures in places:
        per_vehicle[vehicle_id] += Totals(*figures)
        per_location[location_id] += Totals(*figures)
    in_month = [DayTotals(day, per_day.get(day, Totals())) for day in month.days()]
    return FleetOverview(
        month=month,
        totals=sum((day.totals for day in in_month), Totals()),
        previous=before,
        days=in_month,
        fleets=_fleets(db, per_fleet),
        top_vehicles=_top_vehicles(db, per_vehicle),
        locations=_locations(db, per_location),
    )


def _figures(table: type[UsageDayTotal] | type[UsageMonthTotal]) -> list[Any]:
    return [getattr(table, name) for name in _FIGURES]


def _by_cost(totals: Totals) -> tuple[Decimal, Decimal, int]:
    return (-totals.cost, -totals.energy_kwh, -totals.sessions)


def _fleets(db: Session, per_fleet: dict[int, Totals]) -> list[FleetTotals]:
    rows = db.execute(select(Fleet.id, Fleet.uuid, Fleet.name).where(Fleet.id.in_(per_fleet)))
    fleets = [FleetTotals(uuid, name, per_fleet[id_]) for id_, uuid, name in rows]
    return sorted(fleets, key=lambda f: (_by_cost(f.totals), f.name))


def _top_vehicles(db: Session, per_vehicle: dict[int, Totals]) -> list[VehicleTotals]:
    top = sorted(per_vehicle, key=lambda id_: (_by_cost(per_vehicle[id_]), id_))[:TOP_VEHICLES]
    rows = db.execute(
        select(Vehicle.id, Vehicle.uuid, Vehicle.vin, Vehicle.registration_number, Fleet.name)
        .join(Fleet, Fleet.id == Vehicle.fleet_id)
        .where(Vehicle.id.in_(top))
    )
    found = {row[0]: row[1:] for row in rows}
    return [VehicleTotals(*found[id_], totals=per_vehicle[id_]) for id_ in top]


def _locations(db: Session, per_location: dict[int, Totals]) -> list[LocationTotals]:
    rows = db.execute(
        select(Location.id, Location.uuid, Location.name, Location.address).where(
            Location.id.in_(per_location)
        )
    )
    locations = [
        LocationTotals(uuid, name, address, per_location[id_]) for id_, uuid, name, address in rows
    ]
    return sorted(locations, key=lambda loc: (_by_cost(loc.totals), loc.name))
