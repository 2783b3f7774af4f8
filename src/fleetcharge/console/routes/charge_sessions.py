"""The sessions table, a session's page and the CSV download, for fleet managers (the
sessions their fleets paid for, /fleet/sessions) and site hosts (the sessions at their
stations, /site/sessions)."""

from contextlib import ExitStack
from dataclasses import dataclass
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response, StreamingResponse

from fleetcharge.charging.csv_export import session_csv
from fleetcharge.charging.detail import CurvePoint, SessionDetail, period_curve, session_detail
from fleetcharge.charging.repository import SITE_HOST, USAGE, SessionView
from fleetcharge.charging.table import filter_choices, session_table
from fleetcharge.charging.table_query import SORT_KEYS, Sort, TableQuery, parse_table_query
from fleetcharge.console.charts import Series, line_chart
from fleetcharge.console.member import Member
from fleetcharge.console.pages import render
from fleetcharge.console.security import FleetMember, HostMember
from fleetcharge.csms.meter_curve import meter_curve
from fleetcharge.db import unit_of_work
from fleetcharge.settings import get_settings
from fleetcharge.timezones import zone

router = APIRouter()


@dataclass(frozen=True)
class Area:
    """Where a view's pages live and what they are called."""

    view: SessionView
    path: str
    title: str
    export_name: str  # the CSV file's name starts with it

    @property
    def payer(self) -> bool:
        return self.view is USAGE


FLEET = Area(USAGE, "/fleet/sessions", "Sessions", "usage")
SITE = Area(SITE_HOST, "/site/sessions", "Sessions at your stations", "sessions")


@router.get("/fleet/sessions", response_class=HTMLResponse)
def fleet_sessions(request: Request, member: FleetMember) -> Response:
    return _table_page(request, member, FLEET)


@router.get("/site/sessions", response_class=HTMLResponse)
def site_sessions(request: Request, member: HostMember) -> Response:
    return _table_page(request, member, SITE)


@router.get("/fleet/sessions.csv")
def fleet_sessions_csv(request: Request, member: FleetMember) -> Response:
    return _csv(request, member, FLEET)


@router.get("/site/sessions.csv")
def site_sessions_csv(request: Request, member: HostMember) -> Response:
    return _csv(request, member, SITE)


@router.get("/fleet/sessions/{session_uuid}", response_class=HTMLResponse)
def fleet_session(request: Request, member: FleetMember, session_uuid: UUID) -> Response:
    return _detail_page(request, member, FLEET, session_uuid)


@router.get("/site/sessions/{session_uuid}", response_class=HTMLResponse)
def site_session(request: Request, member: HostMember, session_uuid: UUID) -> Response:
    return _detail_page(request, member, SITE, session_uuid)


def _organisation(member: Member) -> int:
    assert member.organisation_id is not None  # fleet and host members belong to one
    return member.organisation_id


def _query(request: Request, area: Area) -> TableQuery:
    return parse_table_query(dict(request.query_params), payer_view=area.payer)


def _link(area: Area, query: TableQuery, **more: str) -> str:
    params = {**query.filters.query(), "sort": str(query.sort), **more}
    return f"{area.path}?{urlencode(params)}"


def _table_page(request: Request, member: Member, area: Area) -> Response:
    query = _query(request, area)
    organisation_id = _organisation(member)
    with unit_of_work(request.app.state.engine) as db:
        page = session_table(db, member.actor, area.view, organisation_id, query)
        fleets, locations = filter_choices(db, member.actor, area.view, organisation_id)
    headers = {
        key: _link(area, TableQuery(query.filters, _toggled(query.sort, key))) for key in SORT_KEYS
    }
    filters = query.filters.query()
    return render(
        request,
        "sessions/list.html",
        {
            "title": area.title,
            "area": area,
            "page": page,
            "filters": filters,
            "sort": query.sort,
            "sort_links": headers,
            "fleets": fleets,
            "locations": locations,
            "csv_url": f"{area.path}.csv?{urlencode({**filters, 'sort': str(query.sort)})}",
            "previous_url": page.previous_cursor
            and _link(area, query, cursor=page.previous_cursor),
            "next_url": page.next_cursor and _link(area, query, cursor=page.next_cursor),
        },
    )


def _toggled(current: Sort, key: str) -> Sort:
    """A column header's order: the other way round when it is the current one; highest
    (latest) first otherwise."""
    if current.key == key:
        return current.reversed()
    return Sort(key, descending=True)


def _csv(request: Request, member: Member, area: Area) -> Response:
    query = _query(request, area)
    organisation_id = _organisation(member)
    stack = ExitStack()
    db = stack.enter_context(Session(request.app.state.engine))
    try:
        # Bad filters are refused here, before the response starts.
        text = session_csv(
            db, member.actor, area.view, organisation_id, query, get_settings().operator_name
        )
    except BaseException:
        stack.close()
        raise

    def chunks() -> object:
        with stack:
            for chunk in text:
                yield chunk.encode()

    filters = query.filters
    span = "-".join(str(day) for day in (filters.date_from, filters.date_to) if day) or "all"
    name = f"{area.export_name}-{span}.csv"
    return StreamingResponse(
        chunks(),  # type: ignore[arg-type]
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _detail_page(request: Request, member: Member, area: Area, session_uuid: UUID) -> Response:
    organisation_id = _organisation(member)
    with unit_of_work(request.app.state.engine) as db:
        detail = session_detail(db, member.actor, area.view, organisation_id, session_uuid)
        curve = meter_curve(db, detail.row.id)
    source = "meter values"
    if not curve:
        curve, source = period_curve(detail.row.start, detail.periods), "charging periods"
    return render(
        request,
        "sessions/detail.html",
        {
            "title": f"Session at {detail.row.location_name}",
            "area": area,
            "detail": detail,
            "row": detail.row,
            "curve_source": source,
            "curve_chart": _curve_chart(detail, curve),
        },
    )


def _curve_chart(detail: SessionDetail, curve: list[CurvePoint]) -> str:
    timezone = zone(detail.row.timezone)
    return line_chart(
        "Energy delivered and power",
        [f"{point.at.astimezone(timezone):%H:%M:%S}" for point in curve],
        [
            Series("Energy", "kWh", [point.energy_kwh for point in curve]),
            Series("Power", "kW", [point.power_kw for point in curve], secondary=True),
        ],
    )
