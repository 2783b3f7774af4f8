"""Stations' configuration keys through the admin API: read from the station
(GetConfiguration) and stored, changed on it (ChangeConfiguration) with the type checked
first, RebootRequired shown until the station boots again. Exact frames both ways."""

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from fleetcharge.configuration.repository import stored_value
from fleetcharge.db import unit_of_work
from fleetcharge.models import AuditEvent
from tests.admin.helpers import ADMIN, account
from tests.csms.conftest import NOW, Network
from tests.csms.helpers import FakeClock, connected, eventually, receive_frame
from tests.csms.test_operator_commands import (
    HEARTBEAT,
    HEARTBEAT_ANSWER,
    answer,
    command,
    node_of,
)

REPORT = {
    "configurationKey": [
        {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
        {"key": "NumberOfConnectors", "readonly": True, "value": "2"},
        {"key": "VendorLedColour", "readonly": False, "value": "green"},
        {"key": "AuthorizationKey", "readonly": False, "value": "6162636465666768696a6b6c6d6e6f70"},
        {"key": "LocalAuthListMaxLength", "readonly": True},
    ],
    "unknownKey": ["NoSuchKey"],
}


def key(
    name: str,
    value: str | None,
    readonly: bool | None,
    standard: dict[str, Any] | None,
    *,
    known: bool = True,
    write_only: bool = False,
    reboot_required: bool = False,
) -> dict[str, Any]:
    return {
        "key": name,
        "value": value,
        "readonly": readonly,
        "known": known,
        "write_only": write_only,
        "standard": standard,
        "reported_at": NOW.isoformat(),
        "reboot_required": reboot_required,
    }


SECONDS = {"type": "integer", "unit": "seconds", "profile": "Core"}
STORED = [
    key(
        "AuthorizationKey",
        None,
        False,
        {"type": "string", "unit": None, "profile": "Security"},
        write_only=True,
    ),
    key("HeartbeatInterval", "300", False, SECONDS),
    key(
        "LocalAuthListMaxLength",
        None,
        True,
        {"type": "integer", "unit": None, "profile": "LocalAuthListManagement"},
    ),
    key("NumberOfConnectors", "2", True, {"type": "integer", "unit": None, "profile": "Core"}),
    key("VendorLedColour", "green", False, None),
    key("NoSuchKey", None, None, None, known=False),
]


def test_refresh_asks_the_station_and_stores_every_key_it_reported(
    operator: TestClient,
    network: Network,
    clock: FakeClock,
    background: ThreadPoolExecutor,
    engine: Engine,
) -> None:
    path = f"{ADMIN}/stations/{network.identity}/configuration"
    assert operator.get(path).json() == {"data": []}
    with connected(operator, network.identity, clock) as cp:
        pending = background.submit(operator.get, path, params={"refresh": "true"})
        frame = receive_frame(cp.ws)
        assert frame == [2, frame[1], "GetConfiguration", {}]
        answer(cp, frame, REPORT)
        response = pending.result(timeout=10)
        assert response.status_code == 200, response.text
        assert response.json() == {"data": STORED}
    # Stored: shown without the station (connected or not), the secret never kept.
    assert operator.get(path).json() == {"data": STORED}
    with unit_of_work(engine) as db:
        assert stored_value(db, network.station_id, "HeartbeatInterval") == "300"
        assert stored_value(db, network.station_id, "AuthorizationKey") is None
        assert stored_value(db, network.station_id, "NoSuchKey") is None
        assert stored_value(db, network.station_id, "Missing") is None


def test_reading_some_keys_updates_those_and_keeps_the_rest(
    operator: TestClient, network: Network, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    with connected(operator, network.identity, clock) as cp:
        pending = background.submit(
            operator.get, f"{ADMIN}/stations/{network.identity}/configuration?refresh=true"
        )
        answer(cp, receive_frame(cp.ws), REPORT)
        assert pending.result(timeout=10).status_code == 200
        pending = command(
            background,
            operator,
            network.identity,
            "configuration/read",
            {"keys": ["HeartbeatInterval", "Gone"]},
        )
        frame = receive_frame(cp.ws)
        assert frame == [2, frame[1], "GetConfiguration", {"key": ["HeartbeatInterval", "Gone"]}]
        answer(
            cp,
            frame,
            {
                "configurationKey": [
                    {"key": "HeartbeatInterval", "readonly": False, "value": "60"}
                ],
                "unknownKey": ["Gone"],
            },
        )
        data = pending.result(timeout=10).json()["data"]
    assert [(k["key"], k["value"], k["known"]) for k in data] == [
        ("AuthorizationKey", None, True),
        ("HeartbeatInterval", "60", True),
        ("LocalAuthListMaxLength", None, True),
        ("NumberOfConnectors", "2", True),
        ("VendorLedColour", "green", True),
        ("Gone", None, False),
        ("NoSuchKey", None, False),
    ]


def change(
    operator: TestClient,
    background: ThreadPoolExecutor,
    cp: Any,
    identity: str,
    body: dict[str, str],
    sent: dict[str, str],
    reply: dict[str, Any],
) -> Any:
    pending = command(background, operator, identity, "configuration", body)
    frame = receive_frame(cp.ws)
    assert frame == [2, frame[1], "ChangeConfiguration", sent]
    answer(cp, frame, reply)
    response = pending.result(timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_changes_are_stored_when_accepted_and_reboot_required_until_the_next_boot(
    operator: TestClient,
    network: Network,
    clock: FakeClock,
    background: ThreadPoolExecutor,
    engine: Engine,
) -> None:
    identity = network.identity
    with connected(operator, identity, clock) as cp:
        accepted = change(
            operator,
            background,
            cp,
            identity,
            {"key": "HeartbeatInterval", "value": "120"},
            {"key": "HeartbeatInterval", "value": "120"},
            {"status": "Accepted"},
        )
        assert accepted == {
            "station": identity,
            "action": "ChangeConfiguration",
            "status": "Accepted",
            "node": node_of(operator),
            "answer": {"status": "Accepted"},
            "key": key("HeartbeatInterval", "120", False, SECONDS),
        }
        reboot = change(
            operator,
            background,
            cp,
            identity,
            {"key": "WebSocketPingInterval", "value": "30"},
            {"key": "WebSocketPingInterval", "value": "30"},
            {"status": "RebootRequired"},
        )
        assert reboot["status"] == "RebootRequired"
        assert reboot["key"]["value"] == "30"
        assert reboot["key"]["reboot_required"] is True
        for status in ("Rejected", "NotSupported"):
            refused = change(
                operator,
                background,
                cp,
                identity,
                {"key": "HeartbeatInterval", "value": "45"},
                {"key": "HeartbeatInterval", "value": "45"},
                {"status": status},
            )
            assert refused["status"] == status
            assert refused["key"]["value"] == "120"  # unchanged
        refused = change(
            operator,
            background,
            cp,
            identity,
            {"key": "VendorThing", "value": "x"},
            {"key": "VendorThing", "value": "x"},
            {"status": "NotSupported"},
        )
        assert refused["key"] is None
        path = f"{ADMIN}/stations/{identity}/configuration"
        shown = {k["key"]: k for k in operator.get(path).json()["data"]}
        assert shown["WebSocketPingInterval"]["reboot_required"] is True
        assert "VendorThing" not in shown
        # The station reboots: its BootNotification ends the wait.
        clock.advance(minutes=1)
        boot = {"chargePointVendor": "V", "chargePointModel": "M"}
        assert cp.result("BootNotification", boot)["status"] == "Accepted"
        shown = {k["key"]: k for k in operator.get(path).json()["data"]}
        assert shown["WebSocketPingInterval"]["reboot_required"] is False
        # A secret is sent, never stored nor audited in clear.
        secret = "00112233445566778899aabbccddeeff"
        written = change(
            operator,
            background,
            cp,
            identity,
            {"key": "AuthorizationKey", "value": secret},
            {"key": "AuthorizationKey", "value": secret},
            {"status": "Accepted"},
        )
        assert written["key"]["value"] is None and written["key"]["write_only"] is True
    with unit_of_work(engine) as db:
        events = db.scalars(
            select(AuditEvent).where(AuditEvent.action == "configure").order_by(AuditEvent.id)
        ).all()
        assert events[0].after == {
            "key": "HeartbeatInterval",
            "value": "120",
            "status": "Accepted",
        }
        assert secret not in str([(e.before, e.after) for e in events])
        assert events[-1].after == {
            "key": "AuthorizationKey",
            "value": "********",
            "status": "Accepted",
        }


BAD_CHANGES: list[tuple[dict[str, Any], str, str]] = [
    ({"key": "HeartbeatInterval", "value": "soon"}, "value", "HeartbeatInterval is an integer"),
    ({"key": "HeartbeatInterval", "value": "-5"}, "value", "at least 0"),
    ({"key": "AuthorizeRemoteTxRequests", "value": "yes"}, "value", "boolean"),
    ({"key": "MeterValuesSampledData", "value": "Energy,Power"}, "value", "cannot hold"),
    ({"key": "SecurityProfile", "value": "4"}, "value", "at most 3"),
    ({"key": "AuthorizationKey", "value": "short"}, "value", "at least 32"),
    ({"key": "NumberOfConnectors", "value": "4"}, "key", "read-only"),
    ({"key": "SupportedFeatureProfiles", "value": "Core"}, "key", "read-only"),
    ({"key": "", "value": "x"}, "key", ""),
    ({"key": "K" * 51, "value": "x"}, "key", ""),
    ({"key": "Vendor", "value": "x" * 501}, "value", ""),
    ({"key": "Vendor"}, "value", ""),
    ({"key": "Vendor\u0000", "value": "x"}, "key", ""),
    ({"key": "Vendor", "value": "x\u0000"}, "value", ""),
    ({"key": "Vendor", "value": "x", "extra": 1}, "extra", ""),
]


def test_bad_changes_are_refused_before_sending_naming_the_field(
    operator: TestClient, network: Network, clock: FakeClock
) -> None:
    with connected(operator, network.identity, clock) as cp:
        for body, field, message in BAD_CHANGES:
            path = f"{ADMIN}/stations/{network.identity}/configuration"
            response = operator.post(path, json=body)
            assert response.status_code == 400, (body, response.text)
            error = response.json()["error"]
            assert error["field"] == field, body
            assert message in error["message"], error
        # Nothing was sent: the next frame the station sees answers its own call.
        assert cp.result("Heartbeat", {}) == {"currentTime": "2025-03-03T23:00:00.000Z"}


def test_station_errors_and_unknown_stations(
    operator: TestClient, network: Network, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    path = f"{ADMIN}/stations/NOPE/configuration"
    missing = operator.get(path)
    assert missing.status_code == 404
    assert missing.json()["error"]["parameter"] == "identity"
    offline = operator.get(f"{ADMIN}/stations/{network.identity}/configuration?refresh=true")
    assert offline.json()["error"]["code"] == "station_not_connected"
    with connected(operator, network.identity, clock) as cp:
        pending = command(
            background, operator, network.identity, "configuration", {"key": "A", "value": "b"}
        )
        frame = receive_frame(cp.ws)
        cp.ws.send_text(f'[4,"{frame[1]}","InternalError","broken",{{}}]')
        failed = pending.result(timeout=10)
        assert failed.status_code == 502
        assert failed.json()["error"]["code"] == "station_error"


def test_reading_needs_read_and_changing_needs_command(
    operator: TestClient, network: Network, engine: Engine
) -> None:
    billing = account(engine, "billing").headers
    path = f"{ADMIN}/stations/{network.identity}/configuration"
    assert operator.get(path, headers=billing).status_code == 200
    assert operator.get(f"{path}?refresh=true", headers=billing).status_code == 403
    body = {"key": "HeartbeatInterval", "value": "1"}
    assert operator.post(path, json=body, headers=billing).status_code == 403
    assert operator.post(f"{path}/read", json={}, headers=billing).status_code == 403
    assert operator.get(path, headers={"Authorization": "Bearer x"}).status_code == 401


def test_with_the_setting_the_configuration_is_read_after_each_boot(
    make_app: Any, engine: Engine, network: Network, clock: FakeClock
) -> None:
    app = make_app(ocpp_read_configuration_on_boot="true")
    boot = {"chargePointVendor": "V", "chargePointModel": "M"}
    with TestClient(app) as client, connected(client, network.identity, clock) as cp:
        assert cp.result("BootNotification", boot)["status"] == "Accepted"
        frame = receive_frame(cp.ws)
        assert frame == [2, frame[1], "GetConfiguration", {}]
        answer(cp, frame, REPORT)

        def stored() -> str | None:
            with unit_of_work(engine) as db:
                return stored_value(db, network.station_id, "HeartbeatInterval")

        assert eventually(stored) == "300"
        # A station answering with a CallError keeps its connection and the stored keys.
        assert cp.result("BootNotification", boot)["status"] == "Accepted"
        frame = receive_frame(cp.ws)
        assert frame[2] == "GetConfiguration"
        cp.ws.send_text(json.dumps([4, frame[1], "InternalError", "busy", {}]))
        assert cp.send(HEARTBEAT) == HEARTBEAT_ANSWER
        assert stored() == "300"
