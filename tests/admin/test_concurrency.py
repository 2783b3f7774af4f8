"""Safe writes under real concurrency on PostgreSQL: two PATCHes holding one ETag, and one
Idempotency-Key sent twice at once. Each pair is held at the lock it contends for until
both requests wait on it, then released together, so the two really overlap."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, func, insert, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import Account, IdempotentRequest, Organisation
from tests import factories as f
from tests.admin.concurrency import race
from tests.admin.helpers import ADMIN, Caller, ok


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_patches_with_one_etag_one_wins_one_is_412(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    with unit_of_work(engine) as db:
        org_uuid = str(f.organisation(db, "Cybertron").uuid)
    url = f"{ADMIN}/organisations/{org_uuid}"
    etag = client.get(url, headers=admin.headers).headers["etag"]

    def patch(name: str) -> Callable[[], httpx.Response]:
        headers = {**admin.headers, "If-Match": etag}
        return lambda: client.patch(url, json={"contact_name": name}, headers=headers)

    def lock_organisation(connection: Connection) -> None:
        connection.execute(select(Organisation.id).with_for_update())

    responses = race(engine, lock_organisation, patch("Optimus"), patch("Megatron"))
    assert sorted(r.status_code for r in responses) == [200, 412], [r.text for r in responses]
    (winner,) = [r.json() for r in responses if r.status_code == 200]
    (loser,) = [r.json() for r in responses if r.status_code == 412]
    assert loser["error"]["code"] == "precondition_failed"
    final = ok(client.get(url, headers=admin.headers))
    assert final == winner
    assert final["contact_name"] in ("Optimus", "Megatron")
    assert final["version"] == int(etag.strip('"')) + 1
    events = ok(client.get(f"{ADMIN}/audit-events?resource=organisation", headers=admin.headers))
    assert [e["after"]["contact_name"] for e in events["data"]] == [final["contact_name"]]


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_one_idempotency_key_twice_at_once_makes_one_organisation(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    key = "create-cybertron"
    headers = {**admin.headers, "Idempotency-Key": key}
    body = {"name": "Cybertron", "vehicle_fee": "5.50"}
    with unit_of_work(engine) as db:
        account_id = db.scalar(select(Account.id).where(Account.role == "admin"))

    def hold_the_key(connection: Connection) -> None:
        # An uncommitted record of the same key: both requests get past their look-up for
        # it and then wait on its unique index, as they would behind each other.
        row: dict[str, Any] = {
            "account_id": account_id,
            "key": key,
            "request_sha256": "0" * 64,
            "status_code": 0,
            "response": {},
        }
        connection.execute(insert(IdempotentRequest).values(**row))

    def create() -> httpx.Response:
        return client.post(f"{ADMIN}/organisations", json=body, headers=headers)

    responses = race(engine, hold_the_key, create, create)
    assert [r.status_code for r in responses] == [201, 201], [r.text for r in responses]
    assert responses[0].json() == responses[1].json()
    assert responses[0].headers["etag"] == responses[1].headers["etag"]
    with unit_of_work(engine) as db:
        assert db.scalar(select(func.count()).select_from(Organisation)) == 1
        assert db.scalar(select(func.count()).select_from(IdempotentRequest)) == 1
