"""The control loop's input: each smart-charged site's allocation problem, built from the
database (power settings, circuits, windows, open transactions, their vehicles and latest
meter values)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from fleetcharge.models import Location, SiteCircuit, SitePower, Station, Vehicle
from fleetcharge.sites import repository, timing
from fleetcharge.sites.repository import ENERGY_REGISTER, POWER_IMPORT, OpenTransaction
from fleetcharge.smart_charging.problem import (
    PHASES,
    Circuit,
    Problem,
    Rate,
    Strategy,
)
from fleetcharge.smart_charging.problem import (
    Session as ChargingSession,
)

SITE = "site"  # the root circuit's id; a circuit may not take this name
PRIORITY_RANGE = (-1000, 1000)


@dataclass(frozen=True)
class SiteProblem:
    location_id: int
    location_uuid: UUID
    problem: Problem
    connector_of: dict[str, int] = field(default_factory=dict)  # session id -> connectorId
    phases_of: dict[str, int] = field(default_factory=dict)  # session id -> 1 or 3


def load_problems(
    db: Session, now: datetime, location_ids: list[int] | None = None
) -> list[SiteProblem]:
    """The problems of the sites with a power limit set (of `location_ids` if given)."""
    return [
        site_problem(db, location, power, now)
        for location, power in repository.smart_sites(db, location_ids)
    ]


def site_problem(db: Session, location: Location, power: SitePower, now: datetime) -> SiteProblem:
    zone = ZoneInfo(location.timezone)
    base_kw = float(power.limit_kw) if power.limit_kw is not None else float("inf")
    site_stations = repository.stations(db, location.id)
    tree = circuit_tree(base_kw, repository.circuits(db, location.id), site_stations)
    horizon = Problem.__dataclass_fields__["horizon"].default
    assert isinstance(horizon, timedelta)
    windows = [
        timing.Window(w.weekdays, w.starts, w.ends, float(w.limit_kw))
        for w in repository.windows(db, location.id)
    ]
    steps = timing.limit_steps(windows, zone, base_kw, now, horizon)
    sessions: list[ChargingSession] = []
    connector_of: dict[str, int] = {}
    phases_of: dict[str, int] = {}
    for open_tx in repository.open_transactions(db, [s.id for s in site_stations]):
        session = charging_session(db, open_tx, zone, now)
        sessions.append(session)
        connector_of[session.id] = open_tx.connector_number
        phases_of[session.id] = open_tx.station.phases
    problem = Problem(
        now=now,
        sessions=tuple(sessions),
        site=tree,
        site_schedule=steps,
        strategy=Strategy(power.strategy),
    )
    return SiteProblem(location.id, location.uuid, problem, connector_of, phases_of)


def phase_set(count: int) -> tuple[int, ...]:
    return PHASES if count == 3 else (0,)


def circuit_tree(
    limit_kw: float, circuits: Sequence[SiteCircuit], stations: Sequence[Station]
) -> Circuit:
    """The site as the root circuit (its limit), its circuits below by parent, each with the
    stations hanging from it (by OCPP identity)."""
    children: dict[int | None, list[SiteCircuit]] = {}
    for row in circuits:
        children.setdefault(row.parent_id, []).append(row)
    known = {row.id for row in circuits}
    hung: dict[int | None, list[str]] = {}
    for station in stations:
        at = station.circuit_id if station.circuit_id in known else None
        hung.setdefault(at, []).append(station.ocpp_identity)

    def build(row: SiteCircuit, seen: frozenset[int]) -> Circuit:
        below = [build(c, seen | {row.id}) for c in children.get(row.id, []) if c.id not in seen]
        return Circuit(
            id=row.name,
            limit_kw=_float(row.limit_kw),
            limit_a=_float(row.limit_a),
            phases=phase_set(row.phases),
            stations=tuple(hung.get(row.id, [])),
            children=tuple(below),
        )

    return Circuit(
        id=SITE,
        limit_kw=limit_kw,
        stations=tuple(hung.get(None, [])),
        children=tuple(build(row, frozenset()) for row in children.get(None, [])),
    )


def charging_session(
    db: Session, open_tx: OpenTransaction, zone: ZoneInfo, now: datetime
) -> ChargingSession:
    tx, station, vehicle, fleet, need = (
        open_tx.transaction,
        open_tx.station,
        open_tx.vehicle,
        open_tx.fleet,
        open_tx.need,
    )
    registers = repository.register_readings(repository.recent_values(db, tx.id, ENERGY_REGISTER))
    delivered = float(registers[0][1]) - tx.meter_start_wh / 1000 if registers else 0.0
    departure = need.departure_at if need is not None else None
    if departure is None and vehicle is not None and vehicle.departure_times:
        departure = timing.next_departure(vehicle.departure_times, zone, now)
    energy = timing.energy_needed(
        _float(need.energy_kwh) if need is not None else None,
        _float(vehicle.target_energy_kwh) if vehicle is not None else None,
        delivered,
    )
    priority = (vehicle.priority if vehicle is not None else 0) + (
        fleet.priority if fleet is not None else 0
    )
    return ChargingSession(
        id=str(tx.id),
        station_id=station.ocpp_identity,
        station_max=Rate.kw(float(station.max_power_kw)),
        phases=phase_set(station.phases),
        vehicle_max=_vehicle_max(station, vehicle),
        energy_needed_kwh=energy,
        departure=departure,
        priority=max(PRIORITY_RANGE[0], min(PRIORITY_RANGE[1], priority)),
        drawn=_drawn(db, tx.id, registers),
    )


def _vehicle_max(station: Station, vehicle: Vehicle | None) -> Rate | None:
    if vehicle is None:
        return None
    limit = vehicle.max_charge_power_kw
    if limit is None:
        limit = vehicle.max_dc_power_kw if station.current_type == "DC" else vehicle.max_ac_power_kw
    return Rate.kw(float(limit)) if limit is not None else None


def _drawn(
    db: Session, transaction_id: int, registers: list[tuple[datetime, Decimal]]
) -> Rate | None:
    """The last measured draw: Power.Active.Import, else the last two register readings."""
    power = repository.latest_power_kw(repository.recent_values(db, transaction_id, POWER_IMPORT))
    if power is not None:
        return Rate.kw(max(0.0, float(power)))
    if len(registers) >= 2:
        (t1, e1), (t0, e0) = registers[0], registers[1]
        hours = (t1 - t0).total_seconds() / 3600
        if hours > 0:
            return Rate.kw(max(0.0, float(e1 - e0) / hours))
    return None


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None
