"""The console's frame: the sign-in page, who sees what, forms, errors, assets, formatting."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from fleetcharge.console.charts import Series, bar_chart
from fleetcharge.console.formatting import change, kwh, local_datetime, money
from fleetcharge.console.security import safe_next
from fleetcharge.db import unit_of_work
from tests import factories
from tests.console.conftest import BrowserPage, Console


def test_the_sign_in_page_is_the_console_front_door(console: Console) -> None:
    page = console.client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<form method="post" action="/sign-in"' in page.text
    assert 'autocomplete="current-password"' in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"


def test_a_page_without_signing_in_goes_to_the_sign_in_page_and_back(console: Console) -> None:
    page = console.client.get("/account?x=1")
    assert page.status_code == 303
    assert page.headers["location"] == "/?next=/account%3Fx%3D1"


def test_a_signed_in_member_skips_the_sign_in_page(console: Console, engine: Engine) -> None:
    console.sign_in("admin")
    assert console.client.get("/").headers["location"] == "/network"
    assert console.client.get("/?next=/account").headers["location"] == "/account"
    # Only our own paths: never another site.
    assert console.client.get("/?next=//evil.example/x").headers["location"] == "/network"


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("/fleet/sessions?page=2", True),
        ("//evil.example", False),
        ("/\\evil.example", False),
        ("https://evil.example/", False),
        ("/a\r\nSet-Cookie: x", False),
        ("", False),
    ],
)
def test_only_our_own_paths_are_followed_after_signing_in(path: str, kept: bool) -> None:
    assert (safe_next(path) == path) is kept


def test_the_menu_is_the_members(console: Console, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        fleet_operator = factories.organisation(db, "Fleet Co")
        factories.fleet(db, fleet_operator)
    console.sign_in("fleet_manager", fleet_operator)
    page = console.client.get("/account")
    assert page.status_code == 200
    assert 'href="/fleet/sessions"' in page.text
    assert 'href="/network"' not in page.text
    assert 'href="/site"' not in page.text
    console.sign_in("support")
    page = console.client.get("/account")
    assert 'href="/network"' in page.text and 'href="/fleet"' not in page.text
    assert 'href="/billing"' not in page.text  # support does not bill


def test_console_errors_are_pages_and_api_errors_stay_json(console: Console) -> None:
    console.sign_in("admin")
    missing = console.client.get("/fleet/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "Not found" in missing.text
    api = console.client.get("/api/fleets/v1/nothing-here")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"


def test_names_are_shown_as_text(console: Console, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        hostile = factories.organisation(db, "<script>alert(1)</script> Pty Ltd")
        factories.fleet(db, hostile)
    console.sign_in("fleet_manager", hostile)
    page = console.client.get("/account").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Pty Ltd" in page


def test_assets_are_ours_named_by_their_content(console: Console) -> None:
    page = console.client.get("/").text
    urls = re.findall(r'(?:href|src)="(/static/console/[^"]+)"', page)
    assert {url.rsplit("/", 1)[1] for url in urls} == {"console.css", "console.js", "favicon.svg"}
    for url in urls:
        asset = console.client.get(url)
        assert asset.status_code == 200
        assert "immutable" in asset.headers["cache-control"]
    assert not re.search(r'(?:href|src)="(?:https?:)?//', page)


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2))
def test_money_reads_back_as_the_amount(amount: Decimal) -> None:
    shown = money(amount)
    assert re.fullmatch(r"-?\$\d{1,3}(,\d{3})*\.\d{2}", shown)
    assert Decimal(shown.replace("$", "").replace(",", "")) == amount


def test_worked_examples_of_figures() -> None:
    assert money(Decimal("1234567.5")) == "$1,234,567.50"
    assert money(Decimal("-0.004")) == "$0.00"
    assert money(None) == "—"
    assert kwh(Decimal("1234.5675")) == "1,234.568 kWh"
    assert change(Decimal("110"), Decimal("100")) == "+10.0 %"
    assert change(Decimal("5"), Decimal("0")) == "new"
    # Melbourne in daylight saving, as the API shows local times.
    instant = datetime(2026, 10, 5, 3, 3, tzinfo=UTC)
    assert local_datetime(instant, "Australia/Melbourne") == "2026-10-05 14:03 AEDT"
    assert local_datetime(instant, "Australia/Perth") == "2026-10-05 11:03 AWST"


def test_a_chart_has_no_script_and_carries_its_figures() -> None:
    chart = bar_chart(
        "Energy <by> day",
        ["1 Oct", "2 Oct"],
        [Series("Energy", "kWh", [Decimal("12.345"), None])],
    )
    assert "<script" not in chart
    assert 'data-value="12.345"' in chart and 'data-value=""' in chart
    assert "Energy &lt;by&gt; day" in chart
    with pytest.raises(ValueError):
        bar_chart("x", ["a"], [Series("E", "kWh", [])])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_sign_in_page_in_a_browser(browser: BrowserPage) -> None:
    browser.open("/")
    assert browser.page.get_by_label("Email").is_visible()
    assert browser.page.get_by_label("Password").is_visible()
    browser.screenshot("sign-in")
    browser.assert_no_errors()
