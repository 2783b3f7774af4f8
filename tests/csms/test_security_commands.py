"""The security extensions' commands to a station through the admin API, frame by frame:
InstallCertificate, GetInstalledCertificateIds (the answer kept and shown), DeleteCertificate
(by hash data or PEM), ExtendedTriggerMessage and the certificate renewal it starts."""

import hashlib
import json
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import FastAPI
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from fleetcharge.db import unit_of_work
from fleetcharge.models import AuditEvent
from tests.admin.helpers import ADMIN, account
from tests.csms.conftest import NOW, Network, operator_headers
from tests.csms.helpers import FakeClock, Station, connected, receive_frame
from tests.station_security.pki import StationCa, make_ca

HEARTBEAT = '[2,"hb","Heartbeat",{}]'
HEARTBEAT_ANSWER = [3, "hb", {"currentTime": "2025-03-03T23:00:00.000Z"}]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> StationCa:
    return make_ca(tmp_path_factory.mktemp("root"), "central system root")


def post(
    background: ThreadPoolExecutor, client: TestClient, identity: str, name: str, body: Any
) -> "Future[httpx.Response]":
    return background.submit(client.post, f"{ADMIN}/stations/{identity}/{name}", json=body)


def answer(cp: Station, frame: list[Any], payload: Any) -> None:
    cp.ws.send_text(json.dumps([3, frame[1], payload]))


def exchange(
    background: ThreadPoolExecutor,
    client: TestClient,
    cp: Station,
    name: str,
    body: Any,
    call: tuple[str, dict[str, Any]],
    reply: dict[str, Any],
) -> dict[str, Any]:
    """POST the command, check the CALL the station gets, answer it; the API's answer."""
    pending = post(background, client, cp_identity(cp), name, body)
    frame = receive_frame(cp.ws)
    assert frame == [2, frame[1], *call]
    answer(cp, frame, reply)
    response = pending.result(timeout=10)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    assert (result["action"], result["answer"]) == (call[0], reply)
    return result


def cp_identity(cp: Station) -> str:
    return str(cp.ws.scope["path"].rsplit("/", 1)[-1])


def expected_hash_data(certificate: x509.Certificate) -> dict[str, str]:
    """Computed here independently: SHA-256 of the issuer's DER name and of its EC public
    key's point (the BIT STRING's content), the serial number in hex."""
    key = certificate.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return {
        "hashAlgorithm": "SHA256",
        "issuerNameHash": hashlib.sha256(certificate.issuer.public_bytes()).hexdigest(),
        "issuerKeyHash": hashlib.sha256(key).hexdigest(),
        "serialNumber": format(certificate.serial_number, "x"),
    }


