"""A site host's month at a glance: revenue, energy, sessions and utilisation per location
and station, and per day as charts."""

from datetime import date, datetime

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from fleetcharge.billing.period import Period
from fleetcharge.charging.host_figures import HostMonth, host_month
from fleetcharge.console.charts import Series, bar_chart, line_chart
from fleetcharge.console.pages import render
from fleetcharge.console.security import HostMember
from fleetcharge.db import unit_of_work
from fleetcharge.errors import InvalidParameter
from fleetcharge.timezones import zone

router = APIRouter()

# Utilisation per day is drawn for this many locations at most (the table lists them all).
CHART_LOCATIONS = 6


def parse_month(raw: str | None, timezone: str) -> Period:
    """`YYYY-MM`, or the member's current month when absent."""
    text = (raw or "").strip()
    if not text:
        today = datetime.now(zone(timezone)).date()
        return Period(today.year, today.month)
    try:
        return Period.parse(text)
    except InvalidParameter:
        raise InvalidParameter(
            f"month must be a month as YYYY-MM between 1900 and 9998, got {raw!r}",
            parameter="month",
        ) from None


@router.get("/site", response_class=HTMLResponse)
def site_overview(request: Request, member: HostMember, month: str | None = None) -> Response:
    period = parse_month(month, member.timezone)
    assert member.organisation_id is not None  # a host is an organisation's member
    with unit_of_work(request.app.state.engine) as db:
        figures = host_month(db, member.actor, member.organisation_id, period.first_day)
    before, after = _neighbours(period)
    return render(
        request,
        "site/overview.html",
        {
            "title": "Site",
            "month": period,
            "figures": figures,
            "previous_month": before,
            "next_month": after,
            "daily_chart": _daily_chart(figures),
            "utilisation_chart": _utilisation_chart(figures),
        },
    )


def _neighbours(period: Period) -> tuple[str | None, str | None]:
    """The months before and after `period`, where there are such (YYYY-MM)."""
    found: list[str | None] = []
    for year, month in ((period.year, period.month - 1), (period.year, period.month + 1)):
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
        try:
            found.append(str(Period(year, month)))
        except InvalidParameter:
            found.append(None)
    return found[0], found[1]


def _labels(days: list[date]) -> list[str]:
    return [day.strftime("%-d %b") for day in days]


def _daily_chart(figures: HostMonth) -> object:
    per_day = figures.per_day
    return bar_chart(
        "Revenue and energy per day",
        _labels(figures.days),
        [
            Series("Revenue", "AUD", [t.revenue for t in per_day]),
            Series("Energy", "kWh", [t.energy_kwh for t in per_day], secondary=True),
        ],
    )


def _utilisation_chart(figures: HostMonth) -> object:
    shown = sorted(figures.locations, key=lambda loc: -loc.total.revenue)[:CHART_LOCATIONS]
    series: list[Series] = [
        Series(loc.name, "%", [t.utilisation for t in loc.days])
        for loc in sorted(shown, key=lambda loc: loc.name)
    ]
    if not series:
        series = [Series("Utilisation", "%", [None] * len(figures.days))]
    return line_chart("Utilisation per day", _labels(figures.days), series)
