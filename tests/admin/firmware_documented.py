"""The firmware, diagnostics and log operations under /stations, scripted against the admin
OpenAPI document (called from the network resources' test, which covers /stations)."""

from typing import Any

from tests.admin.documented import Script
from tests.firmware_signing import certificate_pem, signature_of

MISSING = "00000000-0000-4000-8000-000000000000"
REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("update-firmware", {"location": "https://firmware.example.com/fw.bin"}),
    (
        "signed-update-firmware",
        {
            "location": "https://firmware.example.com/fw.bin",
            "signingCertificate": certificate_pem(),
            "signature": signature_of(b"fw"),
        },
    ),
    ("diagnostics", {}),
    ("logs", {"logType": "SecurityLog"}),
]


def script_station_transfers(
    script: Script, identity: str, support: dict[str, str], billing: dict[str, str]
) -> None:
    """Every request to a station that is not connected (kept, with why it failed), its
    lists, one request and its (missing) file."""
    call = script.call
    for name, body in REQUESTS:
        template = f"/stations/{{identity}}/{name}"
        call("POST", f"/stations/{identity}/{name}", template, 404, json=body, headers=support)
        call("POST", f"/stations/{identity}/{name}", template, 403, json=body, headers=billing)
        call("POST", f"/stations/{identity}/{name}", template, 400, json={"x": 1}, headers=support)
    found = []
    for name in ("firmware-updates", "diagnostics", "logs"):
        template = f"/stations/{{identity}}/{name}"
        listed = call("GET", f"/stations/{identity}/{name}?limit=1", template, 200, headers=billing)
        assert all(item["error"] == "station_not_connected" for item in listed["data"])
        found += listed["data"]
        call("GET", f"/stations/NOPE/{name}", template, 404, headers=support)
    one = "/stations/{identity}/transfers/{uuid}"
    path = f"/stations/{identity}/transfers/{found[0]['uuid']}"
    call("GET", path, one, 200, headers=support)
    call("GET", f"/stations/{identity}/transfers/{MISSING}", one, 404, headers=support)
    call("GET", f"{path}/file", f"{one}/file", 404, headers=support)