def test_install_list_and_delete_root_certificates(
    operator: TestClient,
    engine: Engine,
    network: Network,
    clock: FakeClock,
    background: ThreadPoolExecutor,
    root: StationCa,
) -> None:
    hash_data = expected_hash_data(root.certificate)
    with connected(operator, network.identity, clock) as cp:
        for status in ("Accepted", "Rejected", "Failed"):
            result = exchange(
                background,
                operator,
                cp,
                "install-certificate",
                {"certificateType": "CentralSystemRootCertificate", "certificate": root.pem},
                (
                    "InstallCertificate",
                    {"certificateType": "CentralSystemRootCertificate", "certificate": root.pem},
                ),
                {"status": status},
            )
            assert result["status"] == status

        listed = {"status": "Accepted", "certificateHashData": [hash_data]}
        exchange(
            background,
            operator,
            cp,
            "get-installed-certificates",
            {"certificateType": "CentralSystemRootCertificate"},
            ("GetInstalledCertificateIds", {"certificateType": "CentralSystemRootCertificate"}),
            listed,
        )
        shown = operator.get(f"{ADMIN}/stations/{network.identity}/installed-certificates")
        assert shown.status_code == 200, shown.text
        assert [
            (c["certificate_type"], c["certificate_hash_data"]) for c in shown.json()["data"]
        ] == [("CentralSystemRootCertificate", hash_data)]
        assert shown.json()["data"][0]["reported_at"] == NOW.isoformat()

        # By PEM: the hash data is computed for the operator.
        exchange(
            background,
            operator,
            cp,
            "delete-certificate",
            {"certificate": root.pem},
            ("DeleteCertificate", {"certificateHashData": hash_data}),
            {"status": "Accepted"},
        )
        # By hash data, as listed.
        result = exchange(
            background,
            operator,
            cp,
            "delete-certificate",
            {"certificateHashData": hash_data},
            ("DeleteCertificate", {"certificateHashData": hash_data}),
            {"status": "NotFound"},
        )
        assert result["status"] == "NotFound"

        # NotFound: the station has none of the type any more.
        exchange(
            background,
            operator,
            cp,
            "get-installed-certificates",
            {"certificateType": "CentralSystemRootCertificate"},
            ("GetInstalledCertificateIds", {"certificateType": "CentralSystemRootCertificate"}),
            {"status": "NotFound"},
        )
        assert cp.send(HEARTBEAT) == HEARTBEAT_ANSWER
    shown = operator.get(f"{ADMIN}/stations/{network.identity}/installed-certificates")
    assert shown.json()["data"] == []

    with unit_of_work(engine) as db:
        audited = db.scalars(
            select(AuditEvent).where(AuditEvent.resource == "station").order_by(AuditEvent.id)
        ).all()
        assert [(e.action, e.after["status"]) for e in audited] == [  # type: ignore[index]
            ("InstallCertificate", "Accepted"),
            ("InstallCertificate", "Rejected"),
            ("InstallCertificate", "Failed"),
            ("DeleteCertificate", "Accepted"),
            ("DeleteCertificate", "NotFound"),
        ]
        assert audited[0].actor_role == "support"


def test_extended_trigger_and_renewal(
    operator: TestClient,
    engine: Engine,
    network: Network,
    clock: FakeClock,
    background: ThreadPoolExecutor,
) -> None:
    with connected(operator, network.identity, clock) as cp:
        for body, status in (
            ({"requestedMessage": "MeterValues", "connectorId": 1}, "Accepted"),
            ({"requestedMessage": "LogStatusNotification"}, "NotImplemented"),
            ({"requestedMessage": "StatusNotification", "connectorId": 7}, "Rejected"),
        ):
            result = exchange(
                background,
                operator,
                cp,
                "extended-trigger",
                body,
                ("ExtendedTriggerMessage", body),
                {"status": status},
            )
            assert result["status"] == status
        result = exchange(
            background,
            operator,
            cp,
            "renew-certificate",
            {},
            ("ExtendedTriggerMessage", {"requestedMessage": "SignChargePointCertificate"}),
            {"status": "Accepted"},
        )
        assert result == {
            "station": network.identity,
            "action": "ExtendedTriggerMessage",
            "status": "Accepted",
            "node": result["node"],
            "answer": {"status": "Accepted"},
        }
    with unit_of_work(engine) as db:
        (event,) = db.scalars(select(AuditEvent).where(AuditEvent.resource == "station")).all()
        assert event.action == "ExtendedTriggerMessage"
        assert event.after == {
            "identity": network.identity,
            "sent": {"requestedMessage": "SignChargePointCertificate"},
            "status": "Accepted",
        }


def test_a_call_error_is_502_and_no_answer_504(
    make_app: Callable[..., FastAPI],
    engine: Engine,
    network: Network,
    clock: FakeClock,
    background: ThreadPoolExecutor,
) -> None:
    app = make_app(ocpp_command_timeout_seconds="1")
    with TestClient(app) as client, connected(client, network.identity, clock) as cp:
        client.headers.update(operator_headers(engine))
        body = {"certificateType": "ManufacturerRootCertificate"}
        pending = post(background, client, network.identity, "get-installed-certificates", body)
        frame = receive_frame(cp.ws)
        cp.ws.send_text(json.dumps([4, frame[1], "NotSupported", "no certificates here", {}]))
        response = pending.result(timeout=10)
        assert response.status_code == 502
        assert response.json()["error"] == {
            "code": "station_error",
            "message": f"charge station {network.identity} answered GetInstalledCertificateIds "
            "with NotSupported: no certificates here",
        }
        pending = post(background, client, network.identity, "renew-certificate", {})
        frame = receive_frame(cp.ws)
        assert frame[2:] == [
            "ExtendedTriggerMessage",
            {"requestedMessage": "SignChargePointCertificate"},
        ]
        response = pending.result(timeout=10)
        assert response.status_code == 504
        assert response.json()["error"]["code"] == "station_timeout"
        assert cp.send(HEARTBEAT) == HEARTBEAT_ANSWER
    with unit_of_work(engine) as db:  # nothing the station did not answer is audited
        assert db.scalars(select(AuditEvent).where(AuditEvent.resource == "station")).all() == []


