"""Firmware images (/firmware) against the admin OpenAPI document (see tests.admin.documented)."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fleetcharge.web.app import create_app
from tests.admin.documented import Script
from tests.admin.helpers import ADMIN, account
from tests.api.helpers import UNLIMITED
from tests.firmware_signing import certificate_pem, signature_of

MISSING = "00000000-0000-4000-8000-000000000000"
IMAGE = b"firmware" * 10


def form(headers: dict[str, str], data: dict[str, str] | None = None) -> dict[str, Any]:
    """A multipart upload of `IMAGE` as one body (schemathesis reads what was sent)."""
    request = httpx.Request("POST", "http://x", files={"file": ("fw-1.bin", IMAGE)}, data=data)
    content_type = request.headers["content-type"]
    return {"content": request.read(), "headers": {**headers, "Content-Type": content_type}}


@pytest.fixture
def schema(engine: Engine) -> Iterator[schemathesis.schemas.BaseSchema]:
    yield schemathesis.openapi.from_asgi(f"{ADMIN}/openapi.json", create_app(engine, UNLIMITED))


def test_every_firmware_operation_answers_as_documented(
    client: TestClient, engine: Engine, schema: schemathesis.schemas.BaseSchema
) -> None:
    support = account(engine, "support").headers
    billing = account(engine, "billing").headers
    script = Script(client, schema)
    call = script.call
    image = IMAGE
    signing = {"signingCertificate": certificate_pem(), "signature": signature_of(image)}
    stored = call("POST", "/firmware", "/firmware", 201, **form(support, signing))
    assert (stored["name"], stored["signed"]) == ("fw-1.bin", True)
    raw = {**support, "Content-Type": "application/octet-stream"}
    plain = call("POST", "/firmware?name=fw-2.bin", "/firmware", 201, content=image, headers=raw)
    assert (plain["name"], plain["signed"], plain["sha256"]) == (
        "fw-2.bin",
        False,
        stored["sha256"],
    )
    bad = {**signing, "signature": "not base64"}
    call("POST", "/firmware", "/firmware", 400, **form(support, bad))
    call("POST", "/firmware", "/firmware", 400, content=image, headers=raw)  # no name
    call("POST", "/firmware", "/firmware", 403, **form(billing))
    call("POST", "/firmware", "/firmware", 401, **form({}))
    listed = call("GET", "/firmware?limit=1", "/firmware", 200, headers=billing)
    assert [item["uuid"] for item in listed["data"]] == [plain["uuid"]]
    assert listed["pagination"]["total_entries"] == 2
    following = client.get(listed["pagination"]["next"], headers=billing).json()
    assert [item["uuid"] for item in following["data"]] == [stored["uuid"]]
    one = "/firmware/{uuid}"
    call("GET", f"/firmware/{stored['uuid']}", one, 200, headers=billing)
    call("GET", f"/firmware/{MISSING}", one, 404, headers=billing)
    script.assert_covers("/firmware")
