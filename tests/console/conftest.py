"""Console tests: a TestClient signed in as a member of some role, and a real browser
(Debian's chromium driven by Playwright) on the app served over loopback."""

import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import Engine
from starlette.requests import Request

from fleetcharge.console.member import Member, member_for
from fleetcharge.console.pages import MEMBER
from fleetcharge.console.security import optional_member
from fleetcharge.db import unit_of_work
from fleetcharge.models import Organisation
from fleetcharge.permissions import Actor
from fleetcharge.web.app import create_app, served
from tests.api.helpers import UNLIMITED
from tests.servers import free_port

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"


def member(engine: Engine, role: str = "admin", organisation: Organisation | None = None) -> Member:
    """A member of `organisation` (operator staff without one) with `role`."""
    with unit_of_work(engine) as db:
        actor = Actor(
            name=f"{role} tester",
            role=role,
            organisation_id=organisation.id if organisation else None,
        )
        return member_for(
            db, actor, name=actor.name, email=f"{role}@example.com", csrf_token=uuid.uuid4().hex
        )


@dataclass
class Console:
    """The console app and a client of it; `sign_in` makes the client a member."""

    app: FastAPI
    client: TestClient
    engine: Engine
    member: Member | None = None

    def sign_in(self, role: str = "admin", organisation: Organisation | None = None) -> Member:
        signed_in = member(self.engine, role, organisation)
        self.app.dependency_overrides[optional_member] = _as(signed_in)
        self.member = signed_in
        return signed_in

    def sign_out(self) -> None:
        self.app.dependency_overrides.pop(optional_member, None)
        self.member = None

    @property
    def csrf_token(self) -> str:
        assert self.member is not None, "sign in first"
        return self.member.csrf_token


def _as(signed_in: Member) -> Callable[[Request], Member]:
    def override(request: Request) -> Member:
        setattr(request.state, MEMBER, signed_in)
        return signed_in

    return override


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

    def open(self, path: str) -> None:
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


# Per module, not per session: while Playwright's sync API runs, its event loop counts as
# running in this thread, and a later test's asyncio.run() on the same worker would fail.
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


@pytest.fixture
def browser(
    console: Console, playwright_browser: Browser, request: pytest.FixtureRequest
) -> Iterator[BrowserPage]:
    """The console served by uvicorn on a loopback port (in this process, so a test's
    `console.sign_in` applies to it too) and a fresh browser page on it."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(served(console.app), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "the console server did not start"
        time.sleep(0.02)
    context = playwright_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")
    opened = BrowserPage(page, f"http://127.0.0.1:{port}", console, name)
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
        server.should_exit = True
        thread.join(timeout=10)
