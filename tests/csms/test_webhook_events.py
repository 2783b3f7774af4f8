"""Webhook events of the central system, from real OCPP frames: station.online, each
StatusNotification as station.status_changed and station.offline to the site host, and a
completed charge as session.completed, to the payer exactly as its /usage shows the session
and to the host exactly as its /sessions does. Nobody else is told anything; MeterValues
never look for subscriptions."""

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, event
from starlette.testclient import TestClient

from fleetcharge.db import unit_of_work
from fleetcharge.models import Organisation
from fleetcharge.webhooks import event_types as types
from tests import factories as f
from tests.api.helpers import get_page, records
from tests.csms.conftest import NOW, Network
from tests.csms.helpers import FakeClock, connected, eventually
from tests.webhooks.events import events
from tests.webhooks.factories import subscription


def _subscribe_all(engine: Engine, network: Network) -> int:
    """Host and payer subscribed to everything, and a bystander too (its id)."""
    with unit_of_work(engine) as db:
        for organisation_id in (network.host_id, network.payer_id):
            subscription(db, db.get_one(Organisation, organisation_id))
        bystander = f.organisation(db)
        subscription(db, bystander)
        return bystander.id


def _told(
    engine: Engine, event_type: str | None = None, organisation_id: int | None = None
) -> list[dict[str, Any]]:
    with unit_of_work(engine) as db:
        return events(db, event_type, organisation_id)


def test_a_charge_is_told_to_payer_and_host_as_their_pages_show_it(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    bystander = _subscribe_all(engine, network)
    statements: list[str] = []

    def executed(*arguments: object) -> None:
        statements.append(str(arguments[2]))

    with connected(client, network.identity, clock) as cp:
        (online,) = eventually(lambda: _told(engine, types.STATION_ONLINE))
        assert online["data"]["station"]["ocpp_identity"] == network.identity
        assert online["data"]["at"] == "2025-03-04T10:00:00+11:00"

        cp.status("Preparing", NOW)
        transaction_id = cp.start(network.id_tag, 1_000_000, NOW)["transactionId"]
        event.listen(engine, "before_cursor_execute", executed)
        cp.meter(1_005_000, NOW + timedelta(minutes=15), transaction_id=transaction_id)
        event.remove(engine, "before_cursor_execute", executed)
        stop = NOW + timedelta(minutes=30)
        cp.stop(transaction_id, 1_010_000, stop, idTag=network.id_tag, reason="Local")
    eventually(lambda: _told(engine, types.STATION_OFFLINE))
    assert statements and not [s for s in statements if "webhook" in s.lower()]

    (usage,) = records(get_page(client, "usage", network.payer_token), "usage")
    (hosted,) = records(get_page(client, "sessions", network.host_token), "sessions")
    (to_payer,) = _told(engine, types.SESSION_COMPLETED, network.payer_id)
    (to_host,) = _told(engine, types.SESSION_COMPLETED, network.host_id)
    assert to_payer["data"] == {"view": "usage", "session": usage}
    assert to_host["data"] == {"view": "sessions", "session": hosted}
    assert to_payer["created_at"] == to_host["created_at"] == "2025-03-03T23:30:00.000Z"

    (status,) = _told(engine, types.STATION_STATUS_CHANGED)
    assert {k: v for k, v in status["data"].items() if k != "station"} == {
        "connector": {"id": 1, "name": "Port A"},
        "status": "Preparing",
        "error_code": "NoError",
        "info": None,
        "vendor_id": None,
        "vendor_error_code": None,
        "status_at": "2025-03-04T10:00:00+11:00",
    }
    station_events = (types.STATION_ONLINE, types.STATION_STATUS_CHANGED, types.STATION_OFFLINE)
    assert [e["type"] for e in _told(engine, organisation_id=network.host_id)] == [
        types.STATION_ONLINE,
        types.STATION_STATUS_CHANGED,
        types.SESSION_COMPLETED,
        types.STATION_OFFLINE,
    ]
    assert not [e for e in _told(engine, None, network.payer_id) if e["type"] in station_events]
    assert _told(engine, organisation_id=bystander) == []


def test_nobody_subscribed_writes_no_event(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with connected(client, network.identity, clock) as cp:
        cp.status("Preparing", NOW)
        transaction_id = cp.start(network.id_tag, 0, NOW)["transactionId"]
        cp.stop(transaction_id, 5_000, NOW + timedelta(minutes=20), reason="Local")
    with unit_of_work(engine) as db:
        assert events(db) == []


def test_a_reprice_after_the_car_left_tells_the_session_again(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    """Parking after the stop (the car left at Available) re-prices the session: told again,
    a new event, as the pages show the session now."""
    _subscribe_all(engine, network)
    with connected(client, network.identity, clock) as cp:
        transaction_id = cp.start(network.id_tag, 0, NOW)["transactionId"]
        stop = NOW + timedelta(minutes=30)
        cp.stop(transaction_id, 10_000, stop, reason="Local")
        cp.status("Finishing", stop)
        cp.status("Available", stop + timedelta(minutes=40))
    (usage,) = records(get_page(client, "usage", network.payer_token), "usage")
    first, again = _told(engine, types.SESSION_COMPLETED, network.payer_id)
    assert first["data"]["session"]["uuid"] == again["data"]["session"]["uuid"] == usage["uuid"]
    assert first["id"] != again["id"]
    assert again["data"]["session"] == usage
    assert usage["stop_date_time"] == "2025-03-04T11:10:00+11:00"
