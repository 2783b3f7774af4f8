"""/fleet: a fleet organisation's month at a glance, against the month before."""

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from fleetcharge.charging.overview import FleetOverview, fleet_overview
from fleetcharge.console.charts import Series, bar_chart
from fleetcharge.console.pages import render
from fleetcharge.console.security import FleetMember
from fleetcharge.db import unit_of_work
from fleetcharge.kit.months import Month
from fleetcharge.timezones import zone

router = APIRouter()


@router.get("/fleet", response_class=HTMLResponse)
def overview_page(request: Request, member: FleetMember, month: str | None = None) -> Response:
    chosen = (
        Month.parse(month.strip())
        if month and month.strip()
        else Month.of(datetime.now(UTC).astimezone(zone(member.timezone)).date())
    )
    assert member.organisation_id is not None  # fleet members belong to an organisation
    with unit_of_work(request.app.state.engine) as db:
        overview = fleet_overview(db, member.actor, member.organisation_id, chosen)
    return render(
        request,
        "fleet/overview.html",
        {
            "title": f"Overview, {chosen.first_day:%B %Y}",
            "overview": overview,
            "month": chosen,
            "daily_chart": daily_chart(overview),
            "fleet_chart": fleet_chart(overview),
        },
    )


def daily_chart(overview: FleetOverview) -> str:
    days = overview.days
    return bar_chart(
        f"Energy and cost per day, {overview.month.first_day:%B %Y}",
        [f"{day.day:%-d %b}" for day in days],
        [
            Series("Energy", "kWh", [day.totals.energy_kwh for day in days]),
            Series("Cost", "AUD", [day.totals.cost for day in days], secondary=True),
        ],
    )


def fleet_chart(overview: FleetOverview) -> str:
    fleets = overview.fleets
    return bar_chart(
        "Cost per fleet",
        [fleet.name for fleet in fleets],
        [Series("Cost", "AUD", [fleet.totals.cost for fleet in fleets])],
    )
