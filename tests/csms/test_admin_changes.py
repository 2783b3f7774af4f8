"""Changes made through the admin API take effect on the next connection or session:
a station's new password, its decommissioning, its default tariff (for sessions that start
after the change; one already running keeps the tariff it started under)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from starlette.testclient import TestClient, WebSocketDenialResponse

from fleetcharge.db import unit_of_work
from fleetcharge.models import ChargeSession, Station
from tests import factories as f
from tests.admin.helpers import ADMIN, account
from tests.csms.conftest import NOW, Network
from tests.csms.helpers import SUBPROTOCOLS, FakeClock, connected, login

HEARTBEAT = '[2,"hb","Heartbeat",{}]'
FREE = [{"price_components": [{"type": "ENERGY", "price": "0.00", "step_size": 1}]}]


def refused_with(client: TestClient, identity: str, headers: dict[str, str]) -> int:
    with (
        pytest.raises(WebSocketDenialResponse) as refusal,
        client.websocket_connect(f"/ocpp/{identity}", subprotocols=SUBPROTOCOLS, headers=headers),
    ):
        pass
    return refusal.value.status_code


def station_uuid(engine: Engine, network: Network) -> str:
    with unit_of_work(engine) as db:
        station = db.get(Station, network.station_id)
        assert station is not None
        return str(station.uuid)


def test_a_new_password_is_required_from_the_next_connection(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    admin = account(engine, "admin").headers
    path = f"{ADMIN}/stations/{station_uuid(engine, network)}/password"
    first = client.post(path, json={"password": "first-Passw0rd"}, headers=admin)
    assert first.status_code == 200, first.text
    assert refused_with(client, network.identity, {}) == 401
    with connected(client, network.identity, clock, password="first-Passw0rd") as cp:
        assert cp.send(HEARTBEAT)[0] == 3
    generated = client.post(path, headers=admin).json()["password"]
    assert refused_with(client, network.identity, login(network.identity, "first-Passw0rd")) == 401
    with connected(client, network.identity, clock, password=generated) as cp:
        assert cp.send(HEARTBEAT)[0] == 3


def test_a_decommissioned_station_is_refused(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with connected(client, network.identity, clock) as cp:
        assert cp.send(HEARTBEAT)[0] == 3
    admin = account(engine, "admin").headers
    path = f"{ADMIN}/stations/{station_uuid(engine, network)}/decommission"
    assert client.post(path, headers=admin).status_code == 200
    assert refused_with(client, network.identity, {}) == 403


def test_a_default_tariff_change_prices_sessions_that_start_after_it(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with unit_of_work(engine) as db:
        free = f.tariff(db, FREE)
        free_uuid, free_id = str(free.uuid), free.id
        old_id = db.get(Station, network.station_id).tariff_id  # type: ignore[union-attr]
    admin = account(engine, "admin").headers
    with connected(client, network.identity, clock) as cp:
        running = cp.start(network.id_tag, 1000, NOW)["transactionId"]
        change = client.patch(
            f"{ADMIN}/stations/{station_uuid(engine, network)}",
            json={"tariff_uuid": free_uuid},
            headers=admin,
        )
        assert change.status_code == 200, change.text
        clock.at = NOW + timedelta(minutes=30)
        cp.stop(running, 11000, clock.at)
        after = datetime.now(UTC) + timedelta(minutes=1)
        clock.at = after
        later = cp.start(network.id_tag, 11000, after)["transactionId"]
        clock.at = after + timedelta(minutes=30)
        cp.stop(later, 21000, clock.at)
    with unit_of_work(engine) as db:
        sessions = db.execute(
            select(ChargeSession.tariff_id, ChargeSession.cost_to_driver).order_by(
                ChargeSession.start_date_time
            )
        ).all()
    assert [tariff for tariff, _ in sessions] == [old_id, free_id]
    assert sessions[0][1] > sessions[1][1] == 0, sessions  # 40c/kWh before, energy free after
