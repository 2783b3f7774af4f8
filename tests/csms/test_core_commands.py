"""RemoteStartTransaction, ClearCache, DataTransfer (both ways) and every TriggerMessage, as
exact frames between the admin API's request and a scripted station."""

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, update
from starlette.testclient import TestClient

from fleetcharge.data_transfer.registry import (
    DataTransferReply,
    DataTransferRequest,
    Vendor,
    vendors,
)
from fleetcharge.db import unit_of_work
from fleetcharge.models import Card, Connector
from fleetcharge.models.vehicle import CardStatus
from tests import factories as f
from tests.admin.helpers import ADMIN
from tests.csms.conftest import NOW, Network, operator_headers
from tests.csms.helpers import FakeClock, connected, receive_frame
from tests.csms.test_operator_commands import HEARTBEAT, HEARTBEAT_ANSWER, answer, command

PROFILE: dict[str, Any] = {
    "chargingProfileId": 7,
    "stackLevel": 0,
    "chargingProfilePurpose": "TxProfile",
    "chargingProfileKind": "Absolute",
    "chargingSchedule": {
        "startSchedule": "2025-03-03T23:00:00Z",
        "duration": 3600,
        "chargingRateUnit": "A",
        "chargingSchedulePeriod": [
            {"startPeriod": 0, "limit": 16.0},
            {"startPeriod": 1800, "limit": 8.5, "numberPhases": 1},
        ],
        "minChargingRate": 6.0,
    },
}


