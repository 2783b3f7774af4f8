"""`/session-reviews` of the admin API: every operation against its OpenAPI document, what
an organisation's member may see, bad corrections, the audit log, and one decision only
under real concurrency."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, func, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import ChargeSession, SessionReview
from fleetcharge.web.app import create_app
from tests import factories as f
from tests.admin.concurrency import race
from tests.admin.documented import Script
from tests.admin.helpers import ADMIN, Caller, account, error_of, member, ok
from tests.api.helpers import UNLIMITED

MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def schema(engine: Engine) -> Iterator[schemathesis.schemas.BaseSchema]:
    yield schemathesis.openapi.from_asgi(f"{ADMIN}/openapi.json", create_app(engine, UNLIMITED))


def held(engine: Engine, *, days: float = 29, kwh: int = 200_000) -> dict[str, Any]:
    """A held review of a new organisation's card: its uuid, payer and start."""
    with unit_of_work(engine) as db:
        payer = f.organisation(db)
        review = f.held_review(db, payer, days=days, kwh=kwh)
        return {"uuid": str(review.uuid), "payer": payer, "start": review.started_at}


def test_every_session_review_operation_answers_as_documented(
    client: TestClient, engine: Engine, admin: Caller, schema: schemathesis.schemas.BaseSchema
) -> None:
    forged, short, other = held(engine), held(engine, days=0.1, kwh=200), held(engine)
    support = account(engine, "support").headers
    script = Script(client, schema)
    call = script.call
    h = admin.headers

    listed = call("GET", "/session-reviews?limit=2", "/session-reviews", 200, headers=h)
    assert len(listed["data"]) == 2 and "next" in listed["pagination"]
    assert listed["pagination"]["total_entries"] == 3
    call("GET", "/session-reviews?state=all", "/session-reviews", 200, headers=support)
    call("GET", "/session-reviews?state=open", "/session-reviews", 400, headers=h)
    call("GET", "/session-reviews", "/session-reviews", 401, headers={})
    one = "/session-reviews/{uuid}"
    path = f"/session-reviews/{forged['uuid']}"
    etag = client.get(f"{ADMIN}{path}", headers=h).headers["etag"]
    shown = call("GET", path, one, 200, headers=h)
    assert shown["state"] == "held" and shown["version"] == int(etag.strip('"'))
    call("GET", f"/session-reviews/{MISSING}", one, 404, headers=h)
    call("GET", "/session-reviews/nope", one, 400, headers=h)

    accept = "/session-reviews/{uuid}/accept"
    call("POST", f"{path}/accept", accept, 403, headers=support)
    call("POST", f"{path}/accept", accept, 412, json={}, headers={**h, "If-Match": '"99"'})
    accepted = call("POST", f"{path}/accept", accept, 200, headers={**h, "If-Match": etag})
    assert accepted["state"] == "accepted" and accepted["session_uuid"]
    call("POST", f"{path}/accept", accept, 409, json={"note": "again"}, headers=h)
    call("POST", f"/session-reviews/{MISSING}/accept", accept, 404, headers=h)

    correct = "/session-reviews/{uuid}/correct"
    short_path = f"/session-reviews/{short['uuid']}/correct"
    body = {"energy_kwh": "30", "note": "meter read on site"}
    call("POST", short_path, correct, 400, json={**body, "energy_kwh": "300"}, headers=h)
    call("POST", short_path, correct, 403, json=body, headers=support)
    corrected = call("POST", short_path, correct, 200, json=body, headers=h)
    assert (corrected["state"], corrected["correction"]) == (
        "corrected",
        {"energy_kwh": "30.000", "stop_date_time": None},
    )
    call("POST", short_path, correct, 409, json=body, headers=h)

    reject = "/session-reviews/{uuid}/reject"
    other_path = f"/session-reviews/{other['uuid']}/reject"
    call("POST", other_path, reject, 400, json={"note": ""}, headers=h)
    call("POST", other_path, reject, 400, json={}, headers=h)
    rejected = call("POST", other_path, reject, 200, json={"note": "forged"}, headers=h)
    assert rejected["state"] == "rejected" and rejected["session_uuid"] is None
    call("POST", f"/session-reviews/{MISSING}/reject", reject, 404, json={"note": "x"}, headers=h)

    script.assert_covers("/session-reviews")
    with unit_of_work(engine) as db:
        assert db.scalar(select(func.count()).select_from(ChargeSession)) == 2
    events = ok(client.get(f"{ADMIN}/audit-events?resource=session_review", headers=h))
    assert [(e["action"], e["before"]["state"], e["after"]["state"]) for e in events["data"]] == [
        ("accept", "held", "accepted"),
        ("correct", "held", "corrected"),
        ("reject", "held", "rejected"),
    ]
    assert events["data"][1]["after"]["note"] == "meter read on site"


