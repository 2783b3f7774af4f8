"""The WebSocket endpoint: who may connect, one live connection per station, and frames
that must get the right CallError while the connection stays open."""

import base64
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient, WebSocketDenialResponse

from fleetcharge.csms import sessions
from fleetcharge.csms.transport import basic_credentials
from fleetcharge.db import unit_of_work
from fleetcharge.models import OcppMeterValue, OcppTransaction, Station
from fleetcharge.network.password_hashing import hash_password
from tests.csms.conftest import NOW, Network
from tests.csms.helpers import FakeClock, connected, iso, login, receive_frame

HEARTBEAT = '[2,"hb","Heartbeat",{}]'
NEW = "a-new-station-password"
HEARTBEAT_ANSWER = [3, "hb", {"currentTime": "2025-03-03T23:00:00.000Z"}]


def refused(client: TestClient, path: str, **kwargs: object) -> WebSocketDenialResponse:
    with (
        pytest.raises(WebSocketDenialResponse) as refusal,
        client.websocket_connect(path, **kwargs),  # type: ignore[arg-type]
    ):
        pass
    return refusal.value


def test_a_handshake_without_the_ocpp16_subprotocol_is_refused(
    client: TestClient, network: Network
) -> None:
    path = f"/ocpp/{network.identity}"
    # A dict each: the test client adds the handshake's own headers to the one it is given.
    assert refused(client, path, headers=login(network.identity)).status_code == 400
    other = ["ocpp2.0.1"]
    assert (
        refused(client, path, subprotocols=other, headers=login(network.identity)).status_code
        == 400
    )
    with client.websocket_connect(
        path, subprotocols=["ocpp2.0.1", "ocpp1.6"], headers=login(network.identity)
    ) as ws:
        assert ws.accepted_subprotocol == "ocpp1.6"


@pytest.mark.parametrize("generated", [False, True], ids=["chosen", "generated"])
def test_a_station_needs_basic_auth_with_its_password(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock, generated: bool
) -> None:
    with unit_of_work(engine) as db:
        station = db.get(Station, network.station_id)
        assert station is not None
        station.password_hash = hash_password("s3cret-Passw0rd", generated=generated)
    path = f"/ocpp/{network.identity}"
    for headers in (
        {},
        login(network.identity, "wrong"),
        login("someone-else", "s3cret-Passw0rd"),
        {"Authorization": "Basic !!not-base64!!"},
        {"Authorization": "Bearer s3cret-Passw0rd"},
    ):
        refusal = refused(client, path, subprotocols=["ocpp1.6"], headers=headers)
        assert refusal.status_code == 401
        assert refusal.headers["www-authenticate"] == 'Basic realm="OCPP"'
    with connected(client, network.identity, clock, password="s3cret-Passw0rd") as cp:
        assert cp.send(HEARTBEAT) == HEARTBEAT_ANSWER


def test_unknown_stations_are_refused_unless_auto_registration_is_on(
    make_app: Callable[..., FastAPI], engine: Engine, network: Network, clock: FakeClock
) -> None:
    with TestClient(make_app()) as client:
        assert refused(client, "/ocpp/NEW-CP-1", subprotocols=["ocpp1.6"]).status_code == 404
        too_long = "/ocpp/" + "X" * 65
        assert refused(client, too_long, subprotocols=["ocpp1.6"]).status_code == 400
    auto = make_app(ocpp_auto_register_location=network.location_uuid)
    with TestClient(auto) as client, connected(client, "NEW-CP-1", clock, password=NEW) as cp:
        boot = {
            "chargePointVendor": "Acme",
            "chargePointModel": "DC50",
            "firmwareVersion": "1.2",
        }
        # Pending until an operator approves it (tests/csms/test_pending_stations.py).
        assert cp.result("BootNotification", boot)["status"] == "Pending"
        assert cp.status("Available", NOW, connector=2) == {}
    with unit_of_work(engine) as db:
        station = db.scalar(select(Station).where(Station.ocpp_identity == "NEW-CP-1"))
        assert station is not None
        assert (station.evse_id, station.vendor, station.model, station.firmware_version) == (
            "NEW-CP-1",
            "Acme",
            "DC50",
            "1.2",
        )
        assert str(station.location.uuid) == network.location_uuid
        assert [c.connector_id for c in station.connectors] == [2]
    with TestClient(
        make_app(ocpp_auto_register_location="5f0c7a57-0000-4000-8000-000000000000")
    ) as client:
        new = refused(client, "/ocpp/NEW-CP-2", subprotocols=["ocpp1.6"], headers=login("NEW-CP-2"))
        assert new.status_code == 503


def test_a_second_connection_for_a_station_wins_and_the_first_is_closed(
    client: TestClient, network: Network, clock: FakeClock
) -> None:
    registry = client.app.state.central_system.registry  # type: ignore[attr-defined]
    with connected(client, network.identity, clock) as old:
        assert old.send(HEARTBEAT) == HEARTBEAT_ANSWER
        first = registry.get(network.identity)
        with connected(client, network.identity, clock) as new:
            closed = receive_frame(old.ws)
            assert closed == {
                "type": "websocket.close",
                "code": 1000,
                "reason": "replaced by a new connection",
            }
            assert new.send(HEARTBEAT) == HEARTBEAT_ANSWER
            assert registry.get(network.identity) is not first
            assert len(registry) == 1
        # The old socket's late goodbye must not unregister the new connection.
    assert len(registry) == 0


