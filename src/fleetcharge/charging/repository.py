"""Index-backed paging over an organisation's charge sessions, at any depth.

Sessions are listed by (stop_date_time, id). `session_day_counts` holds how many
sessions each organisation sees per (UTC day, local completion day), so:
- total_entries is a sum over at most a few hundred counter rows, and
- page N starts with a seek to the UTC day that holds row (N-1)*100, then skips only
  the rows of that one day (a short index-only range), instead of OFFSET-ing through
  everything before it.

The day counts are read and the page located in Python (`sessions_per_utc_day`,
`locate_page`), or, on PostgreSQL when no bound is an instant, inside the page's own
statement (`locate_in_database`), which saves the API a round trip per request.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from operator import ge, le
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    DateTime,
    Select,
    and_,
    bindparam,
    cast,
    func,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute

from fleetcharge.db import Reader, fetch_all
from fleetcharge.kit.paging import PAGE_SIZE, DateBound, ListParams
from fleetcharge.models import (
    ChargeSession,
    Connector,
    Fleet,
    Invoice,
    InvoiceSession,
    Location,
    Organisation,
    ServerKey,
    SessionDayCount,
    Station,
    Vehicle,
)
from fleetcharge.models.invoice import BILLED_STATUSES
from fleetcharge.models.server_key import CARD_PSEUDONYMS
from fleetcharge.models.types import UTCDateTime


@dataclass(frozen=True)
class SessionView:
    """One reader of a session: `usage` is the paying organisation, `sessions` the host."""

    name: str
    owner: InstrumentedAttribute[Any]


USAGE = SessionView("usage", ChargeSession.payer_organisation_id)
SITE_HOST = SessionView("sessions", ChargeSession.host_organisation_id)
VIEWS = {view.name: view for view in (USAGE, SITE_HOST)}


@dataclass(frozen=True)
class PageStart:
    """Where a page begins: the UTC day holding its first row, and rows to skip in that day."""

    utc_day: date
    skip: int


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def utc_day(instant: datetime) -> date:
    return instant.astimezone(UTC).date()


# What kind each date bound is ("day", "instant" or None): statements differ per shape, and
# are built once per (view, shape) with bind parameters, not per request.
Shape = tuple[str | None, str | None]


def _kind(bound: DateBound | None) -> str | None:
    if bound is None:
        return None
    return "day" if bound.day is not None else "instant"


def shape_of(params: ListParams) -> Shape:
    return _kind(params.date_from), _kind(params.date_to)


def bind_values(organisation_id: int, params: ListParams) -> dict[str, Any]:
    """Values for the bind parameters of the statements below."""
    values: dict[str, Any] = {"organisation_id": organisation_id, "page_size": PAGE_SIZE}
    for name, bound in (("date_from", params.date_from), ("date_to", params.date_to)):
        if bound is not None and bound.instant is not None:
            values[name] = bound.instant
            values[f"{name}_utc_day"] = utc_day(bound.instant)
        elif bound is not None:
            values[name] = bound.day
    return values


@lru_cache(maxsize=64)
def session_filters(view_name: str, shape: Shape) -> tuple[ColumnElement[bool], ...]:
    view = VIEWS[view_name]
    conditions: list[ColumnElement[bool]] = [view.owner == bindparam("organisation_id")]
    for name, kind, compare in (("date_from", shape[0], ge), ("date_to", shape[1], le)):
        if kind == "day":
            conditions.append(compare(ChargeSession.stop_local_date, bindparam(name, type_=Date())))
        elif kind == "instant":
            conditions.append(
                compare(ChargeSession.stop_date_time, bindparam(name, type_=UTCDateTime()))
            )
    return tuple(conditions)


@lru_cache(maxsize=64)
def _day_counts_query(view_name: str, shape: Shape) -> Select[date, int]:
    counts = SessionDayCount
    query = select(counts.utc_date, func.sum(counts.sessions).label("sessions")).where(
        counts.organisation_id == bindparam("organisation_id"), counts.view == view_name
    )
    for name, kind, compare in (("date_from", shape[0], ge), ("date_to", shape[1], le)):
        if kind == "day":
            query = query.where(compare(counts.local_date, bindparam(name, type_=Date())))
        elif kind == "instant":
            day = bindparam(f"{name}_utc_day", type_=Date())
            query = query.where(compare(counts.utc_date, day))
    return query.group_by(counts.utc_date).order_by(counts.utc_date)


def sessions_per_utc_day(
    db: Reader, view: SessionView, organisation_id: int, params: ListParams
) -> list[tuple[date, int]]:
    """Matching sessions per UTC day of completion, ascending."""
    shape = shape_of(params)
    values = bind_values(organisation_id, params)
    rows = [(day, int(n)) for day, n in fetch_all(db, _day_counts_query(view.name, shape), values)]
    edges = {
        values[f"{name}_utc_day"]
        for name in ("date_from", "date_to")
        if f"{name}_utc_day" in values
    }
    if not edges:
        return rows
    # A day cut by an instant bound holds sessions on both sides of it: count those exactly.
    exact: list[tuple[date, int]] = []
    for day, n in rows:
        if day in edges:
            day_values = {"day_start": day_start(day), "day_end": day_start(day + timedelta(1))}
            ((n,),) = fetch_all(db, _sessions_in_day(view.name, shape), {**values, **day_values})
        if n:
            exact.append((day, n))
    return exact


@lru_cache(maxsize=64)
def _sessions_in_day(view_name: str, shape: Shape) -> Select[int]:
    """Matching sessions completed from `day_start` until `day_end`."""
    return (
        select(func.count())
        .select_from(ChargeSession)
        .where(
            *session_filters(view_name, shape),
            ChargeSession.stop_date_time >= bindparam("day_start", type_=UTCDateTime()),
            ChargeSession.stop_date_time < bindparam("day_end", type_=UTCDateTime()),
        )
    )


def locate_page(per_day: list[tuple[date, int]], offset: int) -> PageStart | None:
    """The day and in-day skip of the row at `offset`, or None past the end."""
    seen = 0
    for day, n in per_day:
        if offset < seen + n:
            return PageStart(day, offset - seen)
        seen += n
    return None


def page_values(start: PageStart) -> dict[str, Any]:
    return {"page_start": day_start(start.utc_day), "skip": start.skip}


def _page_of_ids(
    view_name: str, shape: Shape, page_start: ColumnElement[Any], skip: ColumnElement[Any]
) -> Any:
    return (
        select(ChargeSession.id, ChargeSession.stop_date_time)
        .where(*session_filters(view_name, shape), ChargeSession.stop_date_time >= page_start)
        .order_by(ChargeSession.stop_date_time, ChargeSession.id)
        .offset(skip)
        .limit(bindparam("page_size"))
        .subquery()
    )


@lru_cache(maxsize=64)
def page_of_ids(view_name: str, shape: Shape) -> Any:
    """The ids (and sort keys) of one page, as a subquery for a deferred join to full rows.

    Bind `page_start` and `skip` (`page_values`).
    """
    page_start = bindparam("page_start", type_=UTCDateTime())
    return _page_of_ids(view_name, shape, page_start, bindparam("skip"))


@dataclass(frozen=True)
class LocatedPage:
    """A page's ids located by the database itself, and the total it counted on the way."""

    total: ColumnElement[int]
    ids: Any


