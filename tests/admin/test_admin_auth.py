"""Who reaches the admin API: 401 (with WWW-Authenticate: Bearer) for every way an admin
token can be wrong, Fleets API and admin tokens each refused by the other API, an
organisation's member kept to its own organisation (404) and its role (403), and secrets
held by the database only as hashes."""

import secrets
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from fleetcharge.accounts.service import create_account, issue_admin_token
from fleetcharge.db import unit_of_work
from fleetcharge.kit.tokens import hash_secret
from fleetcharge.models import Account, AdminToken, Base
from fleetcharge.models.base import utcnow
from fleetcharge.permissions import Actor
from tests import factories as f
from tests.admin.helpers import ADMIN, Caller, error_of, member, ok
from tests.api.helpers import API, ENDPOINTS, bearer

# One call of each kind (read, create, change) that a valid admin token may make.
CALLS = [
    ("GET", "/organisations", None),
    ("POST", "/organisations", {"name": "Never Created"}),
    ("GET", "/accounts", None),
    ("GET", "/audit-events", None),
    ("GET", "/api-tokens", None),
    ("POST", "/api-tokens", {"organisation_uuid": str(uuid.uuid4())}),
    ("POST", f"/api-tokens/{uuid.uuid4()}/revoke", None),
    ("PATCH", f"/organisations/{uuid.uuid4()}", {"name": "x"}),
]


def assert_unauthorized(response: httpx.Response, what: object) -> None:
    error = error_of(response, 401)
    assert response.headers["www-authenticate"] == "Bearer", what
    assert error["code"] == "unauthorized" and error["message"], what


