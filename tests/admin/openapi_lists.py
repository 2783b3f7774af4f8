"""The local list and reservation operations, scripted for test_openapi_network (see
tests.admin.documented): a location's choice, and a station's list and reservations."""

from collections.abc import Callable
from typing import Any

MISSING = "00000000-0000-4000-8000-000000000000"


def script_lists_and_reservations(
    call: Callable[..., dict[str, Any]],
    location_uuid: str,
    admin: dict[str, str],
    support: dict[str, str],
    billing: dict[str, str],
) -> None:
    scope = "/locations/{uuid}/local-list"
    path = f"/locations/{location_uuid}/local-list"
    call("PUT", path, scope, 200, json={"scope": "all"}, headers=admin)
    call("PUT", path, scope, 400, json={"scope": "some"}, headers=admin)
    call("PUT", path, scope, 403, json={"scope": "all"}, headers=support)
    call(
        "PUT", f"/locations/{MISSING}/local-list", scope, 404, json={"scope": "all"}, headers=admin
    )

    station = "/stations/{identity}/local-list"
    call("GET", "/stations/CP-1/local-list", station, 200, headers=billing)
    call("GET", "/stations/CP-404/local-list", station, 404, headers=support)
    entries = f"{station}/entries"
    call("GET", "/stations/CP-1/local-list/entries", entries, 200, headers=support)
    send = f"{station}/send"
    # In step (no cards): nothing to send, the station is not asked.
    call("POST", "/stations/CP-1/local-list/send", send, 200, json={}, headers=support)
    full = {"full": True}
    call("POST", "/stations/CP-1/local-list/send", send, 404, json=full, headers=support)
    call("POST", "/stations/CP-1/local-list/send", send, 400, json={"x": 1}, headers=support)
    call("POST", "/stations/CP-1/local-list/send", send, 403, json={}, headers=billing)
    version = f"{station}/version"
    call("POST", "/stations/CP-1/local-list/version", version, 404, headers=support)
    call("POST", "/stations/CP-1/local-list/version", version, 403, headers=billing)

    reservations = "/stations/{identity}/reservations"
    body = {"connectorId": 1, "idTag": "NOBODY", "expiryDate": "2099-01-01T00:00:00Z"}
    path = "/stations/CP-1/reservations"
    call("POST", path, reservations, 400, json=body, headers=support)
    call("POST", path, reservations, 403, json=body, headers=billing)
    call("GET", path, reservations, 200, headers=billing)
    call("GET", f"{path}?status=maybe", reservations, 400, headers=support)
    one = f"{reservations}/{{reservation_id}}"
    call("DELETE", f"{path}/7", one, 404, headers=support)
    call("POST", f"{path}/7/cancel", f"{one}/cancel", 404, headers=support)
