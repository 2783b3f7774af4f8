"""The fleet pages in a real browser: the overview draws its charts from the API's figures
without a console error, and filtering then downloading the CSV gives /usage's sessions."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from tests.console.conftest import BrowserPage, Console
from tests.console.fleet_world import api_sessions, build, local_day, per, sums


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_overview_draws_the_apis_figures(
    console: Console, browser: BrowserPage, engine: Engine
) -> None:
    world = build(engine)
    console.sign_in("fleet_manager", world.payer)
    browser.open("/fleet?month=2026-10")
    page = browser.page
    assert page.locator(".chart-svg svg").count() == 2  # per day, per fleet
    assert page.locator(".chart-svg svg").first.bounding_box()["height"] > 100  # type: ignore[index]
    october = api_sessions(
        console.client, world.payer_token, date_from="2026-10-01", date_to="2026-10-31"
    )
    by_day = per(october, local_day)
    rows = page.locator("table.chart-data").first.locator("tbody tr")
    assert rows.count() == 31
    for index in range(31):
        cells = rows.nth(index).locator("td")
        energy, cost = (Decimal(cells.nth(i).get_attribute("data-value") or "") for i in (0, 1))
        day = by_day.get(date(2026, 10, index + 1), sums([]))
        assert (energy, cost) == (day.energy, day.cost), index + 1
    month_cost = page.locator('[data-figure="cost"]').get_attribute("data-value")
    assert Decimal(month_cost or "") == sums(october).cost
    # The month picker moves to the month chosen.
    page.fill("#f-month", "2026-09")
    page.click("text=Show")
    page.wait_for_url("**/fleet?month=2026-09")
    assert "September 2026" in page.locator("h1").inner_text()
    browser.screenshot("fleet-overview")
    browser.assert_no_errors()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_filtering_then_downloading_gives_the_usage_sessions(
    console: Console, browser: BrowserPage, engine: Engine
) -> None:
    world = build(engine)
    console.sign_in("fleet_manager", world.payer)
    browser.open("/fleet/sessions")
    page = browser.page
    page.fill("#f-date_from", "2026-10-01")
    page.fill("#f-date_to", "2026-10-20")
    page.select_option("#f-fleet", label="Cars")
    page.click("button:has-text('Filter')")
    page.wait_for_url("**/fleet/sessions?*fleet=*")
    shown = page.locator("#sessions tbody tr").evaluate_all(
        "rows => rows.map(row => row.dataset.session)"
    )
    with page.expect_download() as download:
        page.click("#csv")
    text = download.value.path().read_text(encoding="utf-8")
    uuids = [row["uuid"] for row in csv.DictReader(io.StringIO(text))]
    expected = [
        s["uuid"]
        for s in api_sessions(
            console.client, world.payer_token, date_from="2026-10-01", date_to="2026-10-20"
        )
        if s["customer"]["name"] == "Cars"
    ]
    assert expected and sorted(uuids) == sorted(expected)
    assert uuids == shown  # the download is the table, in its order
    browser.screenshot("fleet-sessions-filtered")
    first = page.locator("#sessions tbody a").first
    href = first.get_attribute("href")
    first.click()
    page.wait_for_url(f"**{href}")
    assert page.locator("#periods tbody tr").count() >= 1
    browser.screenshot("fleet-session")
    browser.assert_no_errors()
