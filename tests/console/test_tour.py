"""Every page of the console, for every role, in a real browser over the demo network: it
renders (a heading, no console error, no uncaught exception), every form control has a
label, and on a phone-sized screen nothing but tables scrolls sideways. Screenshots of each
page are kept in test-artifacts/console/."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser
from sqlalchemy import Engine, exists, func, select

from fleetcharge.db import make_engine, unit_of_work
from fleetcharge.demo.loader import load_demo
from fleetcharge.models import ChargeSession, Fleet, Location, Organisation
from fleetcharge.web.app import create_app
from tests.api.helpers import UNLIMITED
from tests.console.conftest import BrowserPage, Console, browser_page, person, serving

# role -> the kind of organisation (None: operator staff)
ROLES = {
    "admin": None,
    "support": None,
    "billing": None,
    "fleet_manager": "fleet",
    "read_only": "fleet",
    "site_host": "host",
}
# Form controls without a label: none, whatever the page.
UNLABELLED = """
[...document.querySelectorAll('input:not([type=hidden]):not([hidden]), select, textarea')]
  .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')
               && !e.getAttribute('aria-labelledby'))
  .map(e => e.outerHTML)
"""
# Wider than the screen, though not inside a scrolling table wrapper.
OVERFLOWING = """
document.documentElement.scrollWidth > document.documentElement.clientWidth + 1
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("tour") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    load_demo(engine, sessions=1_500, progress=False)
    yield engine
    engine.dispose()


def _organisation(engine: Engine, kind: str) -> Organisation:
    """The fleet operator paying for the most sessions, or a host running no fleet."""
    with unit_of_work(engine) as db:
        if kind == "fleet":
            busiest = (
                select(ChargeSession.payer_organisation_id)
                .group_by(ChargeSession.payer_organisation_id)
                .order_by(func.count().desc())
                .limit(1)
                .scalar_subquery()
            )
            return db.scalars(select(Organisation).where(Organisation.id == busiest)).one()
        return db.scalars(
            select(Organisation)
            .where(exists().where(Location.host_organisation_id == Organisation.id))
            .where(~exists().where(Fleet.organisation_id == Organisation.id))
            .limit(1)
        ).one()


def _visit(browser: BrowserPage, path: str, label: str) -> None:
    browser.open(path)
    assert browser.page.locator("main h1").count() >= 1, f"{path}: no heading"
    assert browser.page.evaluate(UNLABELLED) == [], f"{path}: unlabelled controls"
    browser.screenshot(label)
    assert not browser.errors, f"{path}:\n" + "\n".join(browser.errors)


def _menu(browser: BrowserPage) -> list[str]:
    hrefs = browser.page.eval_on_selector_all(
        "header nav a", "links => links.map(a => a.getAttribute('href'))"
    )
    return [href for href in hrefs if href]


def _first_detail_link(browser: BrowserPage, path: str) -> str | None:
    """The first link in the page's first table to a page below `path` (a record's page)."""
    hrefs = browser.page.eval_on_selector_all(
        "main table tbody a", "links => links.map(a => a.getAttribute('href'))"
    )
    below = [
        h for h in hrefs if h and h.startswith(f"{path}/") and not h.endswith((".pdf", ".csv"))
    ]
    return below[0] if below else None


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_renders_for_every_role(
    role: str, demo: Engine, playwright_browser: Browser
) -> None:
    kind = ROLES[role]
    who = person(demo, role, _organisation(demo, kind) if kind else None)
    app = create_app(demo, UNLIMITED)
    with (
        serving(app) as base,
        browser_page(
            playwright_browser, base, f"tour-{role}", Console(app, TestClient(app), demo)
        ) as browser,
    ):
        browser.sign_in(who)
        menu = _menu(browser)
        assert menu, "a member sees a menu"
        for path in menu:
            _visit(browser, path, path.strip("/").replace("/", "-"))
            detail = _first_detail_link(browser, path)
            if detail is not None:
                _visit(browser, detail, f"{path.strip('/')}-record")


@pytest.mark.parametrize("role", ["fleet_manager", "admin"])
def test_pages_fit_a_phone(role: str, demo: Engine, playwright_browser: Browser) -> None:
    kind = ROLES[role]
    who = person(demo, role, _organisation(demo, kind) if kind else None)
    app = create_app(demo, UNLIMITED)
    with (
        serving(app) as base,
        browser_page(
            playwright_browser,
            base,
            f"phone-{role}",
            Console(app, TestClient(app), demo),
            (390, 844),
        ) as browser,
    ):
        browser.sign_in(who)
        for path in _menu(browser):
            browser.open(path)
            assert not browser.page.evaluate(OVERFLOWING), f"{path} is wider than a phone"
        browser.screenshot(f"phone-{_menu(browser)[0].strip('/')}")
        browser.assert_no_errors()
