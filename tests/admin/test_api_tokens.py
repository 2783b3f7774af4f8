"""/api-tokens: Fleets API tokens issued, listed, shown and revoked over the admin API, by
staff for any organisation and by a fleet manager for its own only."""

import uuid
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from fleetcharge.accounts.service import issue_admin_token
from fleetcharge.db import unit_of_work
from fleetcharge.kit.tokens import hash_secret
from fleetcharge.models import Account, ApiToken, AuditEvent, IdempotentRequest
from tests import factories as f
from tests.admin.helpers import ADMIN, Caller, account, all_pages, error_of, member, ok
from tests.api.helpers import API, bearer

TOKENS = f"{ADMIN}/api-tokens"


@dataclass(frozen=True)
class Two:
    """Two organisations, each with a fleet manager."""

    mine: str  # organisation uuids
    theirs: str
    manager: Caller  # of `mine`
    other_manager: Caller  # of `theirs`


@pytest.fixture
def two(engine: Engine) -> Two:
    with unit_of_work(engine) as db:
        mine, theirs = f.organisation(db, "Cybertron"), f.organisation(db, "Iacon")
        return Two(str(mine.uuid), str(theirs.uuid), member(db, mine), member(db, theirs))


def issue(client: TestClient, caller: Caller, **body: object) -> dict:
    return dict(ok(client.post(TOKENS, json=body, headers=caller.headers), 201))


def test_issue_use_show_list_and_revoke(client: TestClient, admin: Caller, two: Two) -> None:
    issued = issue(
        client, admin, organisation_uuid=two.mine, scopes=["usage"], expires_in="90d", name="bi"
    )
    secret = issued.pop("token")
    assert secret.startswith("fct_") and issued["prefix"] == secret[:10]
    assert issued["scopes"] == ["usage"] and issued["state"] == "active"
    assert issued["organisation"] == {"uuid": two.mine, "name": "Cybertron"}
    assert issued["expires_at"] is not None and issued["name"] == "bi"
    assert client.get(f"{API}/usage", headers=bearer(secret)).status_code == 200
    assert client.get(f"{API}/vehicles", headers=bearer(secret)).status_code == 403

    shown = ok(client.get(f"{TOKENS}/{issued['uuid']}", headers=admin.headers))
    assert shown == issued and "token" not in shown
    everything = issue(client, admin, organisation_uuid=two.theirs)
    assert everything["scopes"] == ["usage", "sessions", "vehicles", "invoices"]
    assert everything["expires_at"] is None
    listed = all_pages(client, admin, f"/api-tokens?organisation_uuid={two.mine}")
    assert [t["uuid"] for t in listed] == [issued["uuid"]]
    assert len(all_pages(client, admin, "/api-tokens?limit=1")) == 2

    revoked = ok(client.post(f"{TOKENS}/{issued['uuid']}/revoke", headers=admin.headers))
    assert revoked["state"] == "revoked" and revoked["revoked_at"] is not None
    assert client.get(f"{API}/usage", headers=bearer(secret)).status_code == 401
    again = ok(client.post(f"{TOKENS}/{issued['uuid']}/revoke", headers=admin.headers))
    assert again == revoked
    assert [t["uuid"] for t in all_pages(client, admin, "/api-tokens?state=revoked")] == [
        issued["uuid"]
    ]
    assert [t["uuid"] for t in all_pages(client, admin, "/api-tokens?state=active")] == [
        everything["uuid"]
    ]

    events = all_pages(client, admin, f"/audit-events?resource_uuid={issued['uuid']}")
    assert [(e["action"], e["resource"]) for e in events] == [
        ("create", "api_token"),
        ("revoke", "api_token"),
    ]
    assert events[1]["before"]["state"] == "active"
    assert events[1]["after"]["state"] == "revoked"
    assert events[0]["actor"]["role"] == "admin"


def test_invalid_fields_are_named(
    client: TestClient, engine: Engine, admin: Caller, two: Two
) -> None:
    cases = [
        ({"scopes": ["usage"]}, 400, "organisation_uuid"),
        ({"organisation_uuid": "not-a-uuid"}, 400, "organisation_uuid"),
        ({"organisation_uuid": str(uuid.uuid4())}, 404, "organisation_uuid"),
        ({"organisation_uuid": two.mine, "scopes": []}, 400, "scopes"),
        ({"organisation_uuid": two.mine, "scopes": ["usage", "billing"]}, 400, "scopes[1]"),
        ({"organisation_uuid": two.mine, "scopes": "usage"}, 400, "scopes"),
        ({"organisation_uuid": two.mine, "expires_in": "90"}, 400, "expires_in"),
        ({"organisation_uuid": two.mine, "expires_in": "999999y"}, 400, "expires_in"),
        ({"organisation_uuid": two.mine, "name": "x" * 201}, 400, "name"),
        ({"organisation_uuid": two.mine, "name": "a\x00b"}, 400, "name"),
        ({"organisation_uuid": two.mine, "secret": "mine"}, 400, "secret"),
    ]
    for body, status, field in cases:
        error = error_of(client.post(TOKENS, json=body, headers=admin.headers), status)
        assert error.get("field") == field, (body, error)
    with unit_of_work(engine) as db:
        assert db.scalars(select(ApiToken)).all() == []
    for query, parameter in [
        ("state=lost", "state"),
        ("organisation_uuid=nope", "organisation_uuid"),
        ("limit=0", "limit"),
        ("cursor=zzz", "cursor"),
    ]:
        error = error_of(client.get(f"{TOKENS}?{query}", headers=admin.headers), 400)
        assert error.get("parameter") == parameter, (query, error)
    unknown = error_of(
        client.get(f"{TOKENS}?organisation_uuid={uuid.uuid4()}", headers=admin.headers), 404
    )
    assert unknown["parameter"] == "organisation_uuid"
    error_of(client.get(f"{TOKENS}/{uuid.uuid4()}", headers=admin.headers), 404)
    error_of(client.post(f"{TOKENS}/{uuid.uuid4()}/revoke", headers=admin.headers), 404)
    assert error_of(client.get(f"{TOKENS}/nope", headers=admin.headers), 400)["parameter"] == "uuid"


