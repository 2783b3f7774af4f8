"""Signing in and out of the console, cookies, the sign-in form's own CSRF protection, the
throttle, and choosing a password through a one-time link."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from fleetcharge.accounts.people import create_person, disable_person, find_person
from fleetcharge.accounts.sign_in import SESSION_COOKIE
from fleetcharge.db import unit_of_work
from fleetcharge.models import ConsoleSession
from fleetcharge.permissions import Actor
from fleetcharge.web.app import create_app, served
from tests.api.helpers import UNLIMITED
from tests.console.conftest import BrowserPage, Console, person, sign_in_form


def _cookie_header(answer_headers: list[str], name: str) -> str:
    return next(header for header in answer_headers if header.startswith(f"{name}="))


def test_signing_in_sets_a_protected_cookie_and_leads_home(console: Console) -> None:
    someone = person(console.engine, "support")
    answer = sign_in_form(console.client, someone.email.upper(), someone.password)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = _cookie_header(answer.headers.get_list("set-cookie"), SESSION_COOKIE).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie  # plain http here; see the https test
    assert console.client.get("/").headers["location"] == "/network"


def test_cookies_are_secure_over_https(engine: Engine) -> None:
    from tests.console.conftest import Console as _  # noqa: F401  (the same app as `console`)

    someone = person(engine, "admin")
    with TestClient(
        served(create_app(engine, UNLIMITED)), base_url="https://testserver", follow_redirects=False
    ) as client:
        answer = sign_in_form(client, someone.email, someone.password)
    cookie = _cookie_header(answer.headers.get_list("set-cookie"), SESSION_COOKIE).lower()
    assert "secure" in cookie and "httponly" in cookie


def test_a_wrong_password_or_unknown_email_is_refused_alike(console: Console) -> None:
    someone = person(console.engine, "admin")
    wrong = sign_in_form(console.client, someone.email, someone.password + "x")
    unknown = sign_in_form(console.client, "nobody@example.com", someone.password)
    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert "wrong email or password" in answer.text
        assert SESSION_COOKIE not in answer.cookies
    assert 'value="nobody@example.com"' in unknown.text  # the email is kept, never the password
    assert someone.password not in wrong.text


def test_the_sign_in_form_needs_its_token_and_cookie(console: Console) -> None:
    someone = person(console.engine, "admin")
    console.client.get("/")
    no_token = console.client.post(
        "/sign-in", data={"email": someone.email, "password": someone.password}
    )
    assert no_token.status_code == 403 and SESSION_COOKIE not in no_token.cookies
    console.client.cookies.clear()
    token = re.search(r'name="csrf_token" value="([^"]+)"', TestClient(console.app).get("/").text)
    assert token is not None
    # A token from another browser (another site's page) without its cookie: refused.
    other = console.client.post(
        "/sign-in",
        data={"csrf_token": token.group(1), "email": someone.email, "password": someone.password},
    )
    assert other.status_code == 403
    foreign = console.client.post(
        "/sign-in",
        data={"csrf_token": "x", "email": someone.email, "password": someone.password},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403


def test_the_throttle_engages_after_repeated_failures(console: Console) -> None:
    someone = person(console.engine, "admin")
    answers = [
        sign_in_form(console.client, someone.email, "not the password at all").status_code
        for _ in range(6)
    ]
    assert answers[:5] == [401] * 5 and answers[5] == 429
    # Even the right password waits now; the page says how long.
    right = sign_in_form(console.client, someone.email, someone.password)
    assert right.status_code == 429 and int(right.headers["retry-after"]) > 0
    assert "try again in" in right.text


def test_signing_out_ends_the_session(console: Console) -> None:
    console.sign_in("admin")
    secret = console.client.cookies.get(SESSION_COOKIE)
    refused = console.client.post("/sign-out", data={})
    assert refused.status_code == 403  # no CSRF token: not signed out
    assert console.client.get("/account").status_code == 200
    out = console.client.post("/sign-out", data={"csrf_token": console.csrf_token})
    assert out.status_code == 303 and out.headers["location"] == "/"
    console.client.cookies.set(SESSION_COOKIE, secret or "")  # the old cookie, kept by a thief
    assert console.client.get("/account").status_code == 303
    with unit_of_work(console.engine) as db:
        assert db.scalar(select(ConsoleSession.ended_at)) is not None


def test_a_disabled_person_is_out_at_once(console: Console) -> None:
    member = console.sign_in("support")
    with unit_of_work(console.engine) as db:
        disable_person(db, Actor.command_line(), find_person(db, member.email))
    assert console.client.get("/account").status_code == 303


def test_choosing_a_password_through_the_link(console: Console) -> None:
    with unit_of_work(console.engine) as db:
        _, token = create_person(
            db, Actor.command_line(), "new@example.com", "New Person", "billing", None
        )
    page = console.client.get(f"/reset-password/{token}")
    assert page.status_code == 200 and "new@example.com" in page.text
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert form_token is not None
    differ = console.client.post(
        f"/reset-password/{token}",
        data={
            "csrf_token": form_token.group(1),
            "password": "correct horse battery",
            "password_again": "correct horse batterz",
        },
    )
    assert differ.status_code == 400 and "the two passwords differ" in differ.text
    short = console.client.post(
        f"/reset-password/{token}",
        data={"csrf_token": form_token.group(1), "password": "short", "password_again": "short"},
    )
    assert short.status_code == 400 and "12 to 1,024 characters" in short.text
    done = console.client.post(
        f"/reset-password/{token}",
        data={
            "csrf_token": form_token.group(1),
            "password": "correct horse battery",
            "password_again": "correct horse battery",
        },
    )
    assert done.status_code == 303 and done.headers["location"] == "/?done=password"
    assert console.client.get(f"/reset-password/{token}").status_code == 404  # used once
    assert (
        sign_in_form(console.client, "new@example.com", "correct horse battery").status_code == 303
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_signing_in_and_out_in_a_browser(console: Console, browser: BrowserPage) -> None:
    someone = person(console.engine, "admin")
    browser.page.goto(f"{browser.base}/account")
    assert browser.page.url.endswith("/?next=/account")
    browser.page.get_by_label("Email").fill(someone.email)
    browser.page.get_by_label("Password").fill("a wrong password, surely")
    browser.page.get_by_role("button", name="Sign in").click()
    assert "wrong email or password" in browser.page.locator("[role=alert]").inner_text()
    browser.screenshot("refused")
    # The refusal is a 401 page, which Chrome logs as a failed load: expected here only.
    assert browser.errors == [
        "console: Failed to load resource: the server responded with a status of 401 (Unauthorized)"
    ]
    browser.errors.clear()
    browser.page.get_by_label("Password").fill(someone.password)
    with browser.page.expect_navigation():
        browser.page.get_by_role("button", name="Sign in").click()
    assert browser.page.url.endswith("/account")
    cookie = next(c for c in browser.page.context.cookies() if c["name"] == SESSION_COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert browser.page.evaluate("document.cookie").find(SESSION_COOKIE) == -1
    browser.page.get_by_role("button", name="Sign out").click()
    browser.page.wait_for_url(f"{browser.base}/")
    assert browser.page.get_by_label("Email").is_visible()
    browser.assert_no_errors()
