"""The security extensions' messages from stations, frame by frame: SecurityEventNotification
(stored, bounded, critical ones logged at WARNING) and SignCertificate (answered, then signed
by the station CA and sent with CertificateSigned after the answer)."""

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from fastapi import FastAPI
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from fleetcharge.db import unit_of_work
from fleetcharge.models import StationCertificateRequest, StationSecurityEvent
from tests.admin.helpers import ADMIN, account
from tests.csms.conftest import NOW, Network
from tests.csms.helpers import FakeClock, Station, connected, eventually, iso, receive_frame
from tests.station_security.pki import CPO, StationCa, csr, make_ca

HEARTBEAT = '[2,"hb","Heartbeat",{}]'
HEARTBEAT_ANSWER = [3, "hb", {"currentTime": "2025-03-03T23:00:00.000Z"}]


@pytest.fixture(scope="module")
def station_ca(tmp_path_factory: pytest.TempPathFactory) -> StationCa:
    return make_ca(tmp_path_factory.mktemp("station-ca"))


@pytest.fixture
def signing(make_app: Callable[..., FastAPI], station_ca: StationCa) -> Iterator[TestClient]:
    """The central system with a station CA (and a CpoName), answering commands in 2 s."""
    app = make_app(**station_ca.settings(), ocpp_command_timeout_seconds="2")
    with TestClient(app) as test_client:
        yield test_client


def events(engine: Engine, station_id: int) -> list[tuple[str, bool, str | None]]:
    with unit_of_work(engine) as db:
        rows = db.scalars(
            select(StationSecurityEvent)
            .where(StationSecurityEvent.station_id == station_id)
            .order_by(StationSecurityEvent.id)
        )
        return [(e.type, e.critical, e.tech_info) for e in rows]


def requests(engine: Engine, station_id: int) -> list[StationCertificateRequest]:
    with unit_of_work(engine) as db:
        found = db.scalars(
            select(StationCertificateRequest)
            .where(StationCertificateRequest.station_id == station_id)
            .order_by(StationCertificateRequest.id)
        ).all()
        db.expunge_all()
        return list(found)


def test_a_security_event_is_stored_and_a_critical_one_logged_as_a_warning(
    client: TestClient,
    engine: Engine,
    network: Network,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, "fleetcharge.csms.security_messages")
    with connected(client, network.identity, clock) as cp:
        frame = (
            '[2,"e1","SecurityEventNotification",{"type":"TamperDetectionActivated",'
            f'"timestamp":"{iso(NOW)}","techInfo":"enclosure opened"}}]'
        )
        assert cp.send(frame) == [3, "e1", {}]
        frame = (
            '[2,"e2","SecurityEventNotification",'
            f'{{"type":"InvalidMessages","timestamp":"{iso(NOW)}"}}]'
        )
        assert cp.send(frame) == [3, "e2", {}]
    assert events(engine, network.station_id) == [
        ("TamperDetectionActivated", True, "enclosure opened"),
        ("InvalidMessages", False, None),
    ]
    logged = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert (
        logging.WARNING,
        f"{network.identity}: security event TamperDetectionActivated at {iso(NOW)} "
        "(enclosure opened)",
    ) in logged
    assert (
        logging.INFO,
        f"{network.identity}: security event InvalidMessages at {iso(NOW)}",
    ) in logged


