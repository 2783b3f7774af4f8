"""Stations prove who they are: a password (security profile 1, and 2 over wss://) or a client
certificate naming them (profile 3). Nobody else connects in their name."""

import logging
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme
from fastapi import FastAPI
from sqlalchemy import Engine, select
from starlette.testclient import TestClient, WebSocketDenialResponse
from websockets.exceptions import ConnectionClosedError, InvalidMessage, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from fleetcharge.db import unit_of_work
from fleetcharge.models import Station
from fleetcharge.network.password_hashing import verify_password
from tests import factories as f
from tests.csms.conftest import Network
from tests.csms.helpers import SUBPROTOCOLS, FakeClock, connected, login
from tests.servers import running_server

HEARTBEAT = '[2,"hb","Heartbeat",{}]'
TIMEOUT_S = 10


def refusal(client: TestClient, identity: str, headers: dict[str, str]) -> WebSocketDenialResponse:
    with (
        pytest.raises(WebSocketDenialResponse) as refused,
        client.websocket_connect(f"/ocpp/{identity}", subprotocols=SUBPROTOCOLS, headers=headers),
    ):
        pass
    return refused.value


def without_password(engine: Engine, station_id: int) -> None:
    with unit_of_work(engine) as db:
        db.get_one(Station, station_id).password_hash = None


def test_a_station_without_a_password_is_refused_and_told_why(
    client: TestClient, engine: Engine, network: Network
) -> None:
    without_password(engine, network.station_id)
    for headers in ({}, login(network.identity, "any-password-at-all")):
        refused = refusal(client, network.identity, headers)
        assert refused.status_code == 401
        assert f"stations set-password {network.identity}" in refused.content.decode()