def test_bad_bodies_are_400_naming_the_field_and_nothing_is_sent(
    operator: TestClient, network: Network, clock: FakeClock, root: StationCa, tmp_path: Path
) -> None:
    leaf = root.certificate  # a CA: fine to install; below, things that are not
    with connected(operator, network.identity, clock) as cp:
        cases: list[tuple[str, Any, str, str]] = [
            (
                "install-certificate",
                {"certificateType": "CentralSystemRootCertificate", "certificate": "junk"},
                "certificate",
                "not a PEM-encoded X.509 certificate",
            ),
            (
                "install-certificate",
                {"certificateType": "V2GRootCertificate", "certificate": root.pem},
                "certificateType",
                "Input should be",
            ),
            (
                "install-certificate",
                {
                    "certificateType": "CentralSystemRootCertificate",
                    "certificate": root.pem + root.pem,
                },
                "certificate",
                "one certificate expected, found 2",
            ),
            (
                "delete-certificate",
                {
                    "certificateHashData": {
                        "hashAlgorithm": "SHA256",
                        "issuerNameHash": "zz",
                        "issuerKeyHash": "00",
                        "serialNumber": "1",
                    }
                },
                "certificateHashData.issuerNameHash",
                "must be hexadecimal digits",
            ),
            (
                "delete-certificate",
                {
                    "certificateHashData": {
                        "hashAlgorithm": "MD5",
                        "issuerNameHash": "00",
                        "issuerKeyHash": "00",
                        "serialNumber": "1",
                    }
                },
                "certificateHashData.hashAlgorithm",
                "Input should be",
            ),
            (
                "extended-trigger",
                {"requestedMessage": "DiagnosticsStatusNotification"},
                "requestedMessage",
                "Input should be",
            ),
            (
                "extended-trigger",
                {"requestedMessage": "Heartbeat", "connectorId": 0},
                "connectorId",
                "greater than or equal to 1",
            ),
            ("renew-certificate", {"force": True}, "force", "Extra inputs"),
        ]
        for name, body, field, message in cases:
            response = operator.post(f"{ADMIN}/stations/{network.identity}/{name}", json=body)
            assert response.status_code == 400, (name, response.text)
            error = response.json()["error"]
            assert (error["code"], error["field"]) == ("invalid_field", field), error
            assert message in error["message"], error
        both = operator.post(
            f"{ADMIN}/stations/{network.identity}/delete-certificate",
            json={"certificate": root.pem, "certificateHashData": expected_hash_data(leaf)},
        )
        assert both.status_code == 400
        assert "either certificateHashData or certificate" in both.json()["error"]["message"]
        assert cp.send(HEARTBEAT) == HEARTBEAT_ANSWER  # nothing was sent to the station


def test_only_staff_who_may_send_commands_change_certificates(
    make_app: Callable[..., FastAPI], engine: Engine, network: Network, root: StationCa
) -> None:
    with TestClient(make_app()) as client:
        billing = account(engine, "billing").headers
        body = {"certificateType": "CentralSystemRootCertificate", "certificate": root.pem}
        path = f"{ADMIN}/stations/{network.identity}"
        refused = client.post(f"{path}/install-certificate", json=body, headers=billing)
        assert refused.status_code == 403
        # billing staff read the events, like other station records
        assert client.get(f"{path}/security-events", headers=billing).status_code == 200
        assert client.post(f"{path}/install-certificate", json=body).status_code == 401
