"""A fleet organisation's month at a glance (the console's fleet overview): energy, cost,
sessions and average price against the month before, each day of the month, and the
month per fleet, per vehicle (the top ones) and per location.

The sessions are those /usage lists (paid by the organisation's fleets) and the month is
the calendar month of their local completion date, as /usage's date filters match, so the
figures equal sums over /usage for the month's first to last day.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from fleetcharge.charging.figures import Totals
from fleetcharge.kit.months import Month
from fleetcharge.models import ChargeSession, Fleet, Location, Vehicle
from fleetcharge.permissions import Actor

TOP_VEHICLES = 10

_SUMS = (
    func.count(),
    func.sum(ChargeSession.consumption_kwh),
    func.sum(ChargeSession.cost_to_driver),
)
# What the month is summed by; on PostgreSQL all four in one pass (GROUPING SETS) over
# ix_charge_sessions_payer_month.
_BY_DAY, _BY_FLEET, _BY_VEHICLE, _BY_LOCATION = _GROUPS = (
    ChargeSession.stop_local_date,
    ChargeSession.fleet_id,
    ChargeSession.vehicle_id,
    ChargeSession.location_id,
)


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
    another organisation."""
    actor.visible_to(organisation_id, "organisation", organisation_id)
    grouped = _grouped_totals(db, _in_month(organisation_id, month))
    per_day = grouped[_BY_DAY.key]
    days = [DayTotals(day, per_day.get(day, Totals())) for day in month.days()]
    totals = sum((day.totals for day in days), Totals())
    (previous_row,) = db.execute(
        select(*_SUMS).where(*_in_month(organisation_id, month.previous()))
    )
    return FleetOverview(
        month=month,
        totals=totals,
        previous=_totals(previous_row),
        days=days,
        fleets=_fleets(db, grouped[_BY_FLEET.key]),
        top_vehicles=_top_vehicles(db, grouped[_BY_VEHICLE.key]),
        locations=_locations(db, grouped[_BY_LOCATION.key]),
    )


def _in_month(organisation_id: int, month: Month) -> tuple[ColumnElement[bool], ...]:
    return (
        ChargeSession.payer_organisation_id == organisation_id,
        ChargeSession.stop_local_date >= month.first_day,
        ChargeSession.stop_local_date <= month.last_day,
    )


def _totals(row: Sequence[Any]) -> Totals:
    sessions, energy, cost = row
    return Totals(int(sessions), energy or Totals.energy_kwh, cost or Totals.cost)


def _grouped_totals(
    db: Session, where: tuple[ColumnElement[bool], ...]
) -> dict[str, dict[Any, Totals]]:
    """The sessions' totals by each of `_GROUPS` (by column key, then group value)."""
    grouped: dict[str, dict[Any, Totals]] = {column.key: {} for column in _GROUPS}
    if db.get_bind().dialect.name == "postgresql":
        # GROUPING(...) is a bit mask of the columns a row is not grouped by: the one
        # column it is grouped by is the one whose bit is clear.
        statement = (
            select(func.grouping(*_GROUPS), *_GROUPS, *_SUMS)
            .where(*where)
            .group_by(func.grouping_sets(*_GROUPS))
        )
        for mask, *keys_and_sums in db.execute(statement):
            keys, sums = keys_and_sums[: len(_GROUPS)], keys_and_sums[len(_GROUPS) :]
            index = next(i for i in range(len(_GROUPS)) if not mask >> (len(_GROUPS) - 1 - i) & 1)
            grouped[_GROUPS[index].key][keys[index]] = _totals(sums)
        return grouped
    for column in _GROUPS:
        statement = select(column, *_SUMS).where(*where).group_by(column)
        grouped[column.key] = {key: _totals(sums) for key, *sums in db.execute(statement)}
    return grouped


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
