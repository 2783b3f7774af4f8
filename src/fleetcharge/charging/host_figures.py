"""A site host's month: revenue, energy, sessions and utilisation per location, station
and day, with totals.

Revenue, energy and sessions count the sessions the host sees on /sessions completed in
the month (local completion date, as its date filters match): revenue is their
`total_revenue`, so the figures add up to /sessions to the cent. Utilisation counts the
time each connector was in use on each local day of the month, whenever its session
completed (`charging.utilisation` defines it): a session from 23:00 on the 31st to 01:00
on the 1st is one hour of each month, and its revenue is the next month's.
"""

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import Date, Float, Select, bindparam, cast, func, or_, select
from sqlalchemy.orm import Session

from fleetcharge.charging.utilisation import Interval, Occupancy, station_occupancy
from fleetcharge.db import fetch_all
from fleetcharge.errors import NotFound
from fleetcharge.models import ChargeSession, Connector, Location, Organisation, Station
from fleetcharge.models.types import UTCDateTime
from fleetcharge.permissions import Actor
from fleetcharge.timezones import zone

# Local days start at most 14 h before and end at most 12 h after their UTC day.
_EARLIEST_OFFSET = timedelta(hours=14)
_LATEST_OFFSET = timedelta(hours=12)
# Sessions in use during the month are looked for among those completed at most this long
# after it (a session lasting longer than this across the month's end is not counted in it).
LONGEST_SESSION = timedelta(days=7)

ZERO_MONEY = Decimal("0.00")
ZERO_ENERGY = Decimal("0.000")


@dataclass(frozen=True)
class Tally:
    revenue: Decimal = ZERO_MONEY
    energy_kwh: Decimal = ZERO_ENERGY
    sessions: int = 0
    occupancy: Occupancy = field(default_factory=Occupancy)

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(
            self.revenue + other.revenue,
            self.energy_kwh + other.energy_kwh,
            self.sessions + other.sessions,
            self.occupancy + other.occupancy,
        )

    @property
    def utilisation(self) -> Decimal | None:
        return self.occupancy.percent