def call(client: TestClient, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    return client.request(method, f"{ADMIN}{path}", json=body, headers=headers)


def _altered(secret: str) -> str:
    return secret[:-1] + ("B" if secret.endswith("A") else "A")


@pytest.fixture
def bad_tokens(engine: Engine) -> dict[str, dict[str, str]]:
    """Authorization headers that must all be refused, by what is wrong with them."""
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        fleets_token = f.token(db, org)
        issued = create_account(db, Actor.command_line(), "ops", "admin")
        revoked = issue_admin_token(db, issued.token.account)
        revoked.token.revoked_at = utcnow()
        expired = issue_admin_token(db, issued.token.account, expires_in=timedelta(days=1))
        expired.token.expires_at = utcnow() - timedelta(seconds=1)
        gone = create_account(db, Actor.command_line(), "left", "support")
        gone.token.account.revoked_at = utcnow()
    unknown = "fca_" + secrets.token_urlsafe(32)
    return {
        "missing": {},
        "empty": {"Authorization": ""},
        "not bearer": {"Authorization": f"Basic {issued.secret}"},
        "bearer only": {"Authorization": "Bearer"},
        "malformed": {"Authorization": "Bearer fca_short"},
        "token without scheme": {"Authorization": issued.secret},
        "unknown": bearer(unknown),
        "revoked": bearer(revoked.secret),
        "expired": bearer(expired.secret),
        "revoked account": bearer(gone.secret),
        "fleets api token": bearer(fleets_token),
        "admin token, one character changed": bearer(_altered(issued.secret)),
    }


def test_every_wrong_token_is_401_on_every_route(
    client: TestClient, admin: Caller, bad_tokens: dict[str, dict[str, str]]
) -> None:
    for name, headers in bad_tokens.items():
        for method, path, body in CALLS:
            assert_unauthorized(call(client, method, path, body, headers), (name, method, path))
    # The same calls with a valid token pass authentication (whatever else they answer).
    for method, path, body in CALLS:
        assert call(client, method, path, body, admin.headers).status_code != 401, path


def test_admin_tokens_are_refused_by_the_fleets_api(client: TestClient, admin: Caller) -> None:
    for endpoint in ENDPOINTS:
        assert_unauthorized(client.get(f"{API}/{endpoint}", headers=admin.headers), endpoint)


def test_revoking_an_account_refuses_its_tokens_from_the_next_request(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    created = ok(
        client.post(
            f"{ADMIN}/accounts", json={"name": "temp", "role": "support"}, headers=admin.headers
        ),
        201,
    )
    temp = bearer(created["token"])
    ok(client.get(f"{ADMIN}/organisations", headers=temp))
    with unit_of_work(engine) as db:
        account_row = db.scalars(select(Account).where(Account.name == "temp")).one()
        second = issue_admin_token(db, account_row).secret
    ok(client.post(f"{ADMIN}/accounts/{created['uuid']}/revoke", headers=admin.headers))
    assert_unauthorized(client.get(f"{ADMIN}/organisations", headers=temp), "first token")
    assert_unauthorized(
        client.get(f"{ADMIN}/organisations", headers=bearer(second)), "second token"
    )


def test_an_organisations_member_reaches_its_own_organisation_only(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    with unit_of_work(engine) as db:
        mine, theirs = f.organisation(db, "Mine"), f.organisation(db, "Theirs")
        manager = member(db, mine)
        mine_uuid, theirs_uuid = str(mine.uuid), str(theirs.uuid)
    their_token = ok(
        client.post(
            f"{ADMIN}/api-tokens", json={"organisation_uuid": theirs_uuid}, headers=admin.headers
        ),
        201,
    )
    ok(client.get(f"{ADMIN}/organisations/{mine_uuid}", headers=manager.headers))
    not_found = [
        ("GET", f"/organisations/{theirs_uuid}", None),
        ("GET", f"/api-tokens/{their_token['uuid']}", None),
        ("POST", f"/api-tokens/{their_token['uuid']}/revoke", None),
        ("GET", f"/api-tokens?organisation_uuid={theirs_uuid}", None),
        ("POST", "/api-tokens", {"organisation_uuid": theirs_uuid}),
    ]
    for method, path, body in not_found:
        assert error_of(call(client, method, path, body, manager.headers), 404), path
    forbidden = [
        ("GET", "/accounts", None),
        ("POST", "/accounts", {"name": "me too", "role": "admin"}),
        ("POST", f"/accounts/{uuid.uuid4()}/revoke", None),
        ("POST", "/organisations", {"name": "Another"}),
        ("PATCH", f"/organisations/{mine_uuid}", {"vehicle_fee": "0"}),
        # Refused by role before any lookup: the answer tells nothing about the uuid.
        ("PATCH", f"/organisations/{theirs_uuid}", {"name": "Mine now"}),
    ]
    for method, path, body in forbidden:
        assert error_of(call(client, method, path, body, manager.headers), 403)["code"] == (
            "forbidden"
        ), path
    listed = ok(client.get(f"{ADMIN}/organisations", headers=manager.headers))["data"]
    assert [o["uuid"] for o in listed] == [mine_uuid]
    events = ok(client.get(f"{ADMIN}/audit-events", headers=manager.headers))["data"]
    assert their_token["uuid"] not in {e["resource_uuid"] for e in events}
    # Nothing of theirs changed.
    assert (
        ok(client.get(f"{ADMIN}/api-tokens/{their_token['uuid']}", headers=admin.headers))["state"]
        == "active"
    )


def _everything_stored(engine: Engine) -> str:
    """Every row of every table, as text."""
    with engine.connect() as connection:
        return "\n".join(
            repr(row)
            for table in Base.metadata.sorted_tables
            for row in connection.execute(select(table))
        )


def test_secrets_are_stored_only_as_hashes_and_never_audited(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    org = ok(
        client.post(f"{ADMIN}/organisations", json={"name": "Org"}, headers=admin.headers), 201
    )
    keyed = {**admin.headers, "Idempotency-Key": "create-both"}
    fleets_secret = ok(
        client.post(f"{ADMIN}/api-tokens", json={"organisation_uuid": org["uuid"]}, headers=keyed),
        201,
    )["token"]
    admin_secret = ok(
        client.post(
            f"{ADMIN}/accounts",
            json={"name": "member", "role": "fleet_manager", "organisation_uuid": org["uuid"]},
            headers={**admin.headers, "Idempotency-Key": "create-member"},
        ),
        201,
    )["token"]
    stored = _everything_stored(engine)
    for secret in (fleets_secret, admin_secret, admin.token):
        assert secret[10:] not in stored  # beyond the prefix kept to tell tokens apart
        assert stored.count(hash_secret(secret)) == 1  # its own row's secret_sha256
    with unit_of_work(engine) as db:
        digests = set(db.scalars(select(AdminToken.secret_sha256)))
        assert {hash_secret(admin_secret), hash_secret(admin.token)} <= digests
    events = ok(client.get(f"{ADMIN}/audit-events", headers=admin.headers))["data"]
    assert len(events) == 4  # the admin's own account, then the three above
    audited = repr(events)
    for secret in (fleets_secret, admin_secret):
        assert secret[10:] not in audited and hash_secret(secret) not in audited
