"""GET /api/admin/v1/stations/connected: the connected stations with their boot information and each
connector's latest status."""

import time
from datetime import datetime, timedelta
from typing import Any

from starlette.testclient import TestClient

from tests.admin.helpers import ADMIN
from tests.csms.conftest import NOW, Network
from tests.csms.helpers import FakeClock, connected

BOOT = {
    "chargePointVendor": "Acme",
    "chargePointModel": "DC50",
    "chargePointSerialNumber": "SN-1",
    "firmwareVersion": "2.1",
}


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_connected_stations_with_boot_and_latest_connector_statuses(
    operator: TestClient, network: Network, clock: FakeClock
) -> None:
    def listed() -> list[dict[str, Any]]:
        response = operator.get(f"{ADMIN}/stations/connected")
        assert response.status_code == 200
        stations: list[dict[str, Any]] = response.json()["data"]
        return stations

    assert listed() == []
    before = time.time()
    with connected(operator, network.identity, clock) as cp:
        assert cp.result("BootNotification", BOOT)["status"] == "Accepted"
        assert cp.status("Preparing", NOW) == {}
        assert cp.status("Charging", NOW + timedelta(minutes=1)) == {}
        # Replayed from an offline queue after the newer one: not the latest.
        assert cp.status("Available", NOW - timedelta(minutes=10)) == {}
        assert cp.status("Available", NOW, connector=0) == {}
        assert cp.status("Faulted", NOW, connector=2) == {}
        (station,) = listed()
    after = time.time()
    connected_since, last_seen = station.pop("connected_since"), station.pop("last_seen")
    assert before - 1 <= when(connected_since).timestamp() <= when(last_seen).timestamp()
    assert when(last_seen).timestamp() <= after + 1
    assert station == {
        "identity": network.identity,
        "node": operator.app.state.central_system.router.node,  # type: ignore[attr-defined]
        "uuid": station["uuid"],
        "evse_id": station["evse_id"],
        "name": station["name"],
        "boot": {
            "vendor": "Acme",
            "model": "DC50",
            "serial_number": "SN-1",
            "firmware_version": "2.1",
            "last_boot_at": "2025-03-03T23:00:00Z",
        },
        "connectors": [
            {
                "connector_id": 0,
                "name": None,
                "status": "Available",
                "error_code": "NoError",
                "status_at": "2025-03-03T23:00:00Z",
            },
            {
                "connector_id": 1,
                "name": "Port A",
                "status": "Charging",
                "error_code": "NoError",
                "status_at": "2025-03-03T23:01:00Z",
            },
            {
                "connector_id": 2,
                "name": "Connector 2",
                "status": "Faulted",
                "error_code": "NoError",
                "status_at": "2025-03-03T23:00:00Z",
            },
        ],
    }
    assert listed() == []