def _sum(tallies: Iterable[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        total = total + tally
    return total


def _add_days(rows: Iterable[list[Tally]], days: int) -> list[Tally]:
    totals = [Tally()] * days
    for row in rows:
        totals = [a + b for a, b in zip(totals, row, strict=True)]
    return totals


@dataclass(frozen=True)
class StationMonth:
    uuid: UUID
    name: str
    evse_id: str
    connectors: int
    days: list[Tally]  # one per day of the month, in order

    @property
    def total(self) -> Tally:
        return _sum(self.days)


@dataclass(frozen=True)
class LocationMonth:
    uuid: UUID
    name: str
    timezone: str
    stations: list[StationMonth]

    @property
    def days(self) -> list[Tally]:
        return _add_days((s.days for s in self.stations), len(self.stations[0].days))

    @property
    def total(self) -> Tally:
        return _sum(s.total for s in self.stations)


@dataclass(frozen=True)
class HostMonth:
    organisation_id: int
    days: list[date]
    locations: list[LocationMonth] = field(default_factory=list)

    @property
    def per_day(self) -> list[Tally]:
        return _add_days((loc.days for loc in self.locations), len(self.days))

    @property
    def total(self) -> Tally:
        return _sum(loc.total for loc in self.locations)


def month_days(month: date) -> list[date]:
    """Every day of the month `month` falls in."""
    last = calendar.monthrange(month.year, month.month)[1]
    return [date(month.year, month.month, day) for day in range(1, last + 1)]


def host_month(db: Session, actor: Actor, organisation_id: int, month: date) -> HostMonth:
    """The figures of the locations `organisation_id` hosts for the month of `month`; another
    organisation's are NotFound to a member."""
    actor.require("organisations", "read")
    actor.visible_to(organisation_id, "organisation", organisation_id)
    if db.get(Organisation, organisation_id) is None:
        raise NotFound(f"no organisation {organisation_id}")
    days = month_days(month)
    utc_from = datetime.combine(days[0], time.min, tzinfo=UTC) - _EARLIEST_OFFSET
    utc_until = datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=UTC)
    utc_until += _LATEST_OFFSET
    sums = _sums(db, organisation_id, days, utc_from, utc_until)
    spans = _spans(db, organisation_id, utc_from, utc_until)
    station_ids = {station_id for _, station_id in (*sums, *spans)}
    stations = _stations(db, organisation_id, station_ids, days[0])
    keys = set(sums) | set(spans) | {(s.location_id, s.id) for s in stations.values()}
    locations = _locations(db, {location_id for location_id, _ in keys})
    connectors = _connector_counts(db, list(stations))
    by_location: dict[int, list[StationMonth]] = defaultdict(list)
    for location_id, station_id in sorted(keys):
        location, station = locations[location_id], stations[station_id]
        occupancy = station_occupancy(
            spans.get((location_id, station_id), {}),
            connectors.get(station_id, 0),
            zone(location.timezone),
            days,
        )
        day_sums = sums.get((location_id, station_id), {})
        by_location[location_id].append(
            StationMonth(
                uuid=station.uuid,
                name=station.name,
                evse_id=station.evse_id,
                connectors=connectors.get(station_id, 0),
                days=[
                    Tally(*day_sums.get(day, (ZERO_MONEY, ZERO_ENERGY, 0)), occupancy=used)
                    for day, used in zip(days, occupancy, strict=True)
                ],
            )
        )
    located = [
        LocationMonth(
            uuid=locations[location_id].uuid,
            name=locations[location_id].name,
            timezone=locations[location_id].timezone,
            stations=sorted(rows, key=lambda s: (s.name, s.evse_id)),
        )
        for location_id, rows in by_location.items()
    ]
    return HostMonth(organisation_id, days, sorted(located, key=lambda loc: (loc.name, loc.uuid)))


Key = tuple[int, int]  # (location id, station id)


_HOST = ChargeSession.host_organisation_id == bindparam("organisation_id")
_FROM = bindparam("utc_from", type_=UTCDateTime())
_UNTIL = bindparam("utc_until", type_=UTCDateTime())

_SUMS = (
    select(
        ChargeSession.location_id,
        Connector.station_id,
        ChargeSession.stop_local_date,
        func.sum(ChargeSession.total_revenue),
        func.sum(ChargeSession.consumption_kwh),
        func.count(),
    )
    .join(Connector, Connector.id == ChargeSession.connector_id)
    .where(
        _HOST,
        ChargeSession.stop_date_time >= _FROM,
        ChargeSession.stop_date_time < _UNTIL,
        ChargeSession.stop_local_date >= bindparam("first_day", type_=Date()),
        ChargeSession.stop_local_date <= bindparam("last_day", type_=Date()),
    )
    .group_by(ChargeSession.location_id, Connector.station_id, ChargeSession.stop_local_date)
)


def _sums(
    db: Session, organisation_id: int, days: list[date], utc_from: datetime, utc_until: datetime
) -> dict[Key, dict[date, tuple[Decimal, Decimal, int]]]:
    """(revenue, energy, sessions) per location, station and local completion day; the
    UTC bounds let the host's index narrow the scan before the local dates decide."""
    values = {
        "organisation_id": organisation_id,
        "utc_from": utc_from,
        "utc_until": utc_until,
        "first_day": days[0],
        "last_day": days[-1],
    }
    found: dict[Key, dict[date, tuple[Decimal, Decimal, int]]] = defaultdict(dict)
    for location_id, station_id, day, revenue, energy, count in fetch_all(db, _SUMS, values):
        found[location_id, station_id][day] = (
            Decimal(revenue).quantize(ZERO_MONEY),
            Decimal(energy).quantize(ZERO_ENERGY),
            int(count),
        )
    return found


def _epoch_seconds(column: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return cast(func.extract("epoch", column), Float)
    # SQLite keeps UTC datetimes as text; Julian days count from noon, 4714 BC.
    return (func.julianday(column) - 2440587.5) * 86400.0


@cache
def _spans_query(dialect: str) -> Select[Any]:
    return (
        select(
            ChargeSession.location_id,
            Connector.station_id,
            ChargeSession.connector_id,
            _epoch_seconds(ChargeSession.start_date_time, dialect),
            _epoch_seconds(ChargeSession.stop_date_time, dialect),
        )
        .join(Connector, Connector.id == ChargeSession.connector_id)
        .where(
            _HOST,
            ChargeSession.stop_date_time >= _FROM,
            ChargeSession.stop_date_time < bindparam("stopped_until", type_=UTCDateTime()),
            ChargeSession.start_date_time < _UNTIL,
        )
    )


def _spans(
    db: Session, organisation_id: int, utc_from: datetime, utc_until: datetime
) -> dict[Key, dict[int, list[Interval]]]:
    """The intervals of the sessions that may overlap the month, by location, station and
    connector, in Unix seconds (numbers: for a large host's month, converting datetimes
    would cost more than the query)."""
    values = {
        "organisation_id": organisation_id,
        "utc_from": utc_from,
        "utc_until": utc_until,
        "stopped_until": utc_until + LONGEST_SESSION,
    }
    rows = fetch_all(db, _spans_query(db.get_bind().dialect.name), values)
    found: dict[Key, dict[int, list[Interval]]] = defaultdict(lambda: defaultdict(list))
    for location_id, station_id, connector_id, start, stop in rows:
        found[location_id, station_id][connector_id].append((float(start), float(stop)))
    return found


def _stations(
    db: Session, organisation_id: int, with_sessions: set[int], first_day: date
) -> dict[int, Station]:
    """The stations at the host's locations (those decommissioned before the month only if
    they have sessions in it), and any other station its sessions were at."""
    in_service = or_(
        Station.decommissioned_at.is_(None),
        Station.decommissioned_at >= datetime.combine(first_day, time.min, tzinfo=UTC),
    )
    hosted = select(Station).join(Location, Location.id == Station.location_id)
    query = hosted.where(Location.host_organisation_id == organisation_id, in_service)
    stations = {s.id: s for s in db.scalars(query)}
    missing = with_sessions - set(stations)
    if missing:
        stations.update(
            (s.id, s) for s in db.scalars(select(Station).where(Station.id.in_(missing)))
        )
    return stations


def _locations(db: Session, location_ids: set[int]) -> dict[int, Location]:
    if not location_ids:
        return {}
    return {
        loc.id: loc for loc in db.scalars(select(Location).where(Location.id.in_(location_ids)))
    }


def _connector_counts(db: Session, station_ids: list[int]) -> dict[int, int]:
    if not station_ids:
        return {}
    query: Any = (
        select(Connector.station_id, func.count())
        .where(Connector.station_id.in_(station_ids))
        .group_by(Connector.station_id)
    )
    return {station_id: int(n) for station_id, n in db.execute(query)}
