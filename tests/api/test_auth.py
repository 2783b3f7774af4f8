"""Bearer tokens over HTTP: 401 (with WWW-Authenticate: Bearer) for every way a token can
be wrong, 403 outside the token's scopes, and secrets kept out of logs and bodies."""

import logging
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from fleetcharge.auth.service import TOKEN_PREFIX, issue_token, revoke_token
from fleetcharge.db import unit_of_work
from fleetcharge.kit.tokens import hash_secret
from fleetcharge.models import ApiToken
from fleetcharge.models.base import utcnow
from fleetcharge.web.app import create_app
from tests import factories as f
from tests.api.helpers import API, ENDPOINTS, assert_error_body, bearer


def assert_unauthorized(response: httpx.Response, what: str) -> None:
    assert response.status_code == 401, (what, response.text)
    assert response.headers["www-authenticate"] == "Bearer", what
    body = response.json()
    assert_error_body(body)
    assert body["error"]["code"] == "unauthorized", what
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], what
    assert "parameter" not in body["error"], what


@pytest.fixture
def tokens(engine: Engine) -> dict[str, str]:
    """Secrets of one organisation in every state, by name."""
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        valid = issue_token(db, org).secret
        revoked = issue_token(db, org)
        revoke_token(db, revoked.token)
        expired = issue_token(db, org, expires_in=timedelta(days=1))
        expired.token.expires_at = utcnow() - timedelta(seconds=1)
        usage_only = issue_token(db, org, ("usage",)).secret
        future = issue_token(db, org, expires_in=timedelta(hours=1)).secret
    return {
        "valid": valid,
        "revoked": revoked.secret,
        "expired": expired.secret,
        "usage_only": usage_only,
        "expires_later": future,
    }


def test_every_way_a_token_can_be_wrong_is_401(client: TestClient, tokens: dict[str, str]) -> None:
    unknown = TOKEN_PREFIX + "A" * 43  # well-formed, never issued
    cases = {
        "missing header": {},
        "empty header": {"Authorization": ""},
        "wrong scheme": {"Authorization": f"Basic {tokens['valid']}"},
        "token scheme": {"Authorization": f"Token {tokens['valid']}"},
        "scheme only": {"Authorization": "Bearer"},
        "scheme and space": {"Authorization": "Bearer "},
        "no scheme": {"Authorization": tokens["valid"]},
        "malformed": bearer("not-a-token"),
        "truncated": bearer(tokens["valid"][:-1]),
        "extended": bearer(tokens["valid"] + "x"),
        "two tokens": bearer(f"{tokens['valid']} {tokens['valid']}"),
        "unknown": bearer(unknown),
        "revoked": bearer(tokens["revoked"]),
        "expired": bearer(tokens["expired"]),
    }
    for endpoint in ENDPOINTS:
        for what, headers in cases.items():
            response = client.get(f"{API}/{endpoint}", headers=headers)
            assert_unauthorized(response, f"{endpoint}: {what}")
        # Authentication comes before parameter checks: no 400 for the unauthenticated.
        assert_unauthorized(client.get(f"{API}/{endpoint}?page=abc"), f"{endpoint}: page=abc")
    messages = {
        what: client.get(f"{API}/usage", headers=cases[what]).json()["error"]["message"]
        for what in ("missing header", "revoked", "expired")
    }
    assert "missing" in messages["missing header"]
    assert "revoked" in messages["revoked"]
    assert "expired" in messages["expired"]


def test_valid_tokens_pass_and_scopes_give_403(
    client: TestClient, engine: Engine, tokens: dict[str, str]
) -> None:
    for endpoint in ENDPOINTS:
        for name in ("valid", "expires_later"):
            assert client.get(f"{API}/{endpoint}", headers=bearer(tokens[name])).status_code == 200
        # The scheme is case-insensitive and surrounding spaces are tolerated.
        response = client.get(
            f"{API}/{endpoint}", headers={"Authorization": f"bearer   {tokens['valid']} "}
        )
        assert response.status_code == 200
    assert client.get(f"{API}/usage", headers=bearer(tokens["usage_only"])).status_code == 200
    for endpoint in ("sessions", "vehicles", "invoices"):
        response = client.get(f"{API}/{endpoint}", headers=bearer(tokens["usage_only"]))
        assert response.status_code == 403
        assert "www-authenticate" not in response.headers
        body = response.json()
        assert_error_body(body)
        assert body["error"]["code"] == "forbidden"
        assert endpoint in body["error"]["message"]
        # The 403 also comes before parameter checks.
        response = client.get(f"{API}/{endpoint}?page=0", headers=bearer(tokens["usage_only"]))
        assert response.status_code == 403
    _expiry_is_checked_on_every_request(client, engine, tokens)


def _expiry_is_checked_on_every_request(
    client: TestClient, engine: Engine, tokens: dict[str, str]
) -> None:
    """A token that expires between two requests is refused on the second."""
    headers = bearer(tokens["expires_later"])
    assert client.get(f"{API}/usage", headers=headers).status_code == 200
    with unit_of_work(engine) as db:
        db.execute(
            update(ApiToken)
            .where(ApiToken.secret_sha256 == hash_secret(tokens["expires_later"]))
            .values(expires_at=utcnow() - timedelta(microseconds=1))
        )
    assert_unauthorized(client.get(f"{API}/usage", headers=headers), "just expired")


def test_secrets_never_reach_logs_or_error_bodies(
    client: TestClient,
    engine: Engine,
    tokens: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    bodies = []
    for endpoint in ENDPOINTS:
        for name, secret in tokens.items():
            for headers in (
                bearer(secret),
                {"Authorization": f"Basic {secret}"},
                bearer(secret + "x"),
                bearer(secret[:-3]),
            ):
                response = client.get(f"{API}/{endpoint}?page=abc", headers=headers)
                bodies.append(response.text)
                assert response.status_code in (400, 401, 403), name
    logged = caplog.text + "".join(str(r.args) + str(r.msg) for r in caplog.records)
    for secret in tokens.values():
        assert secret not in logged
        assert secret[len(TOKEN_PREFIX) :][:20] not in logged
        assert all(secret[len(TOKEN_PREFIX) :][:20] not in body for body in bodies)
    _an_unexpected_error_is_a_500_in_the_error_shape_without_secrets(
        engine, tokens, caplog, monkeypatch
    )


def _an_unexpected_error_is_a_500_in_the_error_shape_without_secrets(
    engine: Engine,
    tokens: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("fleetcharge.charging.endpoints.usage_page", broken)
    caplog.set_level(logging.DEBUG)
    with TestClient(create_app(engine), raise_server_exceptions=False) as client:
        response = client.get(f"{API}/usage", headers=bearer(tokens["valid"]))
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "internal server error"}
    }
    assert_error_body(response.json())
    assert "database went away" in caplog.text  # logged for the operator ...
    assert tokens["valid"] not in caplog.text  # ... without the caller's secret