def test_a_fleet_manager_manages_its_own_organisations_tokens_only(
    client: TestClient, admin: Caller, two: Two
) -> None:
    own = issue(client, two.manager, scopes=["vehicles"])  # its organisation by default
    assert own["organisation"]["uuid"] == two.mine
    explicit = issue(client, two.manager, organisation_uuid=two.mine)
    theirs = issue(client, admin, organisation_uuid=two.theirs)

    elsewhere = client.post(
        TOKENS, json={"organisation_uuid": two.theirs}, headers=two.manager.headers
    )
    assert error_of(elsewhere, 404)["field"] == "organisation_uuid"
    listed = all_pages(client, two.manager, "/api-tokens")
    assert {t["uuid"] for t in listed} == {own["uuid"], explicit["uuid"]}
    error_of(
        client.get(f"{TOKENS}?organisation_uuid={two.theirs}", headers=two.manager.headers), 404
    )
    error_of(client.get(f"{TOKENS}/{theirs['uuid']}", headers=two.manager.headers), 404)
    error_of(client.post(f"{TOKENS}/{theirs['uuid']}/revoke", headers=two.manager.headers), 404)
    assert ok(client.get(f"{TOKENS}/{theirs['uuid']}", headers=admin.headers))["state"] == "active"
    ok(client.post(f"{TOKENS}/{own['uuid']}/revoke", headers=two.manager.headers))

    # Its audit log shows its own organisation's token events, not the other's.
    events = all_pages(client, two.manager, "/audit-events?resource=api_token")
    assert {e["resource_uuid"] for e in events} == {own["uuid"], explicit["uuid"]}
    assert [e["action"] for e in events].count("revoke") == 1


def test_support_may_revoke_but_not_read_or_issue(
    client: TestClient, engine: Engine, admin: Caller, two: Two
) -> None:
    support, billing = account(engine, "support"), account(engine, "billing")
    token = issue(client, admin, organisation_uuid=two.mine)
    error_of(
        client.post(TOKENS, json={"organisation_uuid": two.mine}, headers=support.headers), 403
    )
    error_of(client.get(TOKENS, headers=support.headers), 403)
    error_of(client.get(f"{TOKENS}/{token['uuid']}", headers=support.headers), 403)
    error_of(client.post(f"{TOKENS}/{token['uuid']}/revoke", headers=billing.headers), 403)
    revoked = ok(client.post(f"{TOKENS}/{token['uuid']}/revoke", headers=support.headers))
    assert revoked["state"] == "revoked"


def test_secrets_are_stored_hashed_and_never_audited(
    client: TestClient, engine: Engine, admin: Caller, two: Two
) -> None:
    headers = {**admin.headers, "Idempotency-Key": "issue-bi-token"}
    body = {"organisation_uuid": two.mine, "name": "bi"}
    first = ok(client.post(TOKENS, json=body, headers=headers), 201)
    secret = first["token"]
    ok(client.post(f"{TOKENS}/{first['uuid']}/revoke", headers=admin.headers))
    with unit_of_work(engine) as db:
        (token,) = db.scalars(select(ApiToken)).all()
        assert token.secret_sha256 == hash_secret(secret)
        stored = [
            repr((token.name, token.prefix, token.scopes)),
            *(repr((e.before, e.after)) for e in db.scalars(select(AuditEvent))),
            *(repr(r.response) for r in db.scalars(select(IdempotentRequest))),
        ]
        assert db.scalar(select(IdempotentRequest.id)) is not None
    for text in stored:
        assert secret[10:] not in text and hash_secret(secret) not in text, text


def test_an_idempotent_retry_shows_the_same_secret_to_the_same_token_only(
    client: TestClient, engine: Engine, admin: Caller, two: Two
) -> None:
    body = {"organisation_uuid": two.mine, "scopes": ["usage"]}
    headers = {**admin.headers, "Idempotency-Key": "k-1"}
    first = ok(client.post(TOKENS, json=body, headers=headers), 201)
    assert ok(client.post(TOKENS, json=body, headers=headers), 201) == first
    other_body = client.post(TOKENS, json={**body, "name": "x"}, headers=headers)
    assert error_of(other_body, 422)["parameter"] == "Idempotency-Key"
    with unit_of_work(engine) as db:
        same_account = db.scalars(select(Account).where(Account.role == "admin")).one()
        second_token = issue_admin_token(db, same_account).secret
    retried_elsewhere = client.post(
        TOKENS, json=body, headers={**bearer(second_token), "Idempotency-Key": "k-1"}
    )
    assert error_of(retried_elsewhere, 409)["parameter"] == "Idempotency-Key"
    # Another account's key of the same name is its own.
    other_admin = account(engine, "admin")
    other = ok(
        client.post(TOKENS, json=body, headers={**other_admin.headers, "Idempotency-Key": "k-1"}),
        201,
    )
    assert other["uuid"] != first["uuid"]
    with unit_of_work(engine) as db:
        assert len(db.scalars(select(ApiToken)).all()) == 2