def locates_in_database(shape: Shape) -> bool:
    # A day cut by an instant bound needs an exact count (see `sessions_per_utc_day`).
    return "instant" not in shape


@lru_cache(maxsize=64)
def locate_in_database(view_name: str, shape: Shape) -> LocatedPage:
    """`sessions_per_utc_day`, `locate_page` and `page_of_ids` as parts of one PostgreSQL
    statement, for shapes where `locates_in_database`.

    Bind `offset` instead of `page_start` and `skip`; past the end the page is empty.
    """
    days = _day_counts_query(view_name, shape).cte("days")
    offset = bindparam("offset", type_=BigInteger())
    through = func.sum(days.c.sessions).over(order_by=days.c.utc_date)
    running = select(days.c.utc_date, days.c.sessions, through.label("through")).subquery()
    start = (
        select(
            running.c.utc_date,
            cast(offset - (running.c.through - running.c.sessions), BigInteger).label("skip"),
        )
        .where(running.c.through > offset)
        .order_by(running.c.utc_date)
        .limit(1)
        .cte("page_start")
    )
    # The UTC day's first instant, as `day_start` computes it.
    page_start = select(func.timezone("UTC", cast(start.c.utc_date, DateTime()))).scalar_subquery()
    skip = select(start.c.skip).scalar_subquery()
    total = select(cast(func.coalesce(func.sum(days.c.sessions), 0), BigInteger)).scalar_subquery()
    return LocatedPage(total, _page_of_ids(view_name, shape, page_start, skip))


def page_with_details(view: SessionView, page: Any) -> Select[Any]:
    """The page's sort keys joined to everything its view shows; add the columns to read."""
    query = (
        select(page.c.stop_date_time, page.c.id)
        .select_from(page)
        .join(ChargeSession, ChargeSession.id == page.c.id)
        .join(Connector, Connector.id == ChargeSession.connector_id)
        .join(Station, Station.id == Connector.station_id)
        .join(Location, Location.id == ChargeSession.location_id)
    )
    if view is SITE_HOST:
        return query.join(Organisation, Organisation.id == ChargeSession.host_organisation_id)
    return (
        query.join(Vehicle, Vehicle.id == ChargeSession.vehicle_id)
        .join(Fleet, Fleet.id == ChargeSession.fleet_id)
        .outerjoin(
            InvoiceSession,
            and_(
                InvoiceSession.session_id == ChargeSession.id,
                InvoiceSession.kind == "fleet",
                InvoiceSession.active,
            ),
        )
        .outerjoin(
            Invoice,
            and_(
                Invoice.id == InvoiceSession.invoice_id,
                or_(*(Invoice.status == status for status in BILLED_STATUSES)),
            ),
        )
    )


_CARD_PSEUDONYM_KEY = select(ServerKey.key).where(ServerKey.name == CARD_PSEUDONYMS)


def card_pseudonym_key(db: Reader) -> bytes:
    """The secret of card pseudonyms (`charging.pseudonyms`), generated by migration 0015."""
    rows = fetch_all(db, _CARD_PSEUDONYM_KEY, {})
    if not rows:
        raise RuntimeError("the card pseudonym key is missing: run `fleetcharge db upgrade`")
    key: bytes = rows[0][0]
    return key
