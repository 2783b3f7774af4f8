"""The scripted calls of the Smart Charging operations (test_openapi_network)."""

from collections.abc import Callable
from typing import Any

Call = Callable[..., dict[str, Any]]

PROFILE: dict[str, Any] = {
    "chargingProfileId": 1,
    "stackLevel": 0,
    "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Relative",
    "chargingSchedule": {
        "chargingRateUnit": "A",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}],
    },
}


def script_station_profiles(
    call: Call, identity: str, support: dict[str, str], billing: dict[str, str]
) -> None:
    profiles = "/stations/{identity}/charging-profiles"
    path = f"/stations/{identity}/charging-profiles"
    body = {"connectorId": 0, "csChargingProfiles": PROFILE}
    call("POST", path, profiles, 404, json=body, headers=support)  # not connected: Offline
    call("POST", path, profiles, 400, json={**body, "connectorId": -1}, headers=support)
    call("POST", path, profiles, 403, json=body, headers=billing)
    call("POST", "/stations/CP-404/charging-profiles", profiles, 404, json=body, headers=support)
    call("DELETE", path, profiles, 404, json={"id": 1}, headers=support)
    call("DELETE", path, profiles, 400, json={"stackLevel": -1}, headers=support)
    call("DELETE", path, profiles, 403, json={}, headers=billing)
    listed = call("GET", path, profiles, 200, headers=billing)
    assert [p["status"] for p in listed["data"]] == ["Offline"]
    call("GET", f"{path}?installed=true", profiles, 200, headers=billing)
    call("GET", "/stations/CP-404/charging-profiles", profiles, 404, headers=billing)
    composite = "/stations/{identity}/composite-schedule"
    where = f"/stations/{identity}/composite-schedule"
    call("GET", f"{where}?connector_id=1&duration=60", composite, 404, headers=support)
    call("GET", f"{where}?connector_id=1&duration=0", composite, 400, headers=support)
    call("GET", f"{where}?connector_id=1&duration=60", composite, 403, headers=billing)