# (frame, [unique id, CallError code]) as the ocpp library validates OCPP 1.6 JSON schemas.
BAD_FRAMES: list[tuple[str, list[str]]] = [
    ("this is not json", ["-1", "FormatViolation"]),
    ('[2,"m1","Heartbeat",{}', ["m1", "FormatViolation"]),
    ('{"a": 1}', ["-1", "ProtocolError"]),
    ('[2,"m2"]', ["m2", "ProtocolError"]),
    ('[7,"m3","Heartbeat",{}]', ["-1", "PropertyConstraintViolation"]),
    ('[2,"m4","FlyToTheMoon",{}]', ["m4", "NotImplemented"]),
    ('[2,"m5","Reset",{"type":"Hard"}]', ["m5", "NotSupported"]),
    ('[2,"m6",42,{}]', ["m6", "ProtocolError"]),
    ('[2,"m7","BootNotification",{"chargePointVendor":"Acme"}]', ["m7", "ProtocolError"]),
    ('[2,"m8","Authorize",{"idTag":7}]', ["m8", "TypeConstraintViolation"]),
    ('[2,"m9","Heartbeat",[]]', ["m9", "TypeConstraintViolation"]),
    ('[2,"m10","Authorize",{"idTag":"A","colour":"red"}]', ["m10", "FormatViolation"]),
    (
        '[2,"m11","Authorize",{"idTag":"AAAAAAAAAAAAAAAAAAAAA"}]',
        ["m11", "TypeConstraintViolation"],
    ),
    (
        '[2,"m12","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Asleep"}]',
        ["m12", "FormatViolation"],
    ),
    (
        '[2,"m13","StartTransaction",{"connectorId":1,"idTag":"A","meterStart":0,"timestamp":"yesterday"}]',
        ["m13", "FormatViolation"],
    ),
    (
        '[2,"m15","StatusNotification",{"connectorId":10000000000,"errorCode":"NoError","status":"Available"}]',
        ["m15", "PropertyConstraintViolation"],
    ),
    (
        '[2,"m14","StartTransaction",{"connectorId":0,"idTag":"A","meterStart":0,"timestamp":"2025-01-01T00:00:00Z"}]',
        ["m14", "PropertyConstraintViolation"],
    ),
    ('[2,"m16","Heartbeat",' + "[" * 100_000 + "]" * 100_000 + "]", ["m16", "FormatViolation"]),
    ('[2,"m17","Heartbeat",{"a":' + "[" * 900 + "]" * 900 + "}]", ["m17", "FormatViolation"]),
    (
        '[2,"m18","DataTransfer",{"vendorId":"V","data":' + "[" * 900 + "]" * 900 + "}]",
        ["m18", "TypeConstraintViolation"],
    ),
]


def test_bad_frames_get_the_right_call_error_and_the_connection_stays_open(
    client: TestClient, network: Network, clock: FakeClock
) -> None:
    with connected(client, network.identity, clock) as cp:
        for frame, answer in BAD_FRAMES:
            error = cp.send(frame)
            assert [error[0], *error[1:3]] == [4, *answer], (frame, error)
            assert isinstance(error[3], str) and isinstance(error[4], dict)
            assert len(str(error)) < 500  # the frame is not echoed back
            assert cp.send(HEARTBEAT) == HEARTBEAT_ANSWER, frame
        # A response to a request we never made is dropped without an answer.
        cp.ws.send_text('[3,"never-asked",{}]')
        assert cp.send(HEARTBEAT) == HEARTBEAT_ANSWER


def test_a_failure_while_handling_rolls_the_message_back_and_answers_internal_error(
    client: TestClient,
    engine: Engine,
    network: Network,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object) -> set[str]:
        raise RuntimeError("the pricing broke")

    with connected(client, network.identity, clock) as cp:
        tx_id = cp.start(network.id_tag, 0, NOW)["transactionId"]
        stop = {
            "transactionId": tx_id,
            "meterStop": 4000,
            "timestamp": iso(NOW),
            "transactionData": [{"timestamp": iso(NOW), "sampledValue": [{"value": "4000"}]}],
        }
        with monkeypatch.context() as patch:
            patch.setattr(sessions, "record_transaction_session", broken)
            error = cp.call("StopTransaction", stop)
        assert error[0] == 4 and error[2] == "InternalError"
        with unit_of_work(engine) as db:
            tx = db.get(OcppTransaction, tx_id)
            assert tx is not None and tx.state == "open" and tx.meter_stop_wh is None
            assert db.scalar(select(func.count()).select_from(OcppMeterValue)) == 0
        # The station retries and this time it works.
        assert cp.call("StopTransaction", stop)[0] == 3
    with unit_of_work(engine) as db:
        tx = db.get(OcppTransaction, tx_id)
        assert tx is not None and tx.state == "stopped" and tx.session_id is not None


def test_basic_credentials_are_parsed() -> None:
    def header(text: str) -> str:
        return "Basic " + base64.b64encode(text.encode()).decode()

    assert basic_credentials(header("CP1:pa:ss")) == ("CP1", "pa:ss")
    assert basic_credentials(header("CP1:")) == ("CP1", "")
    assert basic_credentials(header("no-colon")) is None
    assert basic_credentials("Basic %%%") is None
    assert basic_credentials("Bearer abc") is None
    assert basic_credentials(None) is None
