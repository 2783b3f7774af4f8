"""Firmware updates, diagnostics and logs over a station's socket, exact frames both ways:
the admin API's request, the CALL the station receives, its answer, the statuses it reports,
and the files it fetches from and sends to its link."""

import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine, select, update
from starlette.testclient import TestClient

from fleetcharge.db import unit_of_work
from fleetcharge.models import Organisation, Station, StationTransfer, StationUpload
from tests import factories as f
from tests.admin.helpers import ADMIN
from tests.csms.conftest import NOW, Network, operator_headers
from tests.csms.helpers import FakeClock, connected, receive_frame
from tests.csms.helpers import Station as Cp
from tests.csms.test_operator_commands import answer, command, node_of
from tests.firmware_signing import certificate_pem, signature_of

IMAGE = b"\x7fELF firmware 2.0" * 100
LINK = re.compile(r"^http://testserver/ocpp-files/([A-Za-z0-9_-]{43})(/[^/]+)?$")


def upload_firmware(client: TestClient, name: str = "fw-2.0.bin", **fields: str) -> Any:
    response = client.post(f"{ADMIN}/firmware", files={"file": (name, IMAGE)}, data=fields)
    assert response.status_code == 201, response.text
    return response.json()


def transfer(client: TestClient, identity: str, uuid: str) -> Any:
    response = client.get(f"{ADMIN}/stations/{identity}/transfers/{uuid}")
    assert response.status_code == 200, response.text
    return response.json()


def history(client: TestClient, identity: str, uuid: str) -> list[str]:
    return [entry["status"] for entry in transfer(client, identity, uuid)["history"]]


def notify(cp: Cp, action: str, payload: dict[str, Any]) -> None:
    assert cp.call(action, payload)[0::2] == [3, {}]


def test_update_firmware_from_our_file_then_every_status_on_its_request(
    operator: TestClient,
    network: Network,
    clock: FakeClock,
    background: ThreadPoolExecutor,
    engine: Engine,
) -> None:
    image = upload_firmware(operator)
    assert image["size_bytes"] == len(IMAGE) and image["signed"] is False
    body = {"firmwareUuid": image["uuid"], "retries": 2, "retryInterval": 30}
    with connected(operator, network.identity, clock) as cp:
        pending = command(background, operator, network.identity, "update-firmware", body)
        frame = receive_frame(cp.ws)
        location = frame[3]["location"]
        assert frame == [
            2,
            frame[1],
            "UpdateFirmware",
            {
                "location": location,
                "retrieveDate": frame[3]["retrieveDate"],
                "retries": 2,
                "retryInterval": 30,
            },
        ]
        found = LINK.match(location)
        assert found is not None and found.group(2) == "/fw-2.0.bin", location
        token = found.group(1)
        answer(cp, frame, {})
        response = pending.result(timeout=10)
        assert response.status_code == 200, response.text
        shown = response.json()
        assert {k: shown[k] for k in ("station", "action", "status", "node", "answer")} == {
            "station": network.identity,
            "action": "UpdateFirmware",
            "status": None,
            "node": node_of(operator),
            "answer": {},
        }
        stored = shown["transfer"]
        assert stored["kind"] == "firmware" and stored["firmware_uuid"] == image["uuid"]
        assert stored["request"]["location"] == "http://testserver/ocpp-files/<token>/fw-2.0.bin"
        assert token not in json.dumps(stored)

        downloaded = operator.get(location, headers={"Authorization": ""})
        assert downloaded.status_code == 200
        assert downloaded.content == IMAGE
        assert downloaded.headers["etag"] == f'"{image["sha256"]}"'
        assert downloaded.headers["repr-digest"].startswith("sha-256=:")

        statuses = ["Downloading", "Downloaded", "Installing", "Installed"]
        for status in statuses:
            clock.advance(minutes=1)
            notify(cp, "FirmwareStatusNotification", {"status": status})
    assert history(operator, network.identity, stored["uuid"]) == statuses
    detail = transfer(operator, network.identity, stored["uuid"])
    assert detail["status"] == "Installed"
    assert detail["history"][0]["received_at"] == (NOW.replace(minute=1)).isoformat()
    with unit_of_work(engine) as db:
        station = db.scalars(select(Station).where(Station.id == network.station_id)).one()
        assert station.firmware_status == "Installed"
    listed = operator.get(f"{ADMIN}/stations/{network.identity}/firmware-updates").json()
    assert [item["uuid"] for item in listed["data"]] == [stored["uuid"]]
    assert listed["pagination"] == {"total_entries": 1}


