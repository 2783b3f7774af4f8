"""`fleetcharge tokens issue | list | revoke` against a real database, and the issued
secret used on the API."""

import json
import re
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import Result

from fleetcharge.db import unit_of_work
from fleetcharge.models import ApiToken, AuditEvent
from fleetcharge.models.base import utcnow
from tests import factories as f
from tests.api.helpers import API, bearer, make_client
from tests.cli.conftest import Cli

ORG = "Cybertron Logistics Pty Ltd"


@pytest.fixture
def org_uuid(engine: Engine) -> str:
    with unit_of_work(engine) as db:
        org = f.organisation(db, ORG)
        f.vehicle(db, f.fleet(db, org))
        return str(org.uuid)


def secret_of(result: Result) -> str:
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert re.fullmatch(r"fct_[A-Za-z0-9_-]{43}", lines[-1]), result.stdout
    return lines[-1]


def assert_clean_failure(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    text = " ".join(result.output.split())
    for fragment in fragments:
        assert fragment in text, text


def test_issue_prints_a_secret_scoped_to_usage(cli: Cli, org_uuid: str, engine: Engine) -> None:
    result = cli("tokens", "issue", "--org", ORG, "--scopes", "usage", "--expires-in", "90d")
    secret = secret_of(result)
    assert "Expires" in result.stdout
    assert "not shown again" in result.stdout
    with make_client(engine) as client:
        assert client.get(f"{API}/usage", headers=bearer(secret)).status_code == 200
        response = client.get(f"{API}/vehicles", headers=bearer(secret))
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
    with unit_of_work(engine) as db:
        (token,) = db.scalars(select(ApiToken)).all()
        assert token.scopes == "usage"
        assert token.expires_at is not None
        days = (token.expires_at - utcnow()).total_seconds() / 86400
        assert 89.99 < days <= 90
        assert secret not in (token.secret_sha256, token.prefix, token.name)


def test_issue_by_uuid_with_all_scopes_and_no_expiry(
    cli: Cli, org_uuid: str, engine: Engine
) -> None:
    secret = secret_of(cli("tokens", "issue", "--org", org_uuid, "--name", "reporting"))
    with make_client(engine) as client:
        for endpoint in ("usage", "sessions", "vehicles", "invoices"):
            assert client.get(f"{API}/{endpoint}", headers=bearer(secret)).status_code == 200
    with unit_of_work(engine) as db:
        (token,) = db.scalars(select(ApiToken)).all()
        assert (token.scopes, token.expires_at, token.name) == (
            "usage,sessions,vehicles,invoices",
            None,
            "reporting",
        )


def test_bad_arguments_exit_2_with_a_message(cli: Cli, org_uuid: str, engine: Engine) -> None:
    issue = ("tokens", "issue", "--org", ORG)
    assert_clean_failure(cli(*issue, "--scopes", "usage,billing"), "unknown scope", "billing")
    assert_clean_failure(cli(*issue, "--scopes", ""), "unknown scope")
    assert_clean_failure(cli(*issue, "--expires-in", "90"), "invalid duration")
    assert_clean_failure(cli(*issue, "--expires-in", "1.5d"), "invalid duration")
    assert_clean_failure(cli(*issue, "--expires-in", "0d"), "invalid duration")
    assert_clean_failure(cli(*issue, "--expires-in", "999999y"), "9999")
    assert_clean_failure(cli("tokens", "issue", "--org", "Nobody"), "no organisation", "Nobody")
    assert_clean_failure(cli("tokens", "issue", "--org", str(uuid.uuid4())), "no organisation")
    assert_clean_failure(cli("tokens", "revoke", "not-a-uuid"), "not a token UUID")
    assert_clean_failure(cli("tokens", "revoke", str(uuid.uuid4())), "no API token")
    assert_clean_failure(cli("tokens", "list", "--org", "Nobody"), "no organisation")
    # Nothing was issued by any of them.
    with unit_of_work(engine) as db:
        assert db.scalars(select(ApiToken)).all() == []


def test_list_shows_tokens_but_never_their_secrets(cli: Cli, org_uuid: str, engine: Engine) -> None:
    first = secret_of(
        cli("tokens", "issue", "--org", ORG, "--scopes", "usage,invoices", "--name", "finance")
    )
    second = secret_of(cli("tokens", "issue", "--org", ORG, "--expires-in", "12h"))
    with unit_of_work(engine) as db:
        tokens = db.scalars(select(ApiToken).order_by(ApiToken.id)).all()
        other = f.organisation(db, "Elsewhere")
        f.token(db, other)
    result = cli("tokens", "list", "--org", ORG)
    assert result.exit_code == 0, result.output
    for token in tokens:
        # The full UUID is printed, so it can be copied into `tokens revoke`.
        assert str(token.uuid) in result.stdout
    for secret in (first, second):
        assert secret not in result.stdout
        assert secret[10:] not in result.stdout.replace("\n", "")
    assert "finance" in result.stdout
    assert "Elsewhere" not in result.stdout
    assert result.stdout.count("active") == 2
    everyone = cli("tokens", "list")
    assert everyone.exit_code == 0
    assert "Elsewhere" in everyone.stdout


def test_revoke_then_401(cli: Cli, org_uuid: str, engine: Engine) -> None:
    secret = secret_of(cli("tokens", "issue", "--org", ORG))
    with unit_of_work(engine) as db:
        token_uuid = str(db.scalars(select(ApiToken.uuid)).one())
    client: TestClient
    with make_client(engine) as client:
        assert client.get(f"{API}/usage", headers=bearer(secret)).status_code == 200
        result = cli("tokens", "revoke", token_uuid)
        assert result.exit_code == 0, result.output
        assert "revoked" in result.stdout
        response = client.get(f"{API}/usage", headers=bearer(secret))
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
    listed = cli("tokens", "list")
    assert "revoked" in listed.stdout
    assert cli("tokens", "revoke", token_uuid).exit_code == 0  # revoking twice is harmless


def test_json_output_and_the_audit_log(cli: Cli, org_uuid: str, engine: Engine) -> None:
    result = cli("tokens", "issue", "--org", ORG, "--scopes", "usage", "--json")
    assert result.exit_code == 0, result.output
    issued = json.loads(result.stdout)
    assert issued["token"].startswith("fct_") and issued["scopes"] == ["usage"]
    assert issued["organisation"] == {"uuid": org_uuid, "name": ORG}
    listed = json.loads(cli("tokens", "list", "--json").stdout)
    assert listed == [{k: v for k, v in issued.items() if k != "token"}]
    revoked = json.loads(cli("tokens", "revoke", issued["uuid"], "--json").stdout)
    assert revoked["state"] == "revoked"
    assert json.loads(cli("tokens", "list", "--state", "active", "--json").stdout) == []
    assert_clean_failure(cli("tokens", "list", "--state", "lost"), "state must be one of")
    assert_clean_failure(cli("tokens", "issue", "--org", ORG, "--name", "x" * 201), "--name")
    with unit_of_work(engine) as db:
        events = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(e.action, e.resource, str(e.resource_uuid)) for e in events] == [
            ("create", "api_token", issued["uuid"]),
            ("revoke", "api_token", issued["uuid"]),
        ]
        assert all(e.actor_name.startswith("cli:") for e in events)
        assert issued["token"] not in repr([(e.before, e.after) for e in events])
