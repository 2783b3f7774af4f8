"""The organisation's Fleets API tokens in the console: listed with their scopes, issued with
the secret shown once, revoked; only for roles with the api_tokens permissions."""

import hashlib
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, func, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import ApiToken, AuditEvent, Organisation
from tests import factories as f
from tests.api.helpers import bearer
from tests.console.conftest import BrowserPage, Console
from tests.console.forms import field_error, send

FLEETS_API = "/api/fleets/v1"


@dataclass(frozen=True)
class Tokens:
    home: Organisation
    home_secret: str
    home_token: str  # uuid
    others_secret: str
    others_token: str


@pytest.fixture
def tokens(engine: Engine) -> Tokens:
    with unit_of_work(engine) as db:
        home, other = f.organisation(db, "Home Fleet"), f.organisation(db, "Other Fleet")
        f.fleet(db, home)
        mine, theirs = f.token(db, home, ("usage", "vehicles")), f.token(db, other)
        by_prefix = {token.prefix: str(token.uuid) for token in db.scalars(select(ApiToken))}
    return Tokens(home, mine, by_prefix[mine[:10]], theirs, by_prefix[theirs[:10]])


def _tokens_count(engine: Engine) -> int:
    with unit_of_work(engine) as db:
        return db.scalar(select(func.count()).select_from(ApiToken)) or 0


def _secret(page: str) -> str:
    found = re.search(r'<input id="secret" [^>]*value="(fct_[A-Za-z0-9_-]+)"', page)
    assert found, "no secret on the page"
    return found.group(1)


def test_the_list_shows_the_organisations_tokens(console: Console, tokens: Tokens) -> None:
    console.sign_in("fleet_manager", tokens.home)
    page = console.client.get("/tokens")
    assert page.status_code == 200
    assert tokens.home_secret[:10] in page.text and tokens.others_secret[:10] not in page.text
    assert "usage, vehicles" in page.text
    assert tokens.home_secret not in page.text  # never the secret
    assert f'action="/tokens/{tokens.home_token}/revoke"' in page.text
    revoked_only = console.client.get("/tokens?state=revoked").text
    assert tokens.home_secret[:10] not in revoked_only
    assert console.client.get("/tokens?state=gone").status_code == 400


def test_issuing_a_token_shows_its_secret_once(
    console: Console, engine: Engine, tokens: Tokens
) -> None:
    console.sign_in("fleet_manager", tokens.home)
    before = _tokens_count(engine)
    fields = {"name": "finance", "scopes": ["invoices"], "expires_in": "90d"}
    assert send(console, "/tokens", fields, csrf=False).status_code == 403
    unscoped = send(console, "/tokens", {"name": "finance", "expires_in": ""})
    assert unscoped.status_code == 400
    assert "at least one of" in (field_error(unscoped.text, "scopes") or "")
    forever = send(console, "/tokens", {**fields, "expires_in": "forever"})
    assert forever.status_code == 400 and field_error(forever.text, "expires_in")
    assert _tokens_count(engine) == before

    issued = send(console, "/tokens", fields)
    assert issued.status_code == 200 and "shown this once" in issued.text
    secret = _secret(issued.text)
    # It reaches what it was issued for, and nothing else.
    assert console.client.get(f"{FLEETS_API}/invoices", headers=bearer(secret)).status_code == 200
    assert console.client.get(f"{FLEETS_API}/usage", headers=bearer(secret)).status_code == 403
    with unit_of_work(engine) as db:
        token = db.scalars(select(ApiToken).where(ApiToken.name == "finance")).one()
        assert token.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
        assert token.scopes == "invoices" and token.expires_at is not None
        audited = db.scalars(select(AuditEvent).where(AuditEvent.resource == "api_token")).one()
        assert secret not in str(audited.after)
    listed = console.client.get("/tokens").text
    assert "finance" in listed and secret[:10] in listed and secret not in listed


def test_revoking_a_token(console: Console, tokens: Tokens) -> None:
    console.sign_in("fleet_manager", tokens.home)
    mine, theirs = tokens.home_token, tokens.others_token
    assert send(console, f"/tokens/{mine}/revoke", csrf=False).status_code == 403
    assert send(console, f"/tokens/{theirs}/revoke").status_code == 404
    others = console.client.get(f"{FLEETS_API}/vehicles", headers=bearer(tokens.others_secret))
    assert others.status_code == 200
    own = console.client.get(f"{FLEETS_API}/vehicles", headers=bearer(tokens.home_secret))
    assert own.status_code == 200

    revoked = send(console, f"/tokens/{mine}/revoke")
    assert revoked.status_code == 303 and revoked.headers["location"] == "/tokens?done=revoked"
    own = console.client.get(f"{FLEETS_API}/vehicles", headers=bearer(tokens.home_secret))
    assert own.status_code == 401
    page = console.client.get("/tokens?done=revoked").text
    assert "Token revoked" in page and f"/tokens/{mine}/revoke" not in page


def test_only_roles_with_the_token_permissions_see_the_page(
    console: Console, tokens: Tokens
) -> None:
    console.sign_in("read_only", tokens.home)
    page = console.client.get("/tokens")
    assert page.status_code == 200 and tokens.home_secret[:10] in page.text
    assert '<form method="post" action="/tokens"' not in page.text
    assert "/revoke" not in page.text
    refused = send(console, "/tokens", {"name": "x", "scopes": ["usage"]})
    assert refused.status_code == 403
    assert send(console, f"/tokens/{tokens.home_token}/revoke").status_code == 403
    own = console.client.get(f"{FLEETS_API}/vehicles", headers=bearer(tokens.home_secret))
    assert own.status_code == 200
    # The operator's staff manage tokens on the admin API: no such page here.
    console.sign_in("admin")
    assert console.client.get("/tokens").status_code == 404
    assert 'href="/tokens"' not in console.client.get("/account").text


def test_a_token_name_with_markup_is_shown_as_text(console: Console, tokens: Tokens) -> None:
    console.sign_in("fleet_manager", tokens.home)
    issued = send(console, "/tokens", {"name": "<script>x</script>", "scopes": ["usage"]})
    assert issued.status_code == 200
    for page in (issued.text, console.client.get("/tokens").text):
        assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_issuing_a_token_in_a_browser(browser: BrowserPage, tokens: Tokens) -> None:
    browser.console.sign_in("fleet_manager", tokens.home)
    browser.open("/tokens")
    browser.page.get_by_label("Name").fill("warehouse")
    browser.page.get_by_label("/sessions").uncheck()
    browser.page.get_by_role("button", name="Issue the token").click()
    browser.page.wait_for_load_state("load")
    secret = browser.page.get_by_label("Secret").input_value()
    assert secret.startswith("fct_")
    browser.screenshot("token issued")
    browser.assert_no_errors()
    client = browser.console.client
    assert client.get(f"{FLEETS_API}/usage", headers=bearer(secret)).status_code == 200
    assert client.get(f"{FLEETS_API}/sessions", headers=bearer(secret)).status_code == 403