def test_signed_update_firmware_sends_the_files_signature_and_keeps_statuses_by_request_id(
    operator: TestClient, network: Network, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    pem, signature = certificate_pem(), signature_of(IMAGE)
    image = upload_firmware(operator, signingCertificate=pem, signature=signature)
    assert image["signed"] is True
    body = {"firmwareUuid": image["uuid"], "installDateTime": "2025-03-04T02:00:00+11:00"}
    with connected(operator, network.identity, clock) as cp:
        pending = command(background, operator, network.identity, "signed-update-firmware", body)
        frame = receive_frame(cp.ws)
        request_id = frame[3]["requestId"]
        firmware = frame[3]["firmware"]
        assert frame == [
            2,
            frame[1],
            "SignedUpdateFirmware",
            {
                "requestId": request_id,
                "firmware": {
                    "location": firmware["location"],
                    "retrieveDateTime": firmware["retrieveDateTime"],
                    "installDateTime": "2025-03-03T15:00:00Z",
                    "signingCertificate": pem.strip(),
                    "signature": signature,
                },
            },
        ]
        answer(cp, frame, {"status": "Accepted"})
        shown = pending.result(timeout=10).json()
        assert shown["status"] == "Accepted"
        assert shown["transfer"]["request_id"] == request_id
        for status in (
            "Downloading",
            "Downloaded",
            "SignatureVerified",
            "InstallVerificationFailed",
        ):
            notify(
                cp, "SignedFirmwareStatusNotification", {"status": status, "requestId": request_id}
            )
        # Another request's id (or none of ours) is answered, and kept on no request.
        notify(
            cp, "SignedFirmwareStatusNotification", {"status": "Idle", "requestId": request_id + 99}
        )
        notify(cp, "SignedFirmwareStatusNotification", {"status": "Idle", "requestId": -5})
        refused = cp.call("SignedFirmwareStatusNotification", {"status": "Done", "requestId": 1})
        assert refused[0] == 4 and refused[2] in ("FormatViolation", "PropertyConstraintViolation")
        # A second request that the station refuses: its link stops working at once.
        pending = command(background, operator, network.identity, "signed-update-firmware", body)
        frame = receive_frame(cp.ws)
        assert frame[3]["requestId"] > request_id
        answer(cp, frame, {"status": "InvalidCertificate"})
        second = pending.result(timeout=10).json()
        assert second["status"] == "InvalidCertificate"
        assert second["transfer"]["link_expires_at"] is None
        assert operator.get(frame[3]["firmware"]["location"]).status_code == 404
        assert operator.get(firmware["location"]).content == IMAGE
    assert history(operator, network.identity, shown["transfer"]["uuid"]) == [
        "Downloading",
        "Downloaded",
        "SignatureVerified",
        "InstallVerificationFailed",
    ]
    assert history(operator, network.identity, second["transfer"]["uuid"]) == []


def test_diagnostics_uploaded_raw_and_downloaded_byte_identical(
    operator: TestClient, network: Network, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    body = {"startTime": "2025-03-01T00:00:00Z", "stopTime": "2025-03-02T00:00:00Z"}
    content = bytes(range(256)) * 40
    with connected(operator, network.identity, clock) as cp:
        pending = command(background, operator, network.identity, "diagnostics", body)
        frame = receive_frame(cp.ws)
        location = frame[3]["location"]
        assert LINK.match(location) is not None
        assert frame == [
            2,
            frame[1],
            "GetDiagnostics",
            {
                "location": location,
                "startTime": "2025-03-01T00:00:00Z",
                "stopTime": "2025-03-02T00:00:00Z",
            },
        ]
        answer(cp, frame, {"fileName": "diag-1.tar.gz"})
        shown = pending.result(timeout=10).json()
        assert (shown["status"], shown["answer"]) == (None, {"fileName": "diag-1.tar.gz"})
        assert shown["transfer"]["file_name"] == "diag-1.tar.gz"
        notify(cp, "DiagnosticsStatusNotification", {"status": "Uploading"})
        sent = operator.put(f"{location}/diag-1.tar.gz", content=content)
        assert sent.status_code == 201, sent.text
        assert sent.json()["size_bytes"] == len(content)
        notify(cp, "DiagnosticsStatusNotification", {"status": "Uploaded"})
    uuid = shown["transfer"]["uuid"]
    assert history(operator, network.identity, uuid) == ["Uploading", "Uploaded"]
    detail = transfer(operator, network.identity, uuid)
    assert detail["upload"]["name"] == "diag-1.tar.gz"
    assert detail["upload"]["size_bytes"] == len(content)
    got = operator.get(f"{ADMIN}/stations/{network.identity}/transfers/{uuid}/file")
    assert got.status_code == 200 and got.content == content
    listed = operator.get(f"{ADMIN}/stations/{network.identity}/diagnostics").json()
    assert [item["uuid"] for item in listed["data"]] == [uuid]
    assert operator.get(f"{ADMIN}/stations/{network.identity}/logs").json()["data"] == []


def test_security_log_uploaded_as_a_form_with_log_status_notifications(
    operator: TestClient, network: Network, clock: FakeClock, background: ThreadPoolExecutor
) -> None:
    content = b"2025-03-03T22:00:00Z login failed\n" * 30
    with connected(operator, network.identity, clock) as cp:
        pending = command(
            background, operator, network.identity, "logs", {"logType": "SecurityLog", "retries": 1}
        )
        frame = receive_frame(cp.ws)
        request_id = frame[3]["requestId"]
        location = frame[3]["log"]["remoteLocation"]
        assert frame == [
            2,
            frame[1],
            "GetLog",
            {
                "logType": "SecurityLog",
                "requestId": request_id,
                "log": {"remoteLocation": location},
                "retries": 1,
            },
        ]
        answer(cp, frame, {"status": "Accepted", "filename": "security.log"})
        shown = pending.result(timeout=10).json()
        assert shown["status"] == "Accepted" and shown["transfer"]["log_type"] == "SecurityLog"
        notify(cp, "LogStatusNotification", {"status": "Uploading", "requestId": request_id})
        files = {"file": ("security.log", content, "text/plain")}
        sent = operator.post(location, files=files)
        assert sent.status_code == 201, sent.text
        notify(cp, "LogStatusNotification", {"status": "Uploaded", "requestId": request_id})
    uuid = shown["transfer"]["uuid"]
    assert history(operator, network.identity, uuid) == ["Uploading", "Uploaded"]
    got = operator.get(f"{ADMIN}/stations/{network.identity}/transfers/{uuid}/file")
    assert got.content == content
    assert transfer(operator, network.identity, uuid)["upload"]["content_type"] == "text/plain"


def test_refused_failed_and_unanswered_requests_are_kept_without_a_working_link(
    make_app: Callable[..., FastAPI],
    engine: Engine,
    network: Network,
    clock: FakeClock,
    background: ThreadPoolExecutor,
) -> None:
    app = make_app(ocpp_command_timeout_seconds="1")
    with TestClient(app) as client, connected(client, network.identity, clock) as cp:
        client.headers.update(operator_headers(engine))
        identity = network.identity
        pending = command(background, client, identity, "logs", {"logType": "DiagnosticsLog"})
        frame = receive_frame(cp.ws)
        answer(cp, frame, {"status": "Rejected"})
        rejected = pending.result(timeout=10).json()
        assert rejected["status"] == "Rejected"
        assert client.put(frame[3]["log"]["remoteLocation"], content=b"x").status_code == 404

        pending = command(background, client, identity, "diagnostics", {})
        frame = receive_frame(cp.ws)
        cp.ws.send_text(json.dumps([4, frame[1], "NotSupported", "no diagnostics", {}]))
        failed = pending.result(timeout=10)
        assert failed.status_code == 502
        assert failed.json()["error"] == {
            "code": "station_error",
            "message": f"charge station {identity} answered GetDiagnostics with "
            "NotSupported: no diagnostics",
        }
        assert client.put(frame[3]["location"], content=b"x").status_code == 404

        body = {"location": "https://firmware.example.com/fw-3.bin"}
        pending = command(background, client, identity, "update-firmware", body)
        frame = receive_frame(cp.ws)
        assert frame[3]["location"] == "https://firmware.example.com/fw-3.bin"
        timed_out = pending.result(timeout=10)
        assert timed_out.status_code == 504
        assert timed_out.json()["error"]["code"] == "station_timeout"
    not_connected = client.post(f"{ADMIN}/stations/{identity}/diagnostics", json={})
    assert not_connected.status_code == 404
    assert not_connected.json()["error"]["code"] == "station_not_connected"
    with TestClient(app) as client:
        client.headers.update(operator_headers(engine))
        diagnostics = client.get(f"{ADMIN}/stations/{identity}/diagnostics").json()["data"]
        assert [(d["error"], d["link_expires_at"]) for d in diagnostics] == [
            ("station_not_connected", None),
            ("station_error", None),
        ]
        updates = client.get(f"{ADMIN}/stations/{identity}/firmware-updates").json()["data"]
        assert [(u["error"], u["request"]["location"]) for u in updates] == [
            ("station_timeout", "https://firmware.example.com/fw-3.bin")
        ]
        logs = client.get(f"{ADMIN}/stations/{identity}/logs").json()["data"]
        assert [(entry["answer"], entry["error"]) for entry in logs] == [
            ({"status": "Rejected"}, None)
        ]


def _upload_link(client: TestClient, cp: Cp, background: ThreadPoolExecutor, identity: str) -> str:
    pending = command(background, client, identity, "diagnostics", {})
    frame = receive_frame(cp.ws)
    answer(cp, frame, {})
    assert pending.result(timeout=10).status_code == 200
    return str(frame[3]["location"])


def test_links_reach_their_own_request_only_until_they_expire(
    make_app: Callable[..., FastAPI],
    engine: Engine,
    network: Network,
    clock: FakeClock,
    background: ThreadPoolExecutor,
) -> None:
    app = make_app(station_upload_max_bytes="1000", firmware_max_bytes="2000")
    with TestClient(app) as client, connected(client, network.identity, clock) as cp:
        client.headers.update(operator_headers(engine))
        first = _upload_link(client, cp, background, network.identity)
        second = _upload_link(client, cp, background, network.identity)
        assert client.put(first, content=b"one").status_code == 201
        assert client.put(second, content=b"two").status_code == 201
        # Too big: refused, and the earlier upload of that request is still the one kept.
        too_big = client.put(second, content=b"x" * 1001)
        assert too_big.status_code == 413
        assert too_big.json()["error"]["code"] == "too_large"
        form = client.post(second, files={"file": ("big.log", b"x" * 1001)})
        assert form.status_code == 413
        # Wrong, made-up or a download link: 404, whatever the method.
        token = first.rsplit("/", 1)[-1]
        for wrong in (
            first[:-1] + ("A" if first[-1] != "A" else "B"),
            first.replace(token, "x" * 43),
        ):
            assert client.put(wrong, content=b"z").status_code == 404
            assert client.get(wrong).status_code == 404
        assert client.get(first).status_code == 404  # an upload link downloads nothing
        # Firmware over the limit is refused and not kept.
        big = client.post(f"{ADMIN}/firmware", files={"file": ("big.bin", b"x" * 2001)})
        assert big.status_code == 413
        assert client.get(f"{ADMIN}/firmware").json()["data"] == []
        with unit_of_work(engine) as db:
            db.execute(update(StationTransfer).values(token_expires_at=NOW))
        assert client.put(first, content=b"late").status_code == 404
        with unit_of_work(engine) as db:
            kept = sorted(upload.content for upload in db.scalars(select(StationUpload)))
            assert kept == [b"one", b"two"]


BAD_BODIES: list[tuple[str, Any, str]] = [
    ("update-firmware", {}, "firmwareUuid"),
    (
        "update-firmware",
        {"location": "https://x.example/a", "firmwareUuid": "00000000-0000-4000-8000-000000000000"},
        "firmwareUuid",
    ),
    ("update-firmware", {"location": "not a url"}, "location"),
    ("update-firmware", {"firmwareUuid": "00000000-0000-4000-8000-000000000000"}, "firmwareUuid"),
    ("update-firmware", {"location": "https://x.example/a", "retries": -1}, "retries"),
    (
        "update-firmware",
        {"location": "https://x.example/a", "retrieveDate": "2025-03-04T00:00:00"},
        "retrieveDate",
    ),
    ("signed-update-firmware", {"location": "https://x.example/a"}, "signingCertificate"),
    (
        "signed-update-firmware",
        {
            "location": "https://x.example/a",
            "signingCertificate": "-----BEGIN nonsense",
            "signature": "AAAA",
        },
        "signingCertificate",
    ),
    (
        "signed-update-firmware",
        {
            "location": "https://x.example/a",
            "signingCertificate": certificate_pem(),
            "signature": "not base64!",
        },
        "signature",
    ),
    (
        "diagnostics",
        {"startTime": "2025-03-02T00:00:00Z", "stopTime": "2025-03-01T00:00:00Z"},
        "stopTime",
    ),
    ("logs", {"logType": "AuditLog"}, "logType"),
    ("logs", {}, "logType"),
]


def test_bad_bodies_are_400_naming_the_field(operator: TestClient, network: Network) -> None:
    for name, body, field in BAD_BODIES:
        response = operator.post(f"{ADMIN}/stations/{network.identity}/{name}", json=body)
        assert response.status_code == 400, (name, body, response.text)
        assert response.json()["error"]["field"] == field, (name, body, response.text)
    bad_upload = operator.post(
        f"{ADMIN}/firmware",
        files={"file": ("fw.bin", IMAGE)},
        data={"signingCertificate": certificate_pem(), "signature": "%%%"},
    )
    assert bad_upload.status_code == 400
    assert bad_upload.json()["error"]["field"] == "signature"
    missing = operator.post(f"{ADMIN}/stations/NOPE/diagnostics", json={})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_a_station_reports_on_its_own_requests_only(
    operator: TestClient,
    network: Network,
    clock: FakeClock,
    background: ThreadPoolExecutor,
    engine: Engine,
) -> None:
    with unit_of_work(engine) as db:
        other = f.site(db, db.get_one(Organisation, network.host_id)).station.ocpp_identity
    with connected(operator, network.identity, clock) as cp:
        pending = command(
            background, operator, network.identity, "logs", {"logType": "SecurityLog"}
        )
        frame = receive_frame(cp.ws)
        answer(cp, frame, {"status": "Accepted"})
        mine = pending.result(timeout=10).json()["transfer"]
    with connected(operator, other, clock) as intruder:
        payload = {"status": "Uploaded", "requestId": mine["request_id"]}
        notify(intruder, "LogStatusNotification", payload)
        notify(intruder, "FirmwareStatusNotification", {"status": "Installed"})
    assert history(operator, network.identity, mine["uuid"]) == []
    assert operator.get(f"{ADMIN}/stations/{other}/logs").json()["data"] == []