def test_only_an_explicit_setting_lets_stations_in_without_credentials(
    make_app: Callable[..., FastAPI],
    engine: Engine,
    network: Network,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    without_password(engine, network.station_id)
    with caplog.at_level(logging.WARNING, logger="fleetcharge.csms.transport"):
        app = make_app(ocpp_allow_unauthenticated="true")
        with TestClient(app) as client:
            with connected(client, network.identity, clock, password=None) as cp:
                assert cp.send(HEARTBEAT)[0] == 3
            # A station that has a password still needs it.
            with unit_of_work(engine) as db:
                host = f.organisation(db)
                guarded = f.site(db, host).station.ocpp_identity
            assert refusal(client, guarded, {}).status_code == 401
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("FLEETCHARGE_OCPP_ALLOW_UNAUTHENTICATED is on" in w for w in warnings)


def test_auto_registration_keeps_the_first_password_a_station_sends(
    make_app: Callable[..., FastAPI], engine: Engine, network: Network, clock: FakeClock
) -> None:
    def registered(identity: str) -> Station | None:
        with unit_of_work(engine) as db:
            query = select(Station).where(Station.ocpp_identity == identity)
            return db.scalar(query)

    app = make_app(ocpp_auto_register_location=network.location_uuid)
    with TestClient(app) as client:
        assert refusal(client, "NEW-1", {}).status_code == 401
        assert refusal(client, "NEW-1", login("NEW-1", "short")).status_code == 401
        assert refusal(client, "NEW-1", login("SOMEONE", "long-enough-pass")).status_code == 401
        assert registered("NEW-1") is None
        with connected(client, "NEW-1", clock, password="first-password") as cp:
            assert cp.send(HEARTBEAT)[0] == 3
        station = registered("NEW-1")
        assert station is not None and station.password_hash is not None
        assert verify_password("first-password", station.password_hash)
        # From now on an impostor's own password is just a wrong one.
        assert refusal(client, "NEW-1", login("NEW-1", "impostors-pass")).status_code == 401


def test_an_impostor_is_refused_and_the_real_station_keeps_its_connection(
    database_url: str, engine: Engine, network: Network
) -> None:
    url = ""

    def station(identity: str, password: str | None) -> ClientConnection:
        return connect(
            f"{url}/{identity}",
            subprotocols=SUBPROTOCOLS,  # type: ignore[arg-type]
            additional_headers=login(identity, password),
            open_timeout=TIMEOUT_S,
        )

    with running_server(database_url, {}) as base:
        url = base.replace("http://", "ws://") + "/ocpp"
        with station(network.identity, f.STATION_PASSWORD) as real:
            real.send(HEARTBEAT)
            assert '"hb"' in str(real.recv(timeout=TIMEOUT_S))
            for password in (None, "guessed-password"):
                with pytest.raises(InvalidStatus) as refused:
                    station(network.identity, password)
                assert refused.value.response.status_code == 401
            real.send(HEARTBEAT.replace("hb", "hb2"))
            assert '"hb2"' in str(real.recv(timeout=TIMEOUT_S))


@dataclass(frozen=True)
class Pki:
    """A server certificate from one CA, station certificates from another."""

    server_ca: trustme.CA
    station_ca: trustme.CA
    server_pem: Path
    station_ca_pem: Path

    def client(self, certificate: trustme.LeafCert | None = None) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self.server_ca.configure_trust(context)
        if certificate is not None:
            certificate.configure_cert(context)
        return context

    def station_cert(self, identity: str, ca: trustme.CA | None = None) -> trustme.LeafCert:
        return (ca or self.station_ca).issue_cert("station.test", common_name=identity)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    server_ca, station_ca = trustme.CA(), trustme.CA()
    server_pem, station_ca_pem = folder / "server.pem", folder / "station-ca.pem"
    server_ca.issue_cert("127.0.0.1", "localhost").private_key_and_cert_chain_pem.write_to_path(
        str(server_pem)
    )
    station_ca.cert_pem.write_to_path(str(station_ca_pem))
    return Pki(server_ca, station_ca, server_pem, station_ca_pem)


@pytest.fixture
def tls_server(pki: Pki, database_url: str) -> Iterator[str]:
    env = {
        "FLEETCHARGE_TLS_CERT_FILE": str(pki.server_pem),
        "FLEETCHARGE_TLS_CLIENT_CA_FILE": str(pki.station_ca_pem),
    }
    with running_server(database_url, env, verify=pki.client()) as base:
        yield base.replace("https://", "wss://") + "/ocpp"


def talks(url: str, identity: str, context: ssl.SSLContext, password: str | None) -> bool:
    with connect(
        f"{url}/{identity}",
        ssl=context,
        subprotocols=SUBPROTOCOLS,  # type: ignore[arg-type]
        additional_headers=login(identity, password),
        open_timeout=TIMEOUT_S,
    ) as ws:
        ws.send(HEARTBEAT)
        return '"hb"' in str(ws.recv(timeout=TIMEOUT_S))


def test_profile_2_a_station_logs_in_with_its_password_over_wss(
    pki: Pki, tls_server: str, network: Network
) -> None:
    assert talks(tls_server, network.identity, pki.client(), f.STATION_PASSWORD)
    with pytest.raises(InvalidStatus) as refused:
        talks(tls_server, network.identity, pki.client(), "wrong-password")
    assert refused.value.response.status_code == 401
    # Nothing in clear text on the TLS port.
    plain = tls_server.replace("wss://", "ws://")
    with (
        pytest.raises(InvalidMessage),
        connect(f"{plain}/{network.identity}", open_timeout=TIMEOUT_S),
    ):
        pass


def test_profile_3_a_client_certificate_naming_the_station_is_its_credential(
    pki: Pki, tls_server: str, engine: Engine, network: Network
) -> None:
    without_password(engine, network.station_id)
    own = pki.client(pki.station_cert(network.identity))
    assert talks(tls_server, network.identity, own, password=None)

    # Another station's certificate, however valid, does not make you this station.
    with unit_of_work(engine) as db:
        other = f.site(db, f.organisation(db)).station.ocpp_identity
    with pytest.raises(InvalidStatus) as refused:
        talks(tls_server, network.identity, pki.client(pki.station_cert(other)), None)
    assert refused.value.response.status_code == 401
    # The other way round likewise.
    with pytest.raises(InvalidStatus):
        talks(tls_server, other, pki.client(pki.station_cert(network.identity)), None)
    # Nor no certificate at all, for a station without a password.
    with pytest.raises(InvalidStatus):
        talks(tls_server, network.identity, pki.client(), None)
    # A certificate from a CA the server does not trust fails the TLS handshake itself (with
    # TLS 1.3 the client learns it when the server closes instead of answering the upgrade,
    # sometimes while it is still sending it).
    forged = pki.client(pki.station_cert(network.identity, trustme.CA()))
    with pytest.raises((ssl.SSLError, InvalidMessage, ConnectionClosedError)):
        talks(tls_server, network.identity, forged, None)
