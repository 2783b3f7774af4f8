"""The fleet manager's overview and sessions pages, and the site host's sessions: their
figures are the Fleets API's, filters and pages find what /usage finds, and nobody sees
another organisation's sessions."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import pytest
from markupsafe import escape
from sqlalchemy import Engine, select

from fleetcharge.charging import table
from fleetcharge.client import Resource
from fleetcharge.client.flatten import columns, flatten
from fleetcharge.client.models import SiteHostSession, UsageSession
from fleetcharge.db import unit_of_work
from fleetcharge.models import ChargeSession, Connector, OcppMeterValue, OcppTransaction
from tests.console.conftest import Console
from tests.console.fleet_world import (
    HOSTILE_LOCATION,
    HOSTILE_REGISTRATION,
    FleetWorld,
    api_sessions,
    build,
    local_day,
    money,
    per,
    sums,
)

OCTOBER = {"date_from": "2026-10-01", "date_to": "2026-10-31"}


@pytest.fixture
def world(engine: Engine) -> FleetWorld:
    return build(engine)


def figure(page: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}" data-value="([^"]*)"', page)
    assert found, f"no figure {name}"
    return found[1]


def chart_table(page: str, chart: int = 0) -> list[tuple[str, list[str]]]:
    """The figures table of the page's `chart`-th chart (0 first): each row's label and
    data values, one per series."""
    figures = re.findall(r'<table class="chart-data">.*?</table>', page, re.S)
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', figures[chart], re.S)
    return [(unescape(label), re.findall(r'data-value="([^"]*)"', cells)) for label, cells in rows]


def chart_values(page: str, series: int, chart: int = 0) -> list[str]:
    return [values[series] for _, values in chart_table(page, chart)]


def session_uuids(page: str) -> list[str]:
    return re.findall(r'<tr data-session="([0-9a-f-]{36})">', page)


def walk(console: Console, url: str) -> tuple[list[str], list[str]]:
    """Every page from `url` on by its next links; the uuids in order and the page URLs."""
    uuids, urls = [], []
    while url:
        page = console.client.get(url)
        assert page.status_code == 200, page.text
        urls.append(url)
        uuids += session_uuids(page.text)
        found = re.search(r'<a href="([^"]+)" rel="next">', page.text)
        url = unescape(found[1]) if found else ""
    return uuids, urls


def test_the_overview_figures_are_the_usage_apis(console: Console, world: FleetWorld) -> None:
    console.sign_in("fleet_manager", world.payer)
    page = console.client.get("/fleet?month=2026-10")
    assert page.status_code == 200, page.text
    october = api_sessions(console.client, world.payer_token, **OCTOBER)
    september = api_sessions(
        console.client, world.payer_token, date_from="2026-09-01", date_to="2026-09-30"
    )
    month, before = sums(october), sums(september)
    assert month.sessions > 5 and before.sessions > 3
    assert int(figure(page.text, "sessions")) == month.sessions
    assert Decimal(figure(page.text, "energy")) == month.energy
    assert Decimal(figure(page.text, "cost")) == month.cost
    average = (month.cost / month.energy).quantize(Decimal("0.0001"))
    assert Decimal(figure(page.text, "average-price")) == average
    assert f"against {before.sessions} in September 2026" in page.text
    assert f"{month.cost:,.2f}" in page.text  # shown with thousands separators, as money

    # The daily chart: every day of October, energy and cost per local completion day.
    by_day = per(october, local_day)
    days = [date(2026, 10, d) for d in range(1, 32)]
    zero = sums([])
    energy, cost = chart_values(page.text, 0), chart_values(page.text, 1)
    assert [Decimal(v) for v in energy[:31]] == [by_day.get(d, zero).energy for d in days]
    assert [Decimal(v) for v in cost[:31]] == [by_day.get(d, zero).cost for d in days]

    # Per fleet, the top vehicles and the locations, each as /usage sums them.
    by_fleet = per(october, lambda s: s["customer"]["uuid"])
    shown = dict(re.findall(r'<tr data-fleet="([^"]+)">.*?data-value="([^"]+)"', page.text, re.S))
    assert {k: Decimal(v) for k, v in shown.items()} == {k: v.cost for k, v in by_fleet.items()}
    by_location = per(october, lambda s: s["location"]["name"])
    assert len(re.findall(r"<tr data-location=", page.text)) == len(by_location)
    fleet_chart = {name: Decimal(values[0]) for name, values in chart_table(page.text, chart=1)}
    assert fleet_chart == {
        k: v.cost for k, v in per(october, lambda s: s["customer"]["name"]).items()
    }
    assert len(re.findall(r"<tr data-vehicle=", page.text)) == len(
        per(october, lambda s: s["vehicle"]["vin"])
    )


def test_a_month_boundary_follows_the_local_completion_date(
    console: Console, world: FleetWorld
) -> None:
    console.sign_in("fleet_manager", world.payer)
    november = api_sessions(
        console.client, world.payer_token, date_from="2026-11-01", date_to="2026-11-30"
    )
    page = console.client.get("/fleet?month=2026-11").text
    assert int(figure(page, "sessions")) == len(november)
    # The Sydney session at 00:30 on 1 November local (31 October UTC) is November's.
    assert any(s["stop_date_time"] == "2026-11-01T00:30:00+11:00" for s in november)
    # A month without sessions has no average price, and nothing to compare with after it.
    empty = console.client.get("/fleet?month=2027-03").text
    assert figure(empty, "average-price") == "" and figure(empty, "sessions") == "0"


def test_the_table_pages_through_exactly_what_usage_lists(
    console: Console, world: FleetWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(table, "PAGE_ROWS", 4)
    console.sign_in("fleet_manager", world.payer)
    october = api_sessions(console.client, world.payer_token, **OCTOBER)
    newest_first = [s["uuid"] for s in reversed(october)]
    uuids, urls = walk(console, "/fleet/sessions?date_from=2026-10-01&date_to=2026-10-31")
    assert uuids == newest_first and len(urls) == -(-len(october) // 4)
    # And back again from the last page by the previous links.
    last = console.client.get(urls[-1]).text
    back: list[str] = []
    url = re.search(r'<a href="([^"]+)" rel="prev">', last)
    while url:
        page = console.client.get(unescape(url[1])).text
        back = session_uuids(page) + back
        url = re.search(r'<a href="([^"]+)" rel="prev">', page)
    assert back + session_uuids(last) == newest_first
    assert "page 1" in page and f'data-total="{len(october)}"' in page


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("stop", lambda s: (s["stop_date_time_utc"], s["id"])),
        ("energy", lambda s: (money(s["consumption"]), s["id"])),
        ("cost", lambda s: (money(s["cost_to_driver"]), s["id"])),
    ],
)
def test_each_column_sorts_both_ways(
    console: Console, world: FleetWorld, monkeypatch: pytest.MonkeyPatch, sort: str, key: Any
) -> None:
    monkeypatch.setattr(table, "PAGE_ROWS", 5)
    console.sign_in("fleet_manager", world.payer)
    everything = api_sessions(console.client, world.payer_token)
    with unit_of_work(console.engine) as db:
        rows = db.execute(
            select(ChargeSession.uuid, ChargeSession.id, ChargeSession.stop_date_time)
        )
        ids = {str(u): (i, stop) for u, i, stop in rows}
    for s in everything:
        s["id"], s["stop_date_time_utc"] = ids[s["uuid"]]
    for descending in (False, True):
        expected = [s["uuid"] for s in sorted(everything, key=key, reverse=descending)]
        uuids, _ = walk(console, f"/fleet/sessions?sort={'-' if descending else ''}{sort}")
        assert uuids == expected, (sort, descending)


def test_filters_find_what_usage_finds(console: Console, world: FleetWorld) -> None:
    console.sign_in("fleet_manager", world.payer)
    everything = api_sessions(console.client, world.payer_token)
    one = everything[3]
    cases = {
        "fleet": (
            one["customer"]["uuid"],
            lambda s: s["customer"]["uuid"] == one["customer"]["uuid"],
        ),
        "vehicle": (one["vehicle"]["vin"], lambda s: s["vehicle"]["vin"] == one["vehicle"]["vin"]),
        "card": (one["auth_id"], lambda s: s["auth_id"] == one["auth_id"]),
    }
    for name, (value, keep) in cases.items():
        page = console.client.get("/fleet/sessions", params={name: value, "sort": "stop"})
        assert page.status_code == 200, page.text
        assert session_uuids(page.text) == [s["uuid"] for s in everything if keep(s)], name
    # A registration (any case) finds its vehicle too; the location filter by its UUID.
    page = console.client.get("/fleet/sessions", params={"vehicle": HOSTILE_REGISTRATION.upper()})
    assert len(session_uuids(page.text)) == sum(
        s["vehicle"]["registration_number"] == HOSTILE_REGISTRATION for s in everything
    )
    location = re.search(r'<option value="([0-9a-f-]{36})">(Site \d+)</option>', page.text)
    assert location
    page = console.client.get("/fleet/sessions", params={"location": location[1], "sort": "stop"})
    assert session_uuids(page.text) == [
        s["uuid"] for s in everything if s["location"]["name"] == location[2]
    ]


BAD_PARAMETERS = [
    ("/fleet?month=2026-13", "month"),
    ("/fleet?month=October", "month"),
    ("/fleet/sessions?date_from=2026-02-30", "date_from"),
    ("/fleet/sessions?date_from=2026-10-05&date_to=2026-10-01", "date_from"),
    ("/fleet/sessions?date_to=yesterday", "date_to"),
    ("/fleet/sessions?sort=price", "sort"),
    ("/fleet/sessions?cursor=bm90IGEgY3Vyc29y", "cursor"),
    ("/fleet/sessions?fleet=vans", "fleet"),
    ("/fleet/sessions?vehicle=NOSUCHCAR", "vehicle"),
    ("/fleet/sessions?card=RIVAL-CARD", "card"),
    ("/fleet/sessions.csv?location=00000000-0000-4000-8000-000000000000", "location"),
    ("/fleet/sessions/not-a-uuid", "session_uuid"),
]


def test_bad_parameters_are_a_page_naming_the_field(console: Console, world: FleetWorld) -> None:
    console.sign_in("fleet_manager", world.payer)
    for path, field in BAD_PARAMETERS:
        page = console.client.get(path)
        assert page.status_code == 400, (path, page.text)
        assert page.headers["content-type"].startswith("text/html")
        assert field in page.text, path


def test_a_cursor_of_another_sort_order_is_refused(
    console: Console, world: FleetWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(table, "PAGE_ROWS", 3)
    console.sign_in("fleet_manager", world.payer)
    page = console.client.get("/fleet/sessions?sort=energy").text
    cursor = parse_qs(urlsplit(unescape(re.findall(r'href="([^"]+)" rel="next"', page)[0])).query)
    refused = console.client.get(
        "/fleet/sessions", params={"sort": "cost", "cursor": cursor["cursor"][0]}
    )
    assert refused.status_code == 400 and "cursor" in refused.text


def test_nobody_sees_another_organisations_session(console: Console, world: FleetWorld) -> None:
    console.sign_in("fleet_manager", world.payer)
    assert console.client.get(f"/fleet/sessions/{world.payer_session}").status_code == 200
    for path in (
        f"/fleet/sessions/{world.other_session}",
        f"/fleet/sessions/{world.public_session}",
        "/site/sessions",  # the payer hosts no station
        f"/site/sessions/{world.payer_session}",
    ):
        assert console.client.get(path).status_code == 404, path
    assert world.other_session not in console.client.get("/fleet/sessions").text
    console.sign_in("fleet_manager", world.other)
    assert console.client.get(f"/fleet/sessions/{world.payer_session}").status_code == 404
    console.sign_in("site_host", world.host)  # hosts, runs no fleet
    assert console.client.get("/fleet").status_code == 404
    assert console.client.get(f"/site/sessions/{world.payer_session}").status_code == 200


def test_names_are_shown_as_text(console: Console, world: FleetWorld) -> None:
    console.sign_in("fleet_manager", world.payer)
    for path in (
        "/fleet?month=2026-10",
        "/fleet/sessions?sort=stop",
        f"/fleet/sessions/{world.payer_session}",
    ):
        page = console.client.get(path).text
        assert "<script>1</script>" not in page and "<script>alert" not in page, path
    page = console.client.get("/fleet?month=2026-10").text
    assert "&lt;script&gt;1&lt;/script&gt;" in page
    assert str(escape(HOSTILE_LOCATION)) in page


def test_the_csv_is_the_export_format_of_exactly_the_filtered_sessions(
    console: Console, world: FleetWorld
) -> None:
    console.sign_in("fleet_manager", world.payer)
    october = api_sessions(console.client, world.payer_token, **OCTOBER)
    fleet = october[0]["customer"]["uuid"]
    response = console.client.get(
        "/fleet/sessions.csv", params={**OCTOBER, "fleet": fleet, "sort": "stop"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="usage-2026-10-01-2026-10-31.csv"' in response.headers["content-disposition"]
    expected = [columns(Resource.USAGE)] + [
        row
        for s in october
        if s["customer"]["uuid"] == fleet
        for row in flatten(Resource.USAGE, UsageSession.model_validate(s))
    ]
    got = list(csv.reader(io.StringIO(response.text)))
    # Beside what the API sends, the download names the tariff that priced each session.
    tariff = columns(Resource.USAGE).index("tariff_name")
    assert all(row[tariff].startswith("Tariff ") for row in got[1:])
    assert [row[:tariff] + row[tariff + 1 :] for row in got] == [
        row[:tariff] + row[tariff + 1 :] for row in expected
    ]
    assert len(expected) > 2


def test_a_site_host_sees_the_sessions_api_with_pseudonyms(
    console: Console, world: FleetWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(table, "PAGE_ROWS", 7)
    console.sign_in("site_host", world.host)
    hosted = api_sessions(console.client, world.host_token, "sessions", **OCTOBER)
    uuids, _ = walk(console, "/site/sessions?date_from=2026-10-01&date_to=2026-10-31")
    assert uuids == [s["uuid"] for s in reversed(hosted)]
    refused = console.client.get("/site/sessions?vehicle=VAN")  # its stations, not its fleets
    assert refused.status_code == 400 and "vehicle" in refused.text
    page = console.client.get(f"/site/sessions/{world.public_session}").text
    public = next(s for s in hosted if s["uuid"] == world.public_session)
    assert public["auth_id"].startswith("anon-") and public["auth_id"] in page
    assert "PUBLIC-7" not in page
    response = console.client.get("/site/sessions.csv", params=OCTOBER)
    rows = list(csv.reader(io.StringIO(response.text)))
    expected = [columns(Resource.SESSIONS)] + [
        row
        for s in reversed(hosted)
        for row in flatten(Resource.SESSIONS, SiteHostSession.model_validate(s))
    ]
    assert [r[:2] + r[3:] for r in rows] == [r[:2] + r[3:] for r in expected]


def test_a_session_page_shows_its_periods_and_meter_curve(
    console: Console, world: FleetWorld
) -> None:
    console.sign_in("fleet_manager", world.payer)
    usage = next(
        s
        for s in api_sessions(console.client, world.payer_token)
        if s["uuid"] == world.payer_session
    )
    page = console.client.get(f"/fleet/sessions/{world.payer_session}").text
    amounts = re.findall(r'<td class="num" data-value="([^"]+)">\$', page)
    assert [Decimal(a) for a in amounts] == [money(p["amount"]) for p in usage["charging_periods"]]
    assert "charging periods" in page  # no meter values: the curve comes from the periods
    assert Decimal(chart_values(page, 0)[-1]) == money(usage["consumption"])

    # With meter values: the register less meterStart, and the power, sample by sample.
    with unit_of_work(console.engine) as db:
        session = db.scalars(
            select(ChargeSession).where(ChargeSession.uuid == UUID(world.payer_session))
        ).one()
        start = session.start_date_time
        tx = OcppTransaction(
            station_id=db.get_one(Connector, session.connector_id).station_id,
            connector_id=session.connector_id,
            id_tag=session.auth_id,
            id_tag_status="Accepted",
            meter_start_wh=1_000_000,
            start_reported_at=start,
            started_at=start,
            received_at=start,
            state="stopped",
            session_id=session.id,
            flags=[],
        )
        db.add(tx)
        db.flush()
        for minute, (register, power) in enumerate(
            [("1000.000", "7.1"), ("1002.500", "7.4"), ("1005.250", None)]
        ):
            at = start + timedelta(minutes=minute * 10)
            db.add(_reading(tx, at, "Energy.Active.Import.Register", register))
            if power:
                for phase, share in (("L1", "2.0"), ("L2", "2.0"), ("L3", str(Decimal(power) - 4))):
                    db.add(_reading(tx, at, "Power.Active.Import", share, phase))
    page = console.client.get(f"/fleet/sessions/{world.payer_session}").text
    assert "meter values" in page
    assert chart_values(page, 0)[:3] == ["0.000", "2.500", "5.250"]
    drawn = chart_values(page, 1)[:3]
    assert [Decimal(p) for p in drawn[:2]] == [Decimal("7.1"), Decimal("7.4")] and drawn[2] == ""


def _reading(
    tx: OcppTransaction, at: datetime, measurand: str, value: str, phase: str | None = None
) -> OcppMeterValue:
    return OcppMeterValue(
        station_id=tx.station_id,
        connector_number=1,
        transaction_id=tx.id,
        reported_transaction_id=tx.id,
        source="MeterValues",
        reported_at=at,
        sampled_at=at,
        measurand=measurand,
        phase=phase,
        value_raw=value,
        value=Decimal(value),
        normalised_unit="kWh",
        received_at=at.astimezone(UTC),
    )
