"""The smart-charging site operations, scripted for test_openapi_network."""

from collections.abc import Callable
from typing import Any

MISSING = "00000000-0000-4000-8000-000000000000"


def script_sites(
    call: Callable[..., dict[str, Any]],
    location: str,
    station: str,
    h: dict[str, str],
    support: dict[str, str],
) -> None:
    power = "/locations/{uuid}/power"
    path = f"/locations/{location}/power"
    call("GET", path, power, 200, headers=support)
    call("GET", f"/locations/{MISSING}/power", power, 404, headers=h)
    body = {
        "limit_kw": "200",
        "schedule": [{"days": "daily", "start": "16:00", "end": "21:00", "limit_kw": 120}],
    }
    call("PUT", path, power, 200, json=body, headers=h)
    call("PUT", path, power, 400, json={"limit_kw": "x"}, headers=h)
    call("PUT", path, power, 403, json=body, headers=support)
    call("PUT", path, power, 412, json=body, headers={**h, "If-Match": '"0"'})
    call("PUT", f"/locations/{MISSING}/power", power, 404, json=body, headers=h)
    circuits = "/locations/{uuid}/circuits"
    path = f"/locations/{location}/circuits"
    call("POST", path, circuits, 201, json={"name": "feeder", "limit_kw": 60}, headers=h)
    call("POST", path, circuits, 400, json={"name": "feeder"}, headers=h)
    call("POST", path, circuits, 403, json={"name": "other"}, headers=support)
    call("GET", path, circuits, 200, headers=support)
    call("GET", f"/locations/{MISSING}/circuits", circuits, 404, headers=h)
    one = "/locations/{uuid}/circuits/{circuit}"
    call("GET", f"{path}/feeder", one, 200, headers=support)
    call("GET", f"{path}/nothing", one, 404, headers=support)
    call("PATCH", f"{path}/feeder", one, 200, json={"limit_a": 80}, headers=h)
    call("PATCH", f"{path}/feeder", one, 400, json={"phases": 2}, headers=h)
    call("PATCH", f"{path}/feeder", one, 403, json={"limit_a": 8}, headers=support)
    call("DELETE", f"{path}/feeder", one, 200, headers=h)
    call("DELETE", f"{path}/feeder", one, 404, headers=h)
    need = "/stations/{uuid}/connectors/{connector}/charging-need"
    path = f"/stations/{station}/connectors/1/charging-need"
    call("PUT", path, need, 409, json={"energy_kwh": 20}, headers=h)
    call("PUT", path, need, 400, json={"energy_kwh": "x"}, headers=h)
    call("PUT", path, need, 403, json={"energy_kwh": 20}, headers=support)
    call("PUT", f"/stations/{MISSING}/connectors/1/charging-need", need, 404, json={}, headers=h)
