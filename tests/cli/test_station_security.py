"""The security extensions end to end: `fleetcharge serve` over wss:// with a station CA, a
simulated station, and `fleetcharge stations ...` / `fleetcharge certificates ...`.

The operator installs the station CA as the station's CentralSystemRootCertificate and asks
for a renewal; the station sends a CSR, the central system signs it and sends it back, the
station verifies and installs it, and after a reset connects with it (security profile 3)
although it no longer has a password."""

import asyncio
import json
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from sqlalchemy import Engine
from typer.testing import CliRunner, Result
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from fleetcharge.cli.main import app
from fleetcharge.db import unit_of_work
from fleetcharge.models import Station
from fleetcharge.simulator.model import StationConfig
from fleetcharge.simulator.station import SimulatedStation
from tests import factories as f
from tests.admin.helpers import account
from tests.csms.helpers import SUBPROTOCOLS, eventually
from tests.factories import STATION_PASSWORD
from tests.servers import running_server
from tests.station_security.pki import CPO, StationCa, make_ca

TIMEOUT_S = 60.0


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def server_ca(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """The server's certificate (PEM with its key) and the CA file clients trust it by."""
    ca = trustme.CA()
    server_pem, ca_pem = tmp_path / "server.pem", tmp_path / "server-ca.pem"
    ca.issue_cert("127.0.0.1", "localhost").private_key_and_cert_chain_pem.write_to_path(
        str(server_pem)
    )
    ca.cert_pem.write_to_path(str(ca_pem))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_pem))  # the CLI's httpx trusts it
    yield server_pem, ca_pem


class StationThread:
    """A simulated station connected on an event loop of its own, until `stop()`."""

    def __init__(self, station: SimulatedStation) -> None:
        self.station = station
        self._stop = threading.Event()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=asyncio.run, args=(self._life(),))

    async def _life(self) -> None:
        try:
            async with asyncio.timeout(TIMEOUT_S):
                async with self.station:
                    while not self._stop.is_set():
                        await asyncio.sleep(0.05)
        except BaseException as error:  # reported by stop()
            self.error = error

    def __enter__(self) -> "StationThread":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(TIMEOUT_S)