def test_a_fleet_manager_sees_its_own_cards_reviews_only_and_decides_none(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    mine, theirs = held(engine), held(engine)
    with unit_of_work(engine) as db:
        manager = member(db, db.merge(mine["payer"]))
    listed = ok(client.get(f"{ADMIN}/session-reviews?state=all", headers=manager.headers))
    assert [r["uuid"] for r in listed["data"]] == [mine["uuid"]]
    assert listed["pagination"]["total_entries"] == 1
    ok(client.get(f"{ADMIN}/session-reviews/{mine['uuid']}", headers=manager.headers))
    other = client.get(f"{ADMIN}/session-reviews/{theirs['uuid']}", headers=manager.headers)
    assert error_of(other, 404)["code"] == "not_found"
    decided = client.post(f"{ADMIN}/session-reviews/{mine['uuid']}/accept", headers=manager.headers)
    assert error_of(decided, 403)["code"] == "forbidden"
    # Operators see every organisation's.
    everyone = ok(client.get(f"{ADMIN}/session-reviews", headers=admin.headers))
    assert {r["uuid"] for r in everyone["data"]} == {mine["uuid"], theirs["uuid"]}


def bad_corrections(start: datetime) -> list[tuple[dict[str, Any], str]]:
    note = {"note": "meter read"}
    two_hours = (start + timedelta(hours=2)).isoformat()
    return [
        ({**note}, "energy_kwh"),  # nothing to correct
        ({**note, "energy_kwh": "1e400"}, "energy_kwh"),
        ({**note, "energy_kwh": "-1"}, "energy_kwh"),
        ({**note, "energy_kwh": "abc"}, "energy_kwh"),
        ({**note, "energy_kwh": "NaN"}, "energy_kwh"),
        ({**note, "energy_kwh": "1.0005"}, "energy_kwh"),
        ({**note, "energy_kwh": 30, "stop_date_time": "2026-11-02T18:40:00"}, "stop_date_time"),
        (
            {**note, "energy_kwh": 30, "stop_date_time": "9999-12-31T23:59:59-14:00"},
            "stop_date_time",
        ),
        ({**note, "energy_kwh": 30, "stop_date_time": start.isoformat()[:10]}, "stop_date_time"),
        (
            {**note, "stop_date_time": (datetime.now(UTC) + timedelta(hours=1)).isoformat()},
            "stop_date_time",
        ),
        (
            {**note, "stop_date_time": (start - timedelta(seconds=1)).isoformat()},
            "stop_date_time",
        ),
        ({"energy_kwh": "30", "stop_date_time": two_hours, "note": "a\x00b"}, "note"),
        ({"energy_kwh": "30", "stop_date_time": two_hours, "note": " "}, "note"),
        ({"energy_kwh": "30", "stop_date_time": two_hours, "note": "x" * 1001}, "note"),
        ({"energy_kwh": "30", "stop_date_time": two_hours}, "note"),
        ({**note, "energy_kwh": "30", "extra": 1}, "extra"),
        # Still implausible: the energy as reported in two hours, or 30 kWh over 29 days.
        ({**note, "stop_date_time": two_hours}, "energy_kwh"),
        ({**note, "energy_kwh": "30"}, "stop_date_time"),
        ({**note, "energy_kwh": "100", "stop_date_time": two_hours}, "energy_kwh"),
    ]


def test_bad_corrections_are_400s_naming_the_field_and_change_nothing(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    forged = held(engine)
    url = f"{ADMIN}/session-reviews/{forged['uuid']}/correct"
    for body, field in bad_corrections(forged["start"]):
        error = error_of(client.post(url, json=body, headers=admin.headers), 400)
        assert error.get("field") == field, (body, error)
    with unit_of_work(engine) as db:
        review = db.scalars(select(SessionReview)).one()
        assert (review.state, review.version, review.session_id) == ("held", 1, None)
    good = {
        "energy_kwh": "44.2",
        "stop_date_time": (forged["start"] + timedelta(hours=2)).isoformat(),
        "note": "meter read",
    }
    ok(client.post(url, json=good, headers=admin.headers))


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_accept_and_a_reject_at_once_decide_once(
    client: TestClient, engine: Engine, admin: Caller
) -> None:
    forged = held(engine)
    url = f"{ADMIN}/session-reviews/{forged['uuid']}"

    def decide(action: str, body: Any = None) -> Callable[[], httpx.Response]:
        return lambda: client.post(f"{url}/{action}", json=body, headers=admin.headers)

    def lock_review(connection: Connection) -> None:
        connection.execute(select(SessionReview.id).with_for_update())

    responses = race(engine, lock_review, decide("accept"), decide("reject", {"note": "forged"}))
    assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
    (winner,) = [r.json() for r in responses if r.status_code == 200]
    sessions = 1 if winner["state"] == "accepted" else 0
    with unit_of_work(engine) as db:
        assert db.scalar(select(func.count()).select_from(ChargeSession)) == sessions
    assert ok(client.get(url, headers=admin.headers))["state"] == winner["state"]
