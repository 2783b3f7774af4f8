"""Local Authorization Lists: SendLocalList and GetLocalListVersion frame by frame, through
the admin API and the background task keeping the lists in step with the cards."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from fleetcharge.db import unit_of_work
from fleetcharge.models import AuditEvent, Card
from tests.admin.helpers import ADMIN, account
from tests.csms.conftest import operator_headers
from tests.csms.helpers import FakeClock, connected, iso
from tests.csms.lists_helpers import Lists, accepted, expect, limits, lists, post, reply

__all__ = ["lists"]
FULL_LIST = [accepted("HOST-A"), accepted("HOST-B")]


def send(background: ThreadPoolExecutor, client: TestClient, identity: str, full: bool) -> Any:
    return post(background, client, f"/stations/{identity}/local-list/send", {"full": full})


def state(client: TestClient, identity: str) -> dict[str, Any]:
    response = client.get(f"{ADMIN}/stations/{identity}/local-list")
    assert response.status_code == 200, response.text
    return dict(response.json())


def entries(client: TestClient, identity: str) -> list[dict[str, Any]]:
    response = client.get(f"{ADMIN}/stations/{identity}/local-list/entries")
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


def test_a_differential_update_sends_the_host_cards_and_is_recorded(
    operator: TestClient,
    lists: Lists,
    clock: FakeClock,
    background: ThreadPoolExecutor,
    engine: Engine,
) -> None:
    before = state(operator, lists.identity)
    assert before["version"] == 0 and before["pending_changes"] == 2
    assert before["scope"] == "host" and before["last_result"] is None
    with connected(operator, lists.identity, clock) as cp:
        pending = send(background, operator, lists.identity, False)
        limits(cp)
        frame = expect(
            cp,
            "SendLocalList",
            {"listVersion": 1, "localAuthorizationList": FULL_LIST, "updateType": "Differential"},
        )
        reply(cp, frame, {"status": "Accepted"})
        response = pending.result(timeout=10)
        assert response.status_code == 200, response.text
        assert response.json() == {
            "station": lists.identity,
            "result": "Accepted",
            "version": 1,
            "updates": [
                {"listVersion": 1, "updateType": "Differential", "entries": 2, "status": "Accepted"}
            ],
        }
        # In step: nothing more is sent.
        pending = send(background, operator, lists.identity, False)
        assert pending.result(timeout=10).json()["updates"] == []
    after = state(operator, lists.identity)
    assert after["version"] == 1 and after["entries"] == 2 and after["pending_changes"] == 0
    assert after["last_result"] == "Accepted" and after["last_update_type"] == "Differential"
    assert after["synced_at"] == clock.at.isoformat()
    assert [e["id_tag"] for e in entries(operator, lists.identity)] == ["HOST-A", "HOST-B"]
    with unit_of_work(engine) as db:
        audited = db.scalars(
            select(AuditEvent.action).where(AuditEvent.action == "send_local_list")
        ).all()
        assert len(audited) == 2


def test_refusals_are_recorded_and_a_version_mismatch_brings_the_full_list(
    operator: TestClient, lists: Lists, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    with connected(operator, lists.identity, clock) as cp:
        for status in ("Failed", "NotSupported"):
            pending = send(background, operator, lists.identity, False)
            limits(cp)
            frame = expect(
                cp,
                "SendLocalList",
                {
                    "listVersion": 1,
                    "localAuthorizationList": FULL_LIST,
                    "updateType": "Differential",
                },
            )
            reply(cp, frame, {"status": status})
            assert pending.result(timeout=10).json()["result"] == status
            assert state(operator, lists.identity)["last_result"] == status
            assert state(operator, lists.identity)["version"] == 0

        pending = send(background, operator, lists.identity, False)
        limits(cp)
        frame = expect(
            cp,
            "SendLocalList",
            {"listVersion": 1, "localAuthorizationList": FULL_LIST, "updateType": "Differential"},
        )
        reply(cp, frame, {"status": "VersionMismatch"})
        frame = expect(
            cp,
            "SendLocalList",
            {"listVersion": 1, "localAuthorizationList": FULL_LIST, "updateType": "Full"},
        )
        reply(cp, frame, {"status": "Accepted"})
        response = pending.result(timeout=10).json()
        assert [(u["updateType"], u["status"]) for u in response["updates"]] == [
            ("Differential", "VersionMismatch"),
            ("Full", "Accepted"),
        ]
        assert response["result"] == "Accepted" and response["version"] == 1
    assert state(operator, lists.identity)["last_update_type"] == "Full"


def test_a_list_is_sent_in_chunks_and_one_too_long_is_refused(
    operator: TestClient,
    lists: Lists,
    clock: FakeClock,
    background: ThreadPoolExecutor,
    engine: Engine,
) -> None:
    with unit_of_work(engine) as db:
        host = db.scalar(select(Card.organisation_id).where(Card.id_tag == "HOST-A"))
        db.add(Card(id_tag="HOST-0", organisation_id=host))
    with connected(operator, lists.identity, clock) as cp:
        pending = send(background, operator, lists.identity, True)
        limits(cp, max_length="3", per_message="2")
        first = [accepted("HOST-0"), accepted("HOST-A")]
        frame = expect(
            cp,
            "SendLocalList",
            {"listVersion": 1, "localAuthorizationList": first, "updateType": "Full"},
        )
        reply(cp, frame, {"status": "Accepted"})
        frame = expect(
            cp,
            "SendLocalList",
            {
                "listVersion": 2,
                "localAuthorizationList": [accepted("HOST-B")],
                "updateType": "Differential",
            },
        )
        reply(cp, frame, {"status": "Accepted"})
        assert pending.result(timeout=10).json()["version"] == 2

        pending = send(background, operator, lists.identity, True)
        limits(cp, max_length="2", per_message="2")
        response = pending.result(timeout=10)
        assert response.status_code == 409
        assert response.json()["error"] == {
            "code": "local_list_too_long",
            "message": "the local list would hold 3 idTags; the station holds at most 2 "
            "(LocalAuthListMaxLength)",
        }
    assert state(operator, lists.identity)["version"] == 2


def test_a_station_not_answering_or_answering_a_call_error(
    make_app: Callable[..., FastAPI],
    engine: Engine,
    lists: Lists,
    clock: FakeClock,
    background: ThreadPoolExecutor,
) -> None:
    app = make_app(ocpp_command_timeout_seconds="1")
    with TestClient(app) as client, connected(client, lists.identity, clock) as cp:
        client.headers.update(operator_headers(engine))
        pending = send(background, client, lists.identity, False)
        limits(cp)
        expect(
            cp,
            "SendLocalList",
            {"listVersion": 1, "localAuthorizationList": FULL_LIST, "updateType": "Differential"},
        )
        response = pending.result(timeout=10)
        assert response.status_code == 504
        assert response.json()["error"]["code"] == "station_timeout"
        assert state(client, lists.identity)["last_result"] == "station_timeout"

        pending = post(background, client, f"/stations/{lists.identity}/local-list/version")
        frame = expect(cp, "GetLocalListVersion", {})
        cp.ws.send_text(f'[4,"{frame[1]}","NotSupported","no local list",{{}}]')
        response = pending.result(timeout=10)
        assert response.status_code == 502
        assert response.json()["error"] == {
            "code": "station_error",
            "message": f"charge station {lists.identity} answered GetLocalListVersion with "
            "NotSupported: no local list",
        }


def test_get_local_list_version_is_asked_and_recorded(
    operator: TestClient, lists: Lists, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    with connected(operator, lists.identity, clock) as cp:
        pending = post(background, operator, f"/stations/{lists.identity}/local-list/version")
        frame = expect(cp, "GetLocalListVersion", {})
        reply(cp, frame, {"listVersion": 7})
        assert pending.result(timeout=10).json() == {
            "station": lists.identity,
            "listVersion": 7,
            "version": 0,
            "in_step": False,
        }
    shown = state(operator, lists.identity)
    assert shown["reported_version"] == 7 and shown["reported_at"] == clock.at.isoformat()
    # Reading is for staff; sending for admin and support only.
    billing = account_headers(operator, "billing")
    denied = operator.post(f"{ADMIN}/stations/{lists.identity}/local-list/version", headers=billing)
    assert denied.status_code == 403
    assert operator.get(f"{ADMIN}/stations/NOPE/local-list").status_code == 404


def account_headers(client: TestClient, role: str) -> dict[str, str]:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    return account(engine, role).headers


def test_the_lists_are_kept_in_step_through_a_block_an_expiry_and_a_card_move(
    operator: TestClient,
    lists: Lists,
    clock: FakeClock,
    background: ThreadPoolExecutor,
) -> None:
    central = operator.app.state.central_system  # type: ignore[attr-defined]

    def cycle() -> Any:
        return background.submit(operator.portal.call, central.local_lists.cycle)  # type: ignore[union-attr]

    admin = account_headers(operator, "admin")
    expires = clock.at + timedelta(hours=1)
    card_a, card_b = lists.host_card_uuids
    changed = operator.patch(
        f"{ADMIN}/cards/{card_b}", json={"expires_at": expires.isoformat()}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    with_expiry = [accepted("HOST-A"), accepted("HOST-B", iso(expires))]
    with connected(operator, lists.identity, clock) as cp:
        # Newly connected: its version is asked; it differs, so the full list follows.
        running = cycle()
        frame = expect(cp, "GetLocalListVersion", {})
        reply(cp, frame, {"listVersion": 3})
        limits(cp)
        frame = expect(
            cp,
            "SendLocalList",
            {"listVersion": 4, "localAuthorizationList": with_expiry, "updateType": "Full"},
        )
        reply(cp, frame, {"status": "Accepted"})
        running.result(timeout=10)

        # In step: a cycle sends nothing.
        cycle().result(timeout=10)

        blocked = operator.post(f"{ADMIN}/cards/{card_a}/block")
        assert blocked.status_code == 200, blocked.text
        running = cycle()
        frame = expect(
            cp,
            "SendLocalList",
            {
                "listVersion": 5,
                "localAuthorizationList": [{"idTag": "HOST-A", "idTagInfo": {"status": "Blocked"}}],
                "updateType": "Differential",
            },
        )
        reply(cp, frame, {"status": "Accepted"})
        running.result(timeout=10)

        clock.advance(hours=1)  # HOST-B expires
        running = cycle()
        expired = {
            "idTag": "HOST-B",
            "idTagInfo": {"status": "Expired", "expiryDate": iso(expires)},
        }
        frame = expect(
            cp,
            "SendLocalList",
            {"listVersion": 6, "localAuthorizationList": [expired], "updateType": "Differential"},
        )
        reply(cp, frame, {"status": "Accepted"})
        running.result(timeout=10)

        moved = operator.post(
            f"{ADMIN}/cards/{card_a}/assign",
            json={"vehicle_uuid": lists.other_vehicle_uuid},
            headers=admin,
        )
        assert moved.status_code == 200, moved.text
        running = cycle()
        frame = expect(
            cp,
            "SendLocalList",
            {
                "listVersion": 7,
                "localAuthorizationList": [{"idTag": "HOST-A"}],
                "updateType": "Differential",
            },
        )
        reply(cp, frame, {"status": "Accepted"})
        running.result(timeout=10)
    assert [(e["id_tag"], e["status"]) for e in entries(operator, lists.identity)] == [
        ("HOST-B", "Expired")
    ]


def test_a_station_without_local_lists_is_left_alone(
    operator: TestClient, lists: Lists, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    central = operator.app.state.central_system  # type: ignore[attr-defined]
    with connected(operator, lists.identity, clock) as cp:
        running = background.submit(operator.portal.call, central.local_lists.cycle)  # type: ignore[union-attr]
        frame = expect(cp, "GetLocalListVersion", {})
        reply(cp, frame, {"listVersion": -1})
        running.result(timeout=10)
        background.submit(operator.portal.call, central.local_lists.cycle).result(timeout=10)  # type: ignore[union-attr]
        assert cp.send('[2,"hb","Heartbeat",{}]')[0] == 3  # no call came before the answer
    assert state(operator, lists.identity)["reported_version"] == -1


def test_a_location_chooses_which_cards_its_stations_hold(
    operator: TestClient, lists: Lists, engine: Engine
) -> None:
    path = f"{ADMIN}/locations/{lists.location_uuid}/local-list"
    assert operator.put(path, json={"scope": "all"}).status_code == 403  # support may not
    admin = account(engine, "admin").headers
    response = operator.put(path, json={"scope": "all"}, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json() == {"location_uuid": lists.location_uuid, "scope": "all"}
    assert state(operator, lists.identity)["pending_changes"] == 3
    bad = operator.put(path, json={"scope": "some"}, headers=admin)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "scope"
    assert operator.put(path, json={"scope": "none"}, headers=admin).status_code == 200
    assert state(operator, lists.identity)["pending_changes"] == 0