def test_renewal_signs_a_certificate_the_station_then_connects_with(
    database_url: str,
    engine: Engine,
    server_ca: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    server_pem, server_ca_pem = server_ca
    station_ca: StationCa = make_ca(tmp_path / "station-ca")
    with unit_of_work(engine) as db:
        identity = f.site(db, f.organisation(db)).station.ocpp_identity
    token = account(engine, "support").token
    env = {
        "FLEETCHARGE_TLS_CERT_FILE": str(server_pem),
        # No FLEETCHARGE_TLS_CLIENT_CA_FILE: profile 3 trusts the station CA.
        "FLEETCHARGE_STATION_CA_CERT_FILE": str(station_ca.certificate_file),
        "FLEETCHARGE_STATION_CA_KEY_FILE": str(station_ca.key_file),
        "FLEETCHARGE_OCPP_CPO_NAME": CPO,
    }
    verify = ssl.create_default_context(cafile=str(server_ca_pem))
    with running_server(database_url, env, verify=verify) as base:
        server = ["--server", base, "--token", token]
        url = base.replace("https://", "wss://") + "/ocpp"
        station = SimulatedStation(
            StationConfig(
                station_id=identity,
                url=url,
                password=STATION_PASSWORD,
                speed=100,
                cpo_name=CPO,
                security_events=True,
                server_ca_file=str(server_ca_pem),
            )
        )
        with StationThread(station) as running:
            eventually(lambda: identity in run("stations", "connected", *server).stdout, 20)

            # Until a CentralSystemRootCertificate is installed, the station cannot verify
            # the chain it gets, and refuses it.
            renewed = run("stations", "renew-certificate", identity, *server)
            assert renewed.exit_code == 0, renewed.output
            assert renewed.stdout.strip() == f"{identity}: ExtendedTriggerMessage Accepted"
            refused = eventually(lambda: _latest_request(server, identity, "Rejected"), 20)
            assert refused["status"] == "Accepted" and refused["certificate"]
            assert station.security.key is None

            installed = run(
                "stations", "install-certificate", identity, str(station_ca.certificate_file),
                *server,
            )  # fmt: skip
            assert installed.exit_code == 0, installed.output
            assert installed.stdout.strip() == f"{identity}: InstallCertificate Accepted"

            listed = run(
                "stations", "certificates", identity, "--type", "CentralSystemRootCertificate",
                "--json", *server,
            )  # fmt: skip
            assert listed.exit_code == 0, listed.output
            hash_data = run("certificates", "hash-data", str(station_ca.certificate_file))
            assert hash_data.exit_code == 0, hash_data.output
            assert json.loads(listed.stdout) == [
                {
                    "certificateType": "CentralSystemRootCertificate",
                    "certificateHashData": json.loads(hash_data.stdout),
                }
            ]

            assert run("stations", "renew-certificate", identity, *server).exit_code == 0
            signed = eventually(lambda: _latest_request(server, identity, "Accepted"), 20)
            chain = station.security.certificate_chain
            assert chain and chain[0].public_bytes(Encoding.PEM).decode() == signed["certificate"]
            assert chain[0].subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == identity
            table = run("stations", "certificate-requests", identity, *server)
            assert table.exit_code == 0 and signed["serial_number"] in table.stdout

            # Profile 3: without its password, the station connects with its certificate.
            with unit_of_work(engine) as db:
                db.query(Station).filter_by(ocpp_identity=identity).update({"password_hash": None})
            assert run("stations", "reset", identity, "--hard", *server).exit_code == 0
            events = eventually(lambda: _events(server, identity, "ResetOrReboot"), 20)
            assert events[0]["critical"] is True and events[0]["tech_info"] == "Hard reset"
            # The chain it could not verify, before the root was installed, was an event too.
            (invalid,) = _events(server, identity, "InvalidChargePointCertificate") or []
            assert invalid["critical"] is False
            assert station.uplink.connected
            # ... which it could not without the certificate.
            with pytest.raises(InvalidStatus) as no_certificate:
                connect(
                    f"{url}/{identity}",
                    ssl=ssl.create_default_context(cafile=str(server_ca_pem)),
                    subprotocols=SUBPROTOCOLS,  # type: ignore[arg-type]
                    open_timeout=10,
                )
            assert no_certificate.value.response.status_code == 401

            shown = run("stations", "security-events", identity, *server)
            assert shown.exit_code == 0, shown.output
            assert "ResetOrReboot" in shown.stdout and "yes" in shown.stdout

            deleted = run(
                "stations", "delete-certificate", identity, "--certificate",
                str(station_ca.certificate_file), *server,
            )  # fmt: skip
            assert deleted.stdout.strip() == f"{identity}: DeleteCertificate Accepted"
            again = run("stations", "delete-certificate", identity, "--certificate",
                        str(station_ca.certificate_file), *server)  # fmt: skip
            assert again.exit_code == 1
            assert "DeleteCertificate NotFound (the station refused)" in again.output
            heartbeat = run("stations", "extended-trigger", identity, "Heartbeat", *server)
            assert heartbeat.stdout.strip() == f"{identity}: ExtendedTriggerMessage Accepted"
            logs = run("stations", "extended-trigger", identity, "LogStatusNotification", *server)
            assert logs.exit_code == 1 and "NotImplemented" in logs.output
        assert running.error is None, running.error


def _latest_request(server: list[str], identity: str, delivery: str) -> dict[str, Any] | None:
    result = run("stations", "certificate-requests", identity, "--json", *server)
    assert result.exit_code == 0, result.output
    requests = json.loads(result.stdout)
    return requests[0] if requests and requests[0]["delivery"] == delivery else None


def _events(server: list[str], identity: str, kind: str) -> list[dict[str, Any]] | None:
    result = run("stations", "security-events", identity, "--type", kind, "--json", *server)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) or None


def test_init_ca_and_hash_data(tmp_path: Path) -> None:
    made = run("certificates", "init-ca", str(tmp_path / "ca"), "--name", "Test CPO station CA")
    assert made.exit_code == 0, made.output
    certificate = x509.load_pem_x509_certificate((tmp_path / "ca" / "station-ca.pem").read_bytes())
    assert certificate.subject.rfc4514_string() == "CN=Test CPO station CA"
    assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    key = tmp_path / "ca" / "station-ca-key.pem"
    assert key.stat().st_mode & 0o777 == 0o600
    again = run("certificates", "init-ca", str(tmp_path / "ca"))
    assert again.exit_code == 1 and "exists already: not replaced" in again.output

    data = run("certificates", "hash-data", str(tmp_path / "ca" / "station-ca.pem"))
    assert data.exit_code == 0, data.output
    assert json.loads(data.stdout)["serialNumber"] == format(certificate.serial_number, "x")
    bad = run("certificates", "hash-data", str(key))
    assert bad.exit_code == 2 and "not a PEM-encoded X.509 certificate" in bad.output
    wrong = run(
        "certificates", "hash-data", str(tmp_path / "ca" / "station-ca.pem"), "--algorithm", "MD5"
    )
    assert wrong.exit_code == 2