def sent_and_answered(
    background: ThreadPoolExecutor,
    operator: TestClient,
    cp: Any,
    identity: str,
    name: str,
    body: Any,
    expected: list[Any],
    reply: dict[str, Any],
) -> Any:
    pending = command(background, operator, identity, name, body)
    frame = receive_frame(cp.ws)
    assert frame == [2, frame[1], *expected]
    answer(cp, frame, reply)
    response = pending.result(timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_remote_start_sends_the_card_connector_and_profile_then_the_start_arrives(
    operator: TestClient, network: Network, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    identity = network.identity
    with connected(operator, identity, clock) as cp:
        done = sent_and_answered(
            background,
            operator,
            cp,
            identity,
            "remote-start",
            {"idTag": network.id_tag, "connectorId": 1, "chargingProfile": PROFILE},
            [
                "RemoteStartTransaction",
                {"idTag": network.id_tag, "connectorId": 1, "chargingProfile": PROFILE},
            ],
            {"status": "Accepted"},
        )
        assert (done["action"], done["status"]) == ("RemoteStartTransaction", "Accepted")
        started = cp.start(network.id_tag, 1000, NOW)
        assert started["idTagInfo"] == {"status": "Accepted"}
        refused = sent_and_answered(
            background,
            operator,
            cp,
            identity,
            "remote-start",
            {"idTag": network.id_tag},
            ["RemoteStartTransaction", {"idTag": network.id_tag}],
            {"status": "Rejected"},
        )
        assert refused["status"] == "Rejected"
        assert refused["answer"] == {"status": "Rejected"}


@pytest.fixture
def refused_cards(engine: Engine, network: Network) -> dict[str, str]:
    with unit_of_work(engine) as db:
        fleet = f.fleet(db, f.organisation(db))
        blocked, expired = f.vehicle(db, fleet, id_tags=("BLOCKED1", "EXPIRED1")).cards
        db.execute(update(Card).where(Card.id == blocked.id).values(status=CardStatus.BLOCKED))
        at = NOW - timedelta(days=1)
        db.execute(update(Card).where(Card.id == expired.id).values(expires_at=at))
    return {"blocked": "BLOCKED1", "expired": "EXPIRED1"}


def bad_profile(**changes: Any) -> dict[str, Any]:
    profile = json.loads(json.dumps(PROFILE))
    schedule = changes.pop("schedule", {})
    profile.update(changes)
    profile["chargingSchedule"].update(schedule)
    return {key: value for key, value in profile.items() if value is not None}


def periods(*items: dict[str, Any]) -> dict[str, Any]:
    return {"chargingSchedulePeriod": list(items)}


PROFILE_ERRORS: list[tuple[dict[str, Any], str]] = [
    (bad_profile(chargingProfilePurpose="TxDefaultProfile"), "chargingProfilePurpose"),
    (bad_profile(transactionId=5), "transactionId"),
    (bad_profile(stackLevel=-1), "stackLevel"),
    (bad_profile(chargingProfileKind="Sometimes"), "chargingProfileKind"),
    (bad_profile(chargingProfileKind="Recurring"), "recurrencyKind"),
    (bad_profile(recurrencyKind="Daily"), "recurrencyKind"),
    (bad_profile(chargingProfileKind="Relative"), "chargingSchedule"),
    (bad_profile(schedule={"startSchedule": None}), "chargingSchedule"),
    (
        bad_profile(validFrom="2025-03-04T00:00:00Z", validTo="2025-03-03T00:00:00Z"),
        "validTo",
    ),
    (bad_profile(validFrom="2025-03-04T00:00:00"), "validFrom"),
    (bad_profile(schedule={"chargingRateUnit": "kW"}), "chargingSchedule.chargingRateUnit"),
    (bad_profile(schedule={"duration": 0}), "chargingSchedule.duration"),
    (bad_profile(schedule={"duration": 1800}), "chargingSchedule"),
    (bad_profile(schedule={"minChargingRate": 6.25}), "chargingSchedule.minChargingRate"),
    (bad_profile(schedule=periods()), "chargingSchedule.chargingSchedulePeriod"),
    (
        bad_profile(schedule=periods({"startPeriod": 60, "limit": 16})),
        "chargingSchedule.chargingSchedulePeriod",
    ),
    (
        bad_profile(
            schedule=periods({"startPeriod": 0, "limit": 16}, {"startPeriod": 0, "limit": 8})
        ),
        "chargingSchedule.chargingSchedulePeriod",
    ),
    (
        bad_profile(schedule=periods({"startPeriod": 0, "limit": -1})),
        "chargingSchedule.chargingSchedulePeriod[0].limit",
    ),
    (
        bad_profile(schedule=periods({"startPeriod": 0, "limit": 16.05})),
        "chargingSchedule.chargingSchedulePeriod[0].limit",
    ),
    (
        bad_profile(schedule=periods({"startPeriod": 0, "limit": 16, "numberPhases": 4})),
        "chargingSchedule.chargingSchedulePeriod[0].numberPhases",
    ),
    (
        bad_profile(schedule=periods({"startPeriod": 0, "limit": "16"})),
        "chargingSchedule.chargingSchedulePeriod[0].limit",
    ),
    (
        bad_profile(schedule=periods({"startPeriod": 0, "limit": 16, "phases": 1})),
        "chargingSchedule.chargingSchedulePeriod[0].phases",
    ),
]


def test_remote_start_refuses_before_sending_what_cannot_start(
    operator: TestClient,
    network: Network,
    clock: FakeClock,
    refused_cards: dict[str, str],
    engine: Engine,
) -> None:
    path = f"{ADMIN}/stations/{network.identity}/remote-start"
    with connected(operator, network.identity, clock) as cp:
        cases: list[tuple[dict[str, Any], str, str]] = [
            ({"idTag": "NOBODY"}, "idTag", "the card 'NOBODY' is unknown"),
            ({"idTag": "BLOCKED1"}, "idTag", "the card 'BLOCKED1' is blocked"),
            ({"idTag": "EXPIRED1"}, "idTag", "the card 'EXPIRED1' has expired"),
            (
                {"idTag": network.id_tag, "connectorId": 2},
                "connectorId",
                f"charge station {network.identity} has no connector 2 (it has 1)",
            ),
            ({"idTag": network.id_tag, "connectorId": 0}, "connectorId", ""),
            ({"idTag": "X" * 21}, "idTag", ""),
            ({"idTag": "TAG\u0000"}, "idTag", ""),
            ({}, "idTag", ""),
            ({"idTag": network.id_tag, "reservationId": 1}, "reservationId", ""),
        ]
        cases += [
            ({"idTag": network.id_tag, "chargingProfile": profile}, f"chargingProfile.{at}", "")
            for profile, at in PROFILE_ERRORS
        ]
        for body, field, message in cases:
            response = operator.post(path, json=body)
            assert response.status_code == 400, (body, response.text)
            error = response.json()["error"]
            assert error["field"] == field, (body, error)
            assert message in error["message"]
        assert cp.send(HEARTBEAT) == HEARTBEAT_ANSWER  # nothing was sent meanwhile


def test_remote_start_to_a_connector_the_station_has_is_sent(
    operator: TestClient,
    network: Network,
    clock: FakeClock,
    background: ThreadPoolExecutor,
    engine: Engine,
) -> None:
    with unit_of_work(engine) as db:
        db.execute(
            update(Connector).where(Connector.id == network.connector_id).values(connector_id=3)
        )
    with connected(operator, network.identity, clock) as cp:
        body = {"idTag": network.id_tag, "connectorId": 3}
        done = sent_and_answered(
            background,
            operator,
            cp,
            network.identity,
            "remote-start",
            body,
            ["RemoteStartTransaction", body],
            {"status": "Accepted"},
        )
        assert done["status"] == "Accepted"


def test_clear_cache_and_data_transfer_to_the_station(
    operator: TestClient, network: Network, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    identity = network.identity
    with connected(operator, identity, clock) as cp:
        for status in ("Accepted", "Rejected"):
            cleared = sent_and_answered(
                background,
                operator,
                cp,
                identity,
                "clear-cache",
                None,
                ["ClearCache", {}],
                {"status": status},
            )
            assert (cleared["action"], cleared["status"]) == ("ClearCache", status)
        body = {"vendorId": "com.acme", "messageId": "GetLed", "data": '{"led": 1}'}
        transferred = sent_and_answered(
            background,
            operator,
            cp,
            identity,
            "data-transfer",
            body,
            ["DataTransfer", body],
            {"status": "Accepted", "data": "green"},
        )
        assert transferred["answer"] == {"status": "Accepted", "data": "green"}
        for status in ("UnknownVendorId", "UnknownMessageId", "Rejected"):
            refused = sent_and_answered(
                background,
                operator,
                cp,
                identity,
                "data-transfer",
                {"vendorId": "com.acme"},
                ["DataTransfer", {"vendorId": "com.acme"}],
                {"status": status},
            )
            assert refused["status"] == status
        for bad, field in (
            ({}, "vendorId"),
            ({"vendorId": ""}, "vendorId"),
            ({"vendorId": "v", "messageId": "m" * 51}, "messageId"),
            ({"vendorId": "v", "data": {"a": 1}}, "data"),
        ):
            response = operator.post(f"{ADMIN}/stations/{identity}/data-transfer", json=bad)
            assert response.status_code == 400
            assert response.json()["error"]["field"] == field


TRIGGERS = [
    "BootNotification",
    "DiagnosticsStatusNotification",
    "FirmwareStatusNotification",
    "Heartbeat",
    "MeterValues",
    "StatusNotification",
]


def test_every_trigger_message_is_sent_and_the_triggered_message_answered(
    operator: TestClient, network: Network, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    triggered: dict[str, Any] = {
        "BootNotification": {"chargePointVendor": "V", "chargePointModel": "M"},
        "DiagnosticsStatusNotification": {"status": "Idle"},
        "FirmwareStatusNotification": {"status": "Idle"},
        "Heartbeat": {},
        "MeterValues": {
            "connectorId": 1,
            "meterValue": [
                {
                    "timestamp": "2025-03-03T23:00:00Z",
                    "sampledValue": [{"value": "1000", "context": "Trigger"}],
                }
            ],
        },
        "StatusNotification": {"connectorId": 1, "errorCode": "NoError", "status": "Available"},
    }
    with connected(operator, network.identity, clock) as cp:
        for message in TRIGGERS:
            body = {"requestedMessage": message, "connectorId": 1}
            done = sent_and_answered(
                background,
                operator,
                cp,
                network.identity,
                "trigger",
                body,
                ["TriggerMessage", body],
                {"status": "Accepted"},
            )
            assert done["status"] == "Accepted"
            result = cp.result(message, triggered[message])
            assert isinstance(result, dict)
        for status in ("Rejected", "NotImplemented"):
            body = {"requestedMessage": "MeterValues"}
            refused = sent_and_answered(
                background,
                operator,
                cp,
                network.identity,
                "trigger",
                body,
                ["TriggerMessage", body],
                {"status": status},
            )
            assert refused["status"] == status


@pytest.fixture
def acme() -> Iterator[list[DataTransferRequest]]:
    """An example vendor: `Echo` answers the data back, `Fail` raises, `Odd` answers a status
    no handler may (both Rejected)."""
    seen: list[DataTransferRequest] = []

    def echo(request: DataTransferRequest) -> DataTransferReply:
        seen.append(request)
        return DataTransferReply("Accepted", request.data)

    async def fail(request: DataTransferRequest) -> DataTransferReply:
        raise RuntimeError("the vendor's service is down")

    def odd(request: DataTransferRequest) -> DataTransferReply:
        return DataTransferReply("Maybe")

    vendor = Vendor("com.acme", {"Echo": echo, "Fail": fail, "Odd": odd, None: echo})
    with vendors().registered(vendor):
        yield seen


def test_data_transfer_from_stations_goes_to_the_vendor_handler(
    client: TestClient,
    network: Network,
    clock: FakeClock,
    acme: list[DataTransferRequest],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with connected(client, network.identity, clock) as cp:
        assert cp.call(
            "DataTransfer", {"vendorId": "COM.ACME", "messageId": "Echo", "data": "hi"}
        ) == [
            3,
            "1",
            {"status": "Accepted", "data": "hi"},
        ]
        assert acme == [DataTransferRequest(network.identity, "COM.ACME", "Echo", "hi")]
        assert cp.call("DataTransfer", {"vendorId": "com.acme"}) == [3, "2", {"status": "Accepted"}]
        assert cp.call("DataTransfer", {"vendorId": "com.other", "messageId": "Echo"}) == [
            3,
            "3",
            {"status": "UnknownVendorId"},
        ]
        assert cp.call("DataTransfer", {"vendorId": "com.acme", "messageId": "Nope"}) == [
            3,
            "4",
            {"status": "UnknownMessageId"},
        ]
        for unique_id, message in (("5", "Fail"), ("6", "Odd")):
            reply = cp.call("DataTransfer", {"vendorId": "com.acme", "messageId": message})
            assert reply == [3, unique_id, {"status": "Rejected"}]
        assert "DataTransfer handler of com.acme (messageId 'Fail') failed" in caplog.text
        assert cp.call("DataTransfer", {"messageId": "Echo"})[:3] == [4, "7", "ProtocolError"]
        assert cp.send(HEARTBEAT) == HEARTBEAT_ANSWER


# Each of this profile's commands, the way it is sent: (endpoint, body, the call's action).
SENT: list[tuple[str, dict[str, Any] | None, str]] = [
    ("remote-start", {"idTag": "TAG"}, "RemoteStartTransaction"),
    ("clear-cache", None, "ClearCache"),
    ("data-transfer", {"vendorId": "com.acme"}, "DataTransfer"),
    ("configuration", {"key": "HeartbeatInterval", "value": "60"}, "ChangeConfiguration"),
    ("configuration/read", {"keys": ["HeartbeatInterval"]}, "GetConfiguration"),
]


def test_a_station_answering_a_call_error_is_502_and_not_answering_504(
    make_app: Any,
    engine: Engine,
    network: Network,
    clock: FakeClock,
    background: ThreadPoolExecutor,
) -> None:
    app = make_app(ocpp_command_timeout_seconds="1")
    with TestClient(app) as client, connected(client, network.identity, clock) as cp:
        client.headers.update(operator_headers(engine))
        for name, body, action in SENT:
            if body is not None and "idTag" in body:
                body = {"idTag": network.id_tag}
            pending = command(background, client, network.identity, name, body)
            frame = receive_frame(cp.ws)
            assert frame[2] == action
            cp.ws.send_text(json.dumps([4, frame[1], "NotSupported", "not here", {}]))
            failed = pending.result(timeout=10)
            assert failed.status_code == 502, (name, failed.text)
            assert failed.json()["error"] == {
                "code": "station_error",
                "message": f"charge station {network.identity} answered {action} with "
                "NotSupported: not here",
            }
            pending = command(background, client, network.identity, name, body)
            assert receive_frame(cp.ws)[2] == action  # never answered
            late = pending.result(timeout=10)
            assert late.status_code == 504, (name, late.text)
            assert late.json()["error"]["code"] == "station_timeout"
        assert cp.send(HEARTBEAT) == HEARTBEAT_ANSWER
