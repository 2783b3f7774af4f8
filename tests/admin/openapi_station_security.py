"""The security extensions' station operations, scripted for test_openapi_network (the
station `identity` exists and is not connected)."""

from collections.abc import Callable
from typing import Any

import trustme

from tests.station_security.pki import csr

ROOT_TYPE = {"certificateType": "CentralSystemRootCertificate"}


def script_station_security(
    call: Callable[..., dict[str, Any]],
    identity: str,
    support: dict[str, str],
    billing: dict[str, str],
) -> None:
    for name in ("security-events", "certificate-requests", "installed-certificates"):
        template = f"/stations/{{identity}}/{name}"
        call("GET", f"/stations/{identity}/{name}?limit=5", template, 200, headers=billing)
        call("GET", f"/stations/NOBODY/{name}", template, 404, headers=support)
        call("GET", f"/stations/{identity}/{name}?limit=0", template, 400, headers=support)
        call("GET", f"/stations/{identity}/{name}", template, 401, headers={})
    hash_data = {
        "hashAlgorithm": "SHA256",
        "issuerNameHash": "ab",
        "issuerKeyHash": "cd",
        "serialNumber": "1f",
    }
    commands = [
        ("get-installed-certificates", ROOT_TYPE),
        ("delete-certificate", {"certificateHashData": hash_data}),
        ("extended-trigger", {"requestedMessage": "Heartbeat"}),
        ("renew-certificate", {}),
    ]
    for name, body in commands:
        template = f"/stations/{{identity}}/{name}"
        path = f"/stations/{identity}/{name}"
        call("POST", path, template, 404, json=body, headers=support)
        call("POST", path, template, 403, json=body, headers=billing)
        call("POST", path, template, 400, json={"x": 1}, headers=support)
    template = "/stations/{identity}/install-certificate"
    path = f"/stations/{identity}/install-certificate"
    root = {**ROOT_TYPE, "certificate": trustme.CA().cert_pem.bytes().decode()}
    call("POST", path, template, 404, json=root, headers=support)
    call("POST", path, template, 403, json=root, headers=billing)
    not_a_certificate = {**ROOT_TYPE, "certificate": csr(identity)}
    call("POST", path, template, 400, json=not_a_certificate, headers=support)