def test_bad_security_events_are_call_errors_and_nothing_is_stored(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    answers = []
    with connected(client, network.identity, clock) as cp:
        for payload in (
            {"type": "X" * 51, "timestamp": iso(NOW)},
            {"type": "InvalidMessages", "timestamp": iso(NOW), "techInfo": "y" * 256},
            {"type": "ResetOrReboot"},
            {"type": "ResetOrReboot", "timestamp": "yesterday"},
        ):
            answers.append(cp.call("SecurityEventNotification", payload))
    assert [(a[0], a[2], a[4]["cause"][:40]) for a in answers] == [
        (4, "TypeConstraintViolation", f"'{'X' * 51}' is too long"[:40]),
        (4, "TypeConstraintViolation", "'" + "y" * 39),
        (4, "ProtocolError", "'timestamp' is a required property"),
        (4, "FormatViolation", "timestamp 'yesterday' is not an ISO 8601"),
    ]
    assert events(engine, network.station_id) == []


def test_a_flood_of_security_events_keeps_only_the_newest(
    make_app: Callable[..., FastAPI], engine: Engine, network: Network, clock: FakeClock
) -> None:
    with (
        TestClient(make_app(ocpp_security_events_kept="3")) as client,
        connected(client, network.identity, clock) as cp,
    ):
        for number in range(5):
            payload = {"type": "InvalidMessages", "timestamp": iso(NOW), "techInfo": str(number)}
            assert cp.result("SecurityEventNotification", payload) == {}
    assert [tech for _, _, tech in events(engine, network.station_id)] == ["2", "3", "4"]


def test_security_events_are_listed_newest_first_filtered_and_paged(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with connected(client, network.identity, clock) as cp:
        for kind in ("ResetOrReboot", "InvalidMessages", "ResetOrReboot"):
            cp.result("SecurityEventNotification", {"type": kind, "timestamp": iso(NOW)})
    headers = account(engine, "support").headers
    path = f"{ADMIN}/stations/{network.identity}/security-events"
    page = client.get(path, params={"limit": "2"}, headers=headers)
    assert page.status_code == 200, page.text
    body = page.json()
    assert [e["type"] for e in body["data"]] == ["ResetOrReboot", "InvalidMessages"]
    assert body["pagination"]["total_entries"] == 3
    assert body["data"][0] == {
        "id": body["data"][0]["id"],
        "type": "ResetOrReboot",
        "critical": True,
        "timestamp": NOW.isoformat(),
        "received_at": NOW.isoformat(),
        "tech_info": None,
    }
    rest = client.get(body["pagination"]["next"], headers=headers).json()
    assert [e["type"] for e in rest["data"]] == ["ResetOrReboot"]
    assert "next" not in rest["pagination"]
    assert rest["data"][0]["id"] < body["data"][1]["id"]
    only = client.get(path, params={"type": "InvalidMessages"}, headers=headers).json()
    assert [e["type"] for e in only["data"]] == ["InvalidMessages"]

    unknown = client.get(f"{ADMIN}/stations/NO-SUCH/security-events", headers=headers)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"
    assert client.get(path).status_code == 401
    bad = client.get(path, params={"limit": "0"}, headers=headers)
    assert bad.status_code == 400 and bad.json()["error"]["parameter"] == "limit"


def rejected_and_nothing_sent(cp: Station, pem: str) -> None:
    """SignCertificate answered Rejected, and no CertificateSigned follows (the next frame
    from the central system answers our heartbeat)."""
    assert cp.call("SignCertificate", {"csr": pem})[2] == {"status": "Rejected"}
    assert cp.send(HEARTBEAT) == HEARTBEAT_ANSWER


def test_without_a_station_ca_every_csr_is_rejected(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with connected(client, network.identity, clock) as cp:
        frame = json.dumps([2, "s1", "SignCertificate", {"csr": csr(network.identity)}])
        assert cp.send(frame) == [3, "s1", {"status": "Rejected"}]
        assert cp.send(HEARTBEAT) == HEARTBEAT_ANSWER
    (request,) = requests(engine, network.station_id)
    assert (request.status, request.reason) == (
        "Rejected",
        "no certificate authority is configured",
    )
    assert request.certificate is None


def test_csrs_not_naming_the_station_or_not_well_formed_are_rejected(
    signing: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    cases = [
        ("not a CSR", "not a PEM-encoded certificate signing request (PKCS #10)"),
        (
            csr("SOMEONE-ELSE"),
            f"the subject's commonName must be the station's identity {network.identity!r}",
        ),
        (
            csr(None),
            f"the subject's commonName must be the station's identity {network.identity!r}",
        ),
        (
            csr(network.identity, "Another CPO"),
            f"the subject's organizationName must be the CpoName {CPO!r}",
        ),
        (csr(network.identity, key=weak), "an RSA key of 1024 bits (at least 2048)"),
    ]
    with connected(signing, network.identity, clock) as cp:
        for pem, _ in cases:
            rejected_and_nothing_sent(cp, pem)
    recorded = requests(engine, network.station_id)
    assert [(r.status, r.reason) for r in recorded] == [("Rejected", why) for _, why in cases]
    assert all(r.certificate is None for r in recorded)


def test_a_good_csr_is_accepted_signed_and_sent_with_certificate_signed(
    signing: TestClient,
    engine: Engine,
    network: Network,
    clock: FakeClock,
    station_ca: StationCa,
) -> None:
    with connected(signing, network.identity, clock) as cp:
        frame = json.dumps([2, "s1", "SignCertificate", {"csr": csr(network.identity)}])
        assert cp.send(frame) == [3, "s1", {"status": "Accepted"}]
        signed = receive_frame(cp.ws)
        assert signed[0] == 2 and signed[2] == "CertificateSigned"
        assert list(signed[3]) == ["certificateChain"]
        leaf, ca = x509.load_pem_x509_certificates(signed[3]["certificateChain"].encode())
        assert ca == station_ca.certificate
        leaf.verify_directly_issued_by(ca)
        assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
            network.identity
        )
        assert leaf.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == CPO
        usage = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert list(usage) == [ExtendedKeyUsageOID.CLIENT_AUTH]
        assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
        days = (leaf.not_valid_after_utc - leaf.not_valid_before_utc).days
        assert days == 365  # the default validity (plus the 5 minutes' backdating)
        cp.ws.send_text(json.dumps([3, signed[1], {"status": "Accepted"}]))
        assert cp.send(HEARTBEAT) == HEARTBEAT_ANSWER

        def delivered() -> StationCertificateRequest | None:
            (request,) = requests(engine, network.station_id)
            return request if request.delivery else None

        request = eventually(delivered, timeout=10)
    assert (request.status, request.reason, request.delivery) == ("Accepted", None, "Accepted")
    assert request.serial_number == format(leaf.serial_number, "x")
    assert request.certificate == leaf.public_bytes(Encoding.PEM).decode()


@pytest.mark.parametrize(
    ("reply", "delivery", "detail"),
    [
        ({"status": "Rejected"}, "Rejected", None),
        ("call-error", "error", "InternalError: certificate store full"),
        (None, "timeout", "no answer within 2 s"),
    ],
)
def test_the_station_refusing_its_certificate_or_not_answering_is_recorded(
    signing: TestClient,
    engine: Engine,
    network: Network,
    clock: FakeClock,
    reply: object,
    delivery: str,
    detail: str | None,
) -> None:
    with connected(signing, network.identity, clock) as cp:
        assert cp.call("SignCertificate", {"csr": csr(network.identity)})[2] == {
            "status": "Accepted"
        }
        signed = receive_frame(cp.ws)
        assert signed[2] == "CertificateSigned"
        if reply == "call-error":
            error = [4, signed[1], "InternalError", "certificate store full", {}]
            cp.ws.send_text(json.dumps(error))
        elif reply is not None:
            cp.ws.send_text(json.dumps([3, signed[1], reply]))
        (request,) = eventually(
            lambda: [r for r in requests(engine, network.station_id) if r.delivery], timeout=10
        )
        assert cp.send(HEARTBEAT) == HEARTBEAT_ANSWER
    assert (request.delivery, request.delivery_detail) == (delivery, detail)
    assert request.certificate is not None


def test_a_station_ca_that_cannot_be_read_rejects_and_signs_nothing(
    make_app: Callable[..., FastAPI],
    engine: Engine,
    network: Network,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    ca = make_ca(tmp_path / "ca")
    with TestClient(make_app(**ca.settings())) as client:
        ca.key_file.write_text("gone")  # after the server started: e.g. a botched rotation
        with connected(client, network.identity, clock) as cp:
            rejected_and_nothing_sent(cp, csr(network.identity))
    (request,) = requests(engine, network.station_id)
    assert request.status == "Rejected"
    assert request.reason is not None
    assert request.reason.startswith("the station CA cannot be loaded")
    assert request.certificate is None and request.delivery is None
