"""Console tests: a TestClient signed in (through the sign-in form) as a person of some role,
and a real browser (Debian's chromium driven by Playwright) on the app served over
loopback, signed in the same way."""

import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import Engine

from fleetcharge.accounts.passwords import generate_password
from fleetcharge.accounts.people import create_person, set_password
from fleetcharge.accounts.sign_in import SESSION_COOKIE
from fleetcharge.console.member import Member
from fleetcharge.console.security import signed_in_member
from fleetcharge.db import unit_of_work
from fleetcharge.models import Organisation
from fleetcharge.permissions import Actor
from fleetcharge.web.app import create_app, served
from tests.api.helpers import UNLIMITED
from tests.servers import free_port

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"


@dataclass(frozen=True)
class Person:
    email: str
    password: str


def person(engine: Engine, role: str = "admin", organisation: Organisation | None = None) -> Person:
    """A new person of `organisation` (operator staff without one) with `role` and a password,
    made as `fleetcharge users create` makes them."""
    email = f"{role}-{uuid.uuid4().hex[:12]}@example.com"
    password = generate_password()
    with unit_of_work(engine) as db:
        actor = Actor.command_line()
        account, _link = create_person(db, actor, email, f"{role} tester", role, organisation)
        set_password(db, actor, account, password)
    return Person(email, password)


def sign_in_form(client: TestClient, email: str, password: str) -> Response:
    """The sign-in page, then its form sent as a browser sends it (token and cookie)."""
    page = client.get("/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None, page.text
    return client.post(
        "/sign-in", data={"csrf_token": token.group(1), "email": email, "password": password}
    )


@dataclass
class Console:
    """The console app and a client of it; `sign_in` makes a person of a role and signs the
    client in as them, through the sign-in form."""

    app: FastAPI
    client: TestClient
    engine: Engine
    member: Member | None = None
    person: Person | None = None

    def sign_in(self, role: str = "admin", organisation: Organisation | None = None) -> Member:
        self.client.cookies.clear()
        self.person = person(self.engine, role, organisation)
        answer = sign_in_form(self.client, self.person.email, self.person.password)
        assert answer.status_code == 303, answer.text
        with unit_of_work(self.engine) as db:
            self.member = signed_in_member(db, self.client.cookies.get(SESSION_COOKIE))
        assert self.member is not None
        return self.member

    def sign_out(self) -> None:
        self.client.cookies.clear()
        self.member = self.person = None

    @property
    def csrf_token(self) -> str:
        assert self.member is not None, "sign in first"
        return self.member.csrf_token


@pytest.fixture
def console(engine: Engine) -> Iterator[Console]:
    app = create_app(engine, UNLIMITED)
    with TestClient(served(app), follow_redirects=False) as client:
        yield Console(app, client, engine)


# --- a real browser --------------------------------------------------------------------


@dataclass
class BrowserPage:
    """A Playwright page on the served console; every console message of type error and
    every uncaught exception is collected (`assert_no_errors`)."""

    page: Page
    base: str
    console: Console
    name: str
    errors: list[str] = field(default_factory=list)
    signed_in_as: Person | None = None

    def sign_in(self, who: Person, next_path: str = "") -> None:
        """Through the sign-in page, as a person would (sent on to `next_path` if given,
        as after following a link while signed out)."""
        self.page.goto(
            f"{self.base}/?next={quote(next_path, safe='/')}" if next_path else f"{self.base}/"
        )
        self.page.get_by_label("Email").fill(who.email)
        self.page.get_by_label("Password").fill(who.password)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Sign in").click()
        assert "/sign-in" not in self.page.url, self.page.content()
        self.signed_in_as = who

    def open(self, path: str) -> None:
        """Open a console page, signed in first as the console fixture's person if any."""
        wanted = self.console.person
        if wanted is not None and self.signed_in_as != wanted:
            self.sign_in(wanted, path)
        response = self.page.goto(f"{self.base}{path}")
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        self.page.wait_for_load_state("load")

    def screenshot(self, label: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}-{re.sub(r'[^a-z0-9]+', '-', label.lower())}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_no_errors(self) -> None:
        assert not self.errors, "\n".join(self.errors)


# Per module, not per session: while Playwright's sync API runs, its event loop is the
# thread's running loop, and every later test in the process calling asyncio.run() (the
# simulator's, the central system's) would fail with "cannot be called from a running
# event loop".
@pytest.fixture(scope="module")
def playwright_browser(chromium: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                # No name resolves: only the server on 127.0.0.1 can be reached.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            ],
        )
        yield browser
        browser.close()


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a loopback port of this process; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(served(app), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "the console server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def browser_page(
    playwright_browser: Browser,
    base: str,
    name: str,
    console: Console,
    viewport: tuple[int, int] = (1280, 900),
) -> Iterator[BrowserPage]:
    """A fresh page (its own cookies) collecting console errors and uncaught exceptions."""
    width, height = viewport
    context = playwright_browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    opened = BrowserPage(page, base, console, re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"))
    page.on(
        "console",
        lambda message: (
            opened.errors.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: opened.errors.append(f"page error: {error}"))
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture
def browser(
    console: Console, playwright_browser: Browser, request: pytest.FixtureRequest
) -> Iterator[BrowserPage]:
    """The console served by uvicorn on a loopback port and a fresh browser page on it; the
    page signs in as the person of the test's last `console.sign_in` when it first opens."""
    with (
        serving(console.app) as base,
        browser_page(playwright_browser, base, request.node.name, console) as opened,
    ):
        yield opened
