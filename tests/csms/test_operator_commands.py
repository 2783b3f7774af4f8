"""Operator commands over a station's live socket, through the admin API
(/api/admin/v1/stations/{identity}/...).

The request runs in a background thread while the test plays the station: it reads the
central system's CALL frame and answers it with exact JSON.
"""

import json
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.testclient import TestClient

from tests.admin.helpers import ADMIN, account
from tests.csms.conftest import Network, operator_headers
from tests.csms.helpers import FakeClock, Station, connected, receive_frame

HEARTBEAT = '[2,"hb","Heartbeat",{}]'
HEARTBEAT_ANSWER = [3, "hb", {"currentTime": "2025-03-03T23:00:00.000Z"}]


def command(
    background: ThreadPoolExecutor, client: TestClient, identity: str, name: str, body: Any
) -> "Future[httpx.Response]":
    path = f"{ADMIN}/stations/{identity}/{name}"
    return background.submit(client.post, path, json=body)


def answer(cp: Station, frame: list[Any], payload: Any) -> None:
    cp.ws.send_text(json.dumps([3, frame[1], payload]))


def node_of(client: TestClient) -> str:
    return str(client.app.state.central_system.router.node)  # type: ignore[attr-defined]


def test_remote_stop_is_called_on_the_socket_while_the_station_keeps_talking(
    operator: TestClient, network: Network, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    with connected(operator, network.identity, clock) as cp:
        pending = command(
            background, operator, network.identity, "remote-stop", {"transactionId": 42}
        )
        frame = receive_frame(cp.ws)
        assert frame == [2, frame[1], "RemoteStopTransaction", {"transactionId": 42}]
        assert isinstance(frame[1], str) and 0 < len(frame[1]) <= 36
        # The station's own messages are answered while the command waits for it.
        assert cp.send(HEARTBEAT) == HEARTBEAT_ANSWER
        answer(cp, frame, {"status": "Accepted"})
        response = pending.result(timeout=10)
        assert response.status_code == 200
        assert response.json() == {
            "station": network.identity,
            "action": "RemoteStopTransaction",
            "status": "Accepted",
            "node": node_of(operator),
            "answer": {"status": "Accepted"},
        }
        assert cp.send(HEARTBEAT) == HEARTBEAT_ANSWER


# (endpoint, body, the CALL's action and payload, the station's status)
COMMANDS: list[tuple[str, dict[str, Any], str, dict[str, Any], str]] = [
    ("unlock", {"connectorId": 2}, "UnlockConnector", {"connectorId": 2}, "Unlocked"),
    ("unlock", {"connectorId": 1}, "UnlockConnector", {"connectorId": 1}, "UnlockFailed"),
    ("reset", {}, "Reset", {"type": "Soft"}, "Accepted"),
    ("reset", {"type": "Hard"}, "Reset", {"type": "Hard"}, "Rejected"),
    (
        "trigger",
        {"requestedMessage": "StatusNotification", "connectorId": 1},
        "TriggerMessage",
        {"requestedMessage": "StatusNotification", "connectorId": 1},
        "Accepted",
    ),
    (
        "trigger",
        {"requestedMessage": "Heartbeat"},
        "TriggerMessage",
        {"requestedMessage": "Heartbeat"},
        "NotImplemented",
    ),
    (
        "availability",
        {"connectorId": 0, "type": "Inoperative"},
        "ChangeAvailability",
        {"connectorId": 0, "type": "Inoperative"},
        "Scheduled",
    ),
    (
        "remote-stop",
        {"transactionId": 7},
        "RemoteStopTransaction",
        {"transactionId": 7},
        "Rejected",
    ),
]


def test_every_command_sends_its_call_and_returns_the_station_answer(
    operator: TestClient, network: Network, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    with connected(operator, network.identity, clock) as cp:
        for name, body, action, payload, status in COMMANDS:
            pending = command(background, operator, network.identity, name, body)
            frame = receive_frame(cp.ws)
            assert frame == [2, frame[1], action, payload]
            answer(cp, frame, {"status": status})
            response = pending.result(timeout=10)
            assert response.status_code == 200, response.text
            assert response.json()["status"] == status
            assert response.json()["action"] == action


def test_a_call_error_from_the_station_is_a_502(
    operator: TestClient, network: Network, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    with connected(operator, network.identity, clock) as cp:
        pending = command(background, operator, network.identity, "reset", {"type": "Soft"})
        frame = receive_frame(cp.ws)
        cp.ws.send_text(json.dumps([4, frame[1], "NotSupported", "no resets here", {}]))
        response = pending.result(timeout=10)
        assert response.status_code == 502
        assert response.json() == {
            "error": {
                "code": "station_error",
                "message": f"charge station {network.identity} answered Reset with "
                "NotSupported: no resets here",
            }
        }
        # An answer that is not one (no status) is a station error too.
        pending = command(background, operator, network.identity, "unlock", {"connectorId": 1})
        frame = receive_frame(cp.ws)
        answer(cp, frame, {"state": "open"})
        assert pending.result(timeout=10).json()["error"]["code"] == "station_error"
        assert cp.send(HEARTBEAT) == HEARTBEAT_ANSWER


def test_a_station_that_does_not_answer_times_out_with_504_and_stays_connected(
    make_app: Callable[..., FastAPI],
    engine: Engine,
    network: Network,
    clock: FakeClock,
    background: ThreadPoolExecutor,
) -> None:
    app = make_app(ocpp_command_timeout_seconds="1")
    with TestClient(app) as client, connected(client, network.identity, clock) as cp:
        client.headers.update(operator_headers(engine))
        pending = command(background, client, network.identity, "unlock", {"connectorId": 1})
        frame = receive_frame(cp.ws)
        response = pending.result(timeout=10)
        assert response.status_code == 504
        assert response.json() == {
            "error": {
                "code": "station_timeout",
                "message": f"charge station {network.identity} did not answer UnlockConnector "
                "within 1 s",
            }
        }
        answer(cp, frame, {"status": "Unlocked"})  # too late: dropped
        assert cp.send(HEARTBEAT) == HEARTBEAT_ANSWER
        # The next command is not confused by the late answer.
        pending = command(background, client, network.identity, "reset", {"type": "Hard"})
        frame = receive_frame(cp.ws)
        assert frame[2:] == ["Reset", {"type": "Hard"}]
        answer(cp, frame, {"status": "Accepted"})
        assert pending.result(timeout=10).json()["status"] == "Accepted"


def test_a_station_that_disconnects_before_answering_is_a_502(
    operator: TestClient, network: Network, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    with connected(operator, network.identity, clock) as cp:
        pending = command(background, operator, network.identity, "reset", {"type": "Soft"})
        receive_frame(cp.ws)
    response = pending.result(timeout=10)
    assert response.status_code == 502
    assert response.json()["error"] == {
        "code": "station_disconnected",
        "message": f"charge station {network.identity} disconnected before answering Reset",
    }


def test_commands_to_a_station_that_is_not_connected_are_404(
    operator: TestClient, network: Network
) -> None:
    for identity in (network.identity, "NO-SUCH-STATION"):
        response = operator.post(f"{ADMIN}/stations/{identity}/unlock", json={"connectorId": 1})
        assert response.status_code == 404
        assert response.json() == {
            "error": {
                "code": "station_not_connected",
                "message": f"charge station {identity!r} is not connected",
            }
        }


BAD_BODIES: list[tuple[str, Any, str]] = [
    ("remote-stop", {}, "transactionId"),
    ("remote-stop", {"transactionId": "7"}, "transactionId"),
    ("remote-stop", {"transactionId": 2**31}, "transactionId"),
    ("remote-stop", {"transactionId": 7, "reason": "x"}, "reason"),
    ("unlock", {"connectorId": 0}, "connectorId"),
    ("reset", {"type": "Warm"}, "type"),
    ("trigger", {"requestedMessage": "StartTransaction"}, "requestedMessage"),
    ("availability", {"connectorId": 1}, "type"),
]


def test_bad_command_bodies_are_400_naming_the_field(
    operator: TestClient, network: Network
) -> None:
    for name, body, parameter in BAD_BODIES:
        path = f"{ADMIN}/stations/{network.identity}/{name}"
        response = operator.post(path, json=body)
        assert response.status_code == 400, (name, body)
        error = response.json()["error"]
        assert (error["code"], error["field"]) == ("invalid_field", parameter)


def test_every_call_needs_an_admin_token_whose_role_may_command(
    make_app: Callable[..., FastAPI], engine: Engine
) -> None:
    with TestClient(make_app()) as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            for response in (
                client.get(f"{ADMIN}/stations/connected", headers=headers),
                client.post(f"{ADMIN}/stations/CP/reset", json={}, headers=headers),
            ):
                assert response.status_code == 401
                assert response.headers["WWW-Authenticate"] == "Bearer"
                assert response.json()["error"]["code"] == "unauthorized"
        billing = account(engine, "billing").headers
        refused = client.post(f"{ADMIN}/stations/CP/reset", json={}, headers=billing)
        assert refused.status_code == 403
        assert client.get(f"{ADMIN}/stations/connected", headers=billing).json() == {"data": []}
        admin = account(engine, "admin").headers
        missing = client.post(f"{ADMIN}/stations/CP/reset", json={}, headers=admin)
        assert missing.json()["error"]["code"] == "station_not_connected"
        assert client.get("/operator/stations", headers=admin).status_code == 404


def test_station_commands_are_not_in_the_fleets_api_document(operator: TestClient) -> None:
    document = operator.get("/api/fleets/v1/openapi.json").json()
    assert not [path for path in document["paths"] if "stations/{identity}" in path]
