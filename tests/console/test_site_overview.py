"""/site: a site host's month, its figures equal to the sums over /sessions to the cent."""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from fleetcharge.console.formatting import kwh, money
from fleetcharge.db import unit_of_work
from fleetcharge.models import Organisation
from tests import factories as f
from tests.api.helpers import API, bearer
from tests.console.conftest import BrowserPage, Console

SYDNEY = ZoneInfo("Australia/Sydney")
HOST_ROLE = "site_host"


@dataclass
class Hosts:
    host: Organisation
    other: Organisation
    token: str
    depot: f.Site
    elsewhere: f.Site


@pytest.fixture
def hosts(engine: Engine) -> Hosts:
    with unit_of_work(engine) as db:
        host, other, payer = f.organisation(db), f.organisation(db), f.organisation(db)
        depot = f.site(db, host, "Australia/Sydney")
        depot.location.name = "<script>alert(1)</script> Depot"
        west = f.site(db, host, "Australia/Perth")
        elsewhere = f.site(db, other)
        fleet_driver = f.driver(db, f.vehicle(db, f.fleet(db, payer)))
        public = f.driver(db, None)
        charges = [
            (depot, fleet_driver, datetime(2026, 10, 1, 0, 30, tzinfo=SYDNEY), "10.125", 45),
            (depot, public, datetime(2026, 10, 1, 18, 0, tzinfo=SYDNEY), "7.777", 120),
            (depot, fleet_driver, datetime(2026, 10, 14, 9, 0, tzinfo=SYDNEY), "33.3", 200),
            (west, public, datetime(2026, 10, 31, 12, 0, tzinfo=SYDNEY), "1.001", 17),
            (depot, public, datetime(2026, 11, 1, 0, 5, tzinfo=SYDNEY), "4", 60),
            (elsewhere, public, datetime(2026, 10, 9, 12, 0, tzinfo=SYDNEY), "50", 60),
        ]
        for site, driver, stop, energy, minutes in charges:
            f.charge(db, site, driver, stop.astimezone(UTC), minutes=minutes, kwh=energy)
        return Hosts(host, other, f.token(db, host), depot, elsewhere)


def _listed(console: Console, token: str) -> list[dict]:
    url: str | None = f"{API}/sessions?date_from=2026-10-01&date_to=2026-10-31"
    found: list[dict] = []
    while url:
        body = console.client.get(url, headers=bearer(token)).json()
        found += body["data"]["sessions"]
        url = body["pagination"].get("next")
    return found


def _chart_values(page: str, column: int) -> list[Decimal]:
    """The `column`th series of the first chart's figures table, per day."""
    table = page.split('class="chart-data"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><th scope=\"row\">[^<]*</th>(.*?)</tr>", table)
    return [Decimal(re.findall(r'data-value="([^"]*)"', row)[column] or "0") for row in rows]


def test_the_month_equals_the_sums_over_sessions_to_the_cent(
    console: Console, hosts: Hosts
) -> None:
    listed = _listed(console, hosts.token)
    assert len(listed) == 4
    revenue = sum((Decimal(str(s["total_revenue"])) for s in listed), Decimal("0.00"))
    energy = sum((Decimal(str(s["consumption"])) for s in listed), Decimal("0.000"))
    console.sign_in(HOST_ROLE, hosts.host)
    page = console.client.get("/site?month=2026-10")
    assert page.status_code == 200
    assert f'data-figure="revenue">{money(revenue)}<' in page.text
    assert f'data-figure="energy">{kwh(energy)}<' in page.text
    assert 'data-figure="sessions">4<' in page.text
    # The daily chart carries each day's revenue: the sessions' summed by local date.
    per_day: dict[int, Decimal] = defaultdict(Decimal)
    for session in listed:
        stopped = datetime.fromisoformat(session["stop_date_time"])
        per_day[stopped.day] += Decimal(str(session["total_revenue"]))
    drawn = _chart_values(page.text, 0)
    assert len(drawn) == 31
    assert {day: value for day, value in enumerate(drawn, start=1) if value} == {
        day: value for day, value in per_day.items() if value
    }
    assert sum(drawn) == revenue
    # Names are text; another host's location is not there.
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Depot" in page.text
    assert str(hosts.elsewhere.location.uuid) not in page.text
    assert hosts.elsewhere.location.name not in page.text


def test_months_move_and_a_bad_month_is_400(console: Console, hosts: Hosts) -> None:
    console.sign_in(HOST_ROLE, hosts.host)
    november = console.client.get("/site?month=2026-11")
    assert 'data-figure="sessions">1<' in november.text
    assert 'href="/site?month=2026-10"' in november.text
    assert 'href="/site?month=2026-12"' in november.text
    january = console.client.get("/site?month=2027-01").text
    assert 'href="/site?month=2026-12"' in january and 'href="/site?month=2027-02"' in january
    earliest = console.client.get("/site?month=1900-01")
    assert earliest.status_code == 200 and 'rel="prev"' not in earliest.text
    latest = console.client.get("/site?month=9998-12")
    assert latest.status_code == 200 and 'rel="next"' not in latest.text
    for bad in ("2026-13", "oct", "2026-1", "0000-01", "9999-01"):
        page = console.client.get(f"/site?month={bad}")
        assert page.status_code == 400, bad
        assert "month must be" in page.text
    assert console.client.get("/site").status_code == 200  # this month


def test_only_hosts_see_the_site_page(console: Console, hosts: Hosts, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        fleet_only = f.organisation(db)
        f.fleet(db, fleet_only)
    console.sign_in("fleet_manager", fleet_only)
    assert console.client.get("/site").status_code == 404
    console.sign_in("admin")
    assert console.client.get("/site").status_code == 404
    console.sign_in(HOST_ROLE, hosts.other)
    page = console.client.get("/site?month=2026-10")
    assert page.status_code == 200 and 'data-figure="sessions">1<' in page.text
    assert "Depot" not in page.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_site_page_in_a_browser(console: Console, browser: BrowserPage, hosts: Hosts) -> None:
    console.sign_in(HOST_ROLE, hosts.host)
    browser.open("/site?month=2026-10")
    assert browser.page.locator(".chart-svg svg").count() == 2
    assert browser.page.locator('[data-figure="sessions"]').inner_text() == "4"
    browser.screenshot("site-overview")
    browser.assert_no_errors()
