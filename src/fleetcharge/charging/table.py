"""The console's sessions table: an organisation's sessions, as payer (the /usage view) or
as site host (the /sessions view, other organisations' cards as pseudonyms), filtered,
sorted and paged by cursor.

Each sort order is an index led by the viewer's organisation (or by the filtered fleet,
vehicle, card or location), and a page continues after the previous page's last (value,
id): page 10,000 reads what page 1 reads. Date filters match the local completion date,
as /usage's do; they also bound the completion instant (a local day lies within the UTC
day before it and the one after), which lets the index seek to them.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, func, literal, or_, select, text, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from fleetcharge.charging.pseudonyms import ShownCardIds
from fleetcharge.charging.repository import SITE_HOST, USAGE, SessionView, card_pseudonym_key
from fleetcharge.charging.table_query import Cursor, Direction, SessionFilters, Sort, TableQuery
from fleetcharge.errors import InvalidParameter
from fleetcharge.models import (
    Card,
    ChargeSession,
    Connector,
    Fleet,
    Location,
    SessionDayCount,
    Station,
    Vehicle,
)
from fleetcharge.permissions import Actor

PAGE_ROWS = 50
# Beyond this many matching sessions a filtered table says "more than" rather than count.
COUNT_CAP = 1_000


@dataclass(frozen=True)
class TableRow:
    """One session as the table shows it; `cost` is what the driver paid (payer view) or
    the host's revenue from it (site host view), GST-inclusive."""

    id: int
    uuid: UUID
    start: datetime  # UTC
    stop: datetime  # UTC
    timezone: str  # the station's
    duration_s: int
    energy_kwh: Decimal
    cost: Decimal
    network_fee: Decimal  # charged to the host (site host view)
    auth_id: str  # as the view shows it
    location_name: str
    station_name: str
    evse_id: str
    connector_name: str | None
    vehicle_registration: str | None
    vehicle_vin: str | None
    fleet_name: str | None


@dataclass(frozen=True)
class TablePage:
    rows: list[TableRow]
    page: int
    previous_cursor: str | None
    next_cursor: str | None
    total: int  # matching sessions; at least this many when `total_is_lower_bound`
    total_is_lower_bound: bool = False


@dataclass(frozen=True)
class Choice:
    """Something a filter may name: its UUID and its name."""

    uuid: UUID
    name: str


def filter_choices(
    db: Session, actor: Actor, view: SessionView, organisation_id: int
) -> tuple[list[Choice], list[Choice]]:
    """The fleets (payer view: the organisation's; site host view: none) and locations (payer
    view: the network's, where its vehicles may charge; site host view: its own) by name."""
    actor.visible_to(organisation_id, "organisation", organisation_id)
    fleets: list[Choice] = []
    locations = select(Location.uuid, Location.name).order_by(Location.name, Location.id)
    if view is USAGE:
        rows = db.execute(
            select(Fleet.uuid, Fleet.name)
            .where(Fleet.organisation_id == organisation_id)
            .order_by(Fleet.name, Fleet.id)
        )
        fleets = [Choice(*row) for row in rows]
    else:
        locations = locations.where(Location.host_organisation_id == organisation_id)
    return fleets, [Choice(*row) for row in db.execute(locations)]


def sort_column(view: SessionView, key: str) -> InstrumentedAttribute[Any]:
    if key == "stop":
        return ChargeSession.stop_date_time
    if key == "energy":
        return ChargeSession.consumption_kwh
    return ChargeSession.cost_to_driver if view is USAGE else ChargeSession.total_revenue


def cost_column(view: SessionView) -> InstrumentedAttribute[Any]:
    return sort_column(view, "cost")


def session_table(
    db: Session, actor: Actor, view: SessionView, organisation_id: int, query: TableQuery
) -> TablePage:
    """One page of the organisation's sessions in `view`; NotFound for an actor of another
    organisation, InvalidParameter for a filter naming nothing of the viewer's."""
    actor.visible_to(organisation_id, "organisation", organisation_id)
    plan_for_the_values(db)
    conditions = session_conditions(db, view, organisation_id, query.filters)
    cursor = query.cursor
    backwards = cursor is not None and cursor.direction is Direction.BEFORE
    order = query.sort.reversed() if backwards else query.sort
    ids = ordered_ids(view, conditions, order, cursor)
    rows = fetch_rows(db, view, organisation_id, ids, order)
    more = len(rows) > PAGE_ROWS
    rows = rows[:PAGE_ROWS]
    if backwards:
        rows.reverse()
    page = cursor.page if cursor else 1
    has_previous = more if backwards else page > 1
    has_next = True if backwards else more
    total, lower_bound = _total(db, view, organisation_id, query.filters, conditions)
    return TablePage(
        rows=rows,
        page=page,
        previous_cursor=(
            _cursor(query.sort, rows[0], Direction.BEFORE, max(1, page - 1))
            if rows and has_previous
            else None
        ),
        next_cursor=(
            _cursor(query.sort, rows[-1], Direction.AFTER, page + 1) if rows and has_next else None
        ),
        total=total,
        total_is_lower_bound=lower_bound,
    )


