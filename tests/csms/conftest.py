"""A small network for the central system: a site host's station with a tariff, and a
fleet (another organisation) whose vehicle's card charges there."""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.testclient import TestClient

from fleetcharge.db import unit_of_work
from fleetcharge.settings import get_settings
from fleetcharge.web.app import create_app
from tests import factories as f
from tests.admin.helpers import account
from tests.csms.helpers import FakeClock

# Energy 40c/kWh; parking $12/h after 10 minutes' grace, billed by the minute.
TARIFF = [
    {
        "price_components": [
            {"type": "ENERGY", "price": "0.40", "step_size": 1},
            {"type": "PARKING_TIME", "price": "12.00", "step_size": 60},
        ]
    }
]
GRACE_MINUTES = 10
NOW = datetime(2025, 3, 3, 23, 0, tzinfo=UTC)  # Tuesday 10:00 in Sydney


@dataclass(frozen=True)
class Network:
    identity: str
    station_id: int
    connector_id: int
    location_uuid: str
    id_tag: str
    host_token: str
    payer_token: str
    host_id: int
    payer_id: int


@pytest.fixture
def network(engine: Engine) -> Network:
    with unit_of_work(engine) as db:
        host = f.organisation(db)
        payer = f.organisation(db)
        site = f.site(db, host, t=f.tariff(db, TARIFF, grace=GRACE_MINUTES))
        vehicle = f.vehicle(db, f.fleet(db, payer))
        return Network(
            identity=site.station.ocpp_identity,
            station_id=site.station.id,
            connector_id=site.connector.id,
            location_uuid=str(site.location.uuid),
            id_tag=vehicle.cards[0].id_tag,
            host_token=f.token(db, host),
            payer_token=f.token(db, payer),
            host_id=host.id,
            payer_id=payer.id,
        )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def make_app(
    engine: Engine, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., FastAPI]]:
    """The app on the test database, its central system on the fake clock; keyword
    arguments set FLEETCHARGE_* settings (e.g. ocpp_auto_register_location)."""

    def make(**settings: str) -> FastAPI:
        monkeypatch.setenv("FLEETCHARGE_PUBLIC_BASE_URL", "")
        monkeypatch.setenv("FLEETCHARGE_OCPP_AUTO_REGISTER_LOCATION", "")
        monkeypatch.setenv("FLEETCHARGE_REDIS_URL", "")
        for name, value in settings.items():
            monkeypatch.setenv(f"FLEETCHARGE_{name.upper()}", value)
        get_settings.cache_clear()
        app = create_app(engine)
        central = app.state.central_system
        central.config = replace(central.config, now=clock)
        return app

    yield make
    get_settings.cache_clear()


@pytest.fixture
def client(make_app: Callable[..., FastAPI]) -> Iterator[TestClient]:
    # One event loop for every socket of the test, as in a server process.
    with TestClient(make_app()) as test_client:
        yield test_client


def operator_headers(engine: Engine) -> dict[str, str]:
    """A support account's admin token: it may send station commands."""
    return account(engine, "support").headers


@pytest.fixture
def operator(make_app: Callable[..., FastAPI], engine: Engine) -> Iterator[TestClient]:
    """Like `client`, sending a support account's admin token, with a 5 s command timeout."""
    app = make_app(ocpp_command_timeout_seconds="5")
    with TestClient(app) as test_client:
        test_client.headers.update(operator_headers(engine))
        yield test_client


@pytest.fixture
def background() -> Iterator[ThreadPoolExecutor]:
    """Runs blocking calls (an operator's request) while the test plays the station."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield pool
