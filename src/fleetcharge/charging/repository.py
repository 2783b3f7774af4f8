"""Index-backed paging over an organisation's charge sessions, at any depth.

Sessions are listed by (stop_date_time, id). `session_day_counts` holds how many
sessions each organisation sees per (UTC day, local completion day), so:
- total_entries is a sum over at most a few hundred counter rows, and
- page N starts with a seek to the UTC day that holds row (N-1)*100, then skips only
  the rows of that one day (a short index-only range), instead of OFFSET-ing through
  everything before it.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from fleetcharge.api.params import PAGE_SIZE, ListParams
from fleetcharge.models import (
    ChargeSession,
    Connector,
    Fleet,
    Invoice,
    InvoiceSession,
    Location,
    Organisation,
    SessionDayCount,
    Station,
    Vehicle,
)

# A session shows the number of its fleet invoice once that is approved (or paid).
BILLED_STATUSES = ("approved", "paid")


@dataclass(frozen=True)
class SessionView:
    """One reader of a session: `usage` is the paying organisation, `sessions` the host."""

    name: str
    owner: InstrumentedAttribute[Any]


USAGE = SessionView("usage", ChargeSession.payer_organisation_id)
SITE_HOST = SessionView("sessions", ChargeSession.host_organisation_id)


@dataclass(frozen=True)
class PageStart:
    """Where a page begins: the UTC day holding its first row, and rows to skip in that day."""

    utc_day: date
    skip: int


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def utc_day(instant: datetime) -> date:
    return instant.astimezone(UTC).date()


def session_filters(
    view: SessionView, organisation_id: int, params: ListParams
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [view.owner == organisation_id]
    if params.date_from is not None:
        if params.date_from.day is not None:
            conditions.append(ChargeSession.stop_local_date >= params.date_from.day)
        else:
            conditions.append(ChargeSession.stop_date_time >= params.date_from.instant)
    if params.date_to is not None:
        if params.date_to.day is not None:
            conditions.append(ChargeSession.stop_local_date <= params.date_to.day)
        else:
            conditions.append(ChargeSession.stop_date_time <= params.date_to.instant)
    return conditions


def sessions_per_utc_day(
    db: Session, view: SessionView, organisation_id: int, params: ListParams
) -> list[tuple[date, int]]:
    """Matching sessions per UTC day of completion, ascending."""
    counts = SessionDayCount
    query = select(counts.utc_date, func.sum(counts.sessions)).where(
        counts.organisation_id == organisation_id, counts.view == view.name
    )
    low, high = params.date_from, params.date_to
    edges: set[date] = set()
    if low is not None:
        if low.day is not None:
            query = query.where(counts.local_date >= low.day)
        else:
            assert low.instant is not None
            edges.add(utc_day(low.instant))
            query = query.where(counts.utc_date >= utc_day(low.instant))
    if high is not None:
        if high.day is not None:
            query = query.where(counts.local_date <= high.day)
        else:
            assert high.instant is not None
            edges.add(utc_day(high.instant))
            query = query.where(counts.utc_date <= utc_day(high.instant))
    rows = [
        (day, int(n))
        for day, n in db.execute(query.group_by(counts.utc_date).order_by(counts.utc_date))
    ]
    if not edges:
        return rows
    # A day cut by an instant bound holds sessions on both sides of it: count those exactly.
    filters = session_filters(view, organisation_id, params)
    exact: list[tuple[date, int]] = []
    for day, n in rows:
        if day in edges:
            n = (
                db.scalar(
                    select(func.count())
                    .select_from(ChargeSession)
                    .where(
                        *filters,
                        ChargeSession.stop_date_time >= day_start(day),
                        ChargeSession.stop_date_time < day_start(day + timedelta(days=1)),
                    )
                )
                or 0
            )
        if n:
            exact.append((day, n))
    return exact


def locate_page(per_day: list[tuple[date, int]], offset: int) -> PageStart | None:
    """The day and in-day skip of the row at `offset`, or None past the end."""
    seen = 0
    for day, n in per_day:
        if offset < seen + n:
            return PageStart(day, offset - seen)
        seen += n
    return None


def page_of_ids(
    view: SessionView, organisation_id: int, params: ListParams, start: PageStart
) -> Select[int, datetime]:
    """The ids (and sort keys) of one page, for a deferred join to the full rows."""
    return (
        select(ChargeSession.id, ChargeSession.stop_date_time)
        .where(
            *session_filters(view, organisation_id, params),
            ChargeSession.stop_date_time >= day_start(start.utc_day),
        )
        .order_by(ChargeSession.stop_date_time, ChargeSession.id)
        .offset(start.skip)
        .limit(PAGE_SIZE)
    )


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
            and_(Invoice.id == InvoiceSession.invoice_id, Invoice.status.in_(BILLED_STATUSES)),
        )
    )