def plan_for_the_values(db: Session) -> None:
    """On PostgreSQL, plan this transaction's statements for their values. psycopg prepares
    a statement run five times, and PostgreSQL may then plan it once for any values: for
    a month sorted by revenue, a walk of the month's range sorting 200,000 rows rather
    than of the revenue index stopping after a page (10 ms became 400 ms)."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def session_conditions(
    db: Session, view: SessionView, organisation_id: int, filters: SessionFilters
) -> list[ColumnElement[bool]]:
    """The WHERE of the organisation's sessions matching `filters`, each reference
    resolved among what the viewer may name (InvalidParameter otherwise)."""
    conditions: list[ColumnElement[bool]] = [view.owner == organisation_id]
    if filters.date_from is not None:
        conditions += [
            ChargeSession.stop_local_date >= filters.date_from,
            ChargeSession.stop_date_time >= _utc_midnight(filters.date_from - timedelta(days=1)),
        ]
    if filters.date_to is not None:
        conditions += [
            ChargeSession.stop_local_date <= filters.date_to,
            ChargeSession.stop_date_time < _utc_midnight(filters.date_to + timedelta(days=2)),
        ]
    if filters.fleet is not None:
        fleet_id = db.scalar(
            select(Fleet.id).where(
                Fleet.uuid == UUID(filters.fleet), Fleet.organisation_id == organisation_id
            )
        )
        if fleet_id is None:
            raise InvalidParameter(f"no fleet {filters.fleet} of yours", parameter="fleet")
        conditions.append(ChargeSession.fleet_id == fleet_id)
    if filters.vehicle is not None:
        ids = _ids(
            db,
            select(Vehicle.id).where(Vehicle.organisation_id == organisation_id),
            Vehicle.vin == filters.vehicle.upper(),
            _uuid_is(Vehicle.uuid, filters.vehicle),
            func.upper(Vehicle.registration_number) == filters.vehicle.upper(),
        )
        if not ids:
            raise InvalidParameter(
                f"no vehicle of yours has the VIN, registration or UUID {filters.vehicle!r}",
                parameter="vehicle",
            )
        conditions.append(_one_of(ChargeSession.vehicle_id, ids))
    if filters.card is not None:
        ids = _ids(
            db,
            select(Card.id).where(Card.organisation_id == organisation_id),
            Card.id_tag == filters.card,
            _uuid_is(Card.uuid, filters.card),
        )
        if not ids:
            raise InvalidParameter(
                f"no card of yours has the id tag or UUID {filters.card!r}", parameter="card"
            )
        conditions.append(_one_of(ChargeSession.card_id, ids))
    if filters.location is not None:
        location = select(Location.id).where(Location.uuid == UUID(filters.location))
        if view is SITE_HOST:
            location = location.where(Location.host_organisation_id == organisation_id)
        location_id = db.scalar(location)
        if location_id is None:
            raise InvalidParameter(f"no location {filters.location}", parameter="location")
        conditions.append(ChargeSession.location_id == location_id)
    return conditions


def ordered_ids(
    view: SessionView,
    conditions: Sequence[ColumnElement[bool]],
    order: Sort,
    cursor: Cursor | None,
    limit: int = PAGE_ROWS + 1,
) -> Any:
    """The ids of the next `limit` matching sessions in `order`, after `cursor` (its
    direction already applied to `order`), as a subquery (`id`, `sort_value`,
    `stop_date_time`)."""
    column = sort_column(view, order.key)
    statement = select(
        ChargeSession.id, column.label("sort_value"), ChargeSession.stop_date_time
    ).where(*conditions)
    if cursor is not None:
        key = tuple_(column, ChargeSession.id)
        mark = tuple_(literal(cursor.value, column.type), literal(cursor.id))
        statement = statement.where(key < mark if order.descending else key > mark)
    ordering = (column, ChargeSession.id)
    if order.descending:
        statement = statement.order_by(*(c.desc() for c in ordering))
    else:
        statement = statement.order_by(*ordering)
    return statement.limit(limit).subquery()


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _uuid_is(column: InstrumentedAttribute[Any], text: str) -> ColumnElement[bool] | None:
    try:
        return column == UUID(text)
    except ValueError:
        return None


def _ids(db: Session, base: Select[Any], *alternatives: ColumnElement[bool] | None) -> list[int]:
    """Ids of `base` rows matching any of the conditions (None ones left out)."""
    return list(db.scalars(base.where(or_(*(c for c in alternatives if c is not None)))))


def _one_of(column: InstrumentedAttribute[Any], ids: list[int]) -> ColumnElement[bool]:
    # One id keeps the filter's index order (an IN list would need a sort).
    return column == ids[0] if len(ids) == 1 else column.in_(ids)


def fetch_rows(
    db: Session, view: SessionView, organisation_id: int, ids: Any, order: Sort
) -> list[TableRow]:
    """The rows of the `ordered_ids` subquery, in `order`."""
    statement = (
        select(
            ChargeSession.id,
            ChargeSession.uuid,
            ChargeSession.start_date_time,
            ChargeSession.stop_date_time,
            Location.timezone,
            ChargeSession.total_time_s,
            ChargeSession.consumption_kwh,
            cost_column(view),
            ChargeSession.total_cost,
            ChargeSession.auth_id,
            ChargeSession.payer_organisation_id,
            Location.name,
            Station.name,
            Station.evse_id,
            Connector.name,
            Vehicle.registration_number,
            Vehicle.vin,
            Fleet.name,
        )
        .select_from(ids)
        .join(ChargeSession, ChargeSession.id == ids.c.id)
        .join(Location, Location.id == ChargeSession.location_id)
        .join(Connector, Connector.id == ChargeSession.connector_id)
        .join(Station, Station.id == Connector.station_id)
        .outerjoin(Vehicle, Vehicle.id == ChargeSession.vehicle_id)
        .outerjoin(Fleet, Fleet.id == ChargeSession.fleet_id)
        .order_by(*in_order(ids, order))
    )
    shown = ShownCardIds(organisation_id, partial(card_pseudonym_key, db))
    rows = []
    for row in db.execute(statement):
        (id_, uuid, start, stop, timezone, duration, energy, cost, fee, auth_id, payer) = row[:11]
        (location, station, evse_id, connector, registration, vin, fleet) = row[11:]
        if view is SITE_HOST:
            auth_id = shown.auth_id(auth_id, payer)
        rows.append(
            TableRow(
                id=id_,
                uuid=uuid,
                start=start,
                stop=stop,
                timezone=timezone,
                duration_s=duration,
                energy_kwh=energy,
                cost=cost,
                network_fee=fee,
                auth_id=auth_id,
                location_name=location,
                station_name=station,
                evse_id=evse_id,
                connector_name=connector,
                vehicle_registration=registration,
                vehicle_vin=vin,
                fleet_name=fleet,
            )
        )
    return rows


def in_order(ids: Any, order: Sort) -> list[Any]:
    """The ORDER BY of rows joined to an `ordered_ids` subquery, in its order."""
    ordering = (ids.c.sort_value, ids.c.id)
    return [c.desc() if order.descending else c for c in ordering]


def _cursor(sort: Sort, row: TableRow, direction: Direction, page: int) -> str:
    value = row.stop if sort.key == "stop" else row.energy_kwh if sort.key == "energy" else row.cost
    return Cursor(sort, value, row.id, direction, page).encode()


def _total(
    db: Session,
    view: SessionView,
    organisation_id: int,
    filters: SessionFilters,
    conditions: Sequence[ColumnElement[bool]],
) -> tuple[int, bool]:
    """How many sessions match: from the day counts when only dates filter (exact, cheap at
    any size), else counted up to COUNT_CAP."""
    if all(getattr(filters, name) is None for name in ("fleet", "vehicle", "card", "location")):
        counts = select(func.coalesce(func.sum(SessionDayCount.sessions), 0)).where(
            SessionDayCount.organisation_id == organisation_id,
            SessionDayCount.view == view.name,
        )
        if filters.date_from is not None:
            counts = counts.where(SessionDayCount.local_date >= filters.date_from)
        if filters.date_to is not None:
            counts = counts.where(SessionDayCount.local_date <= filters.date_to)
        return int(db.scalar(counts) or 0), False
    # In the table's own order, so the count walks the filter's index like the page does.
    capped = ordered_ids(view, conditions, Sort.parse(None), None, COUNT_CAP + 1)
    counted = int(db.scalar(select(func.count()).select_from(capped)) or 0)
    return min(counted, COUNT_CAP), counted > COUNT_CAP
