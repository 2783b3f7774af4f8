"""Links and redirects never point at a host a client made up, and proxy headers are
believed only from configured proxies."""

import json
import time
from typing import IO

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from fleetcharge.settings import Settings
from fleetcharge.web.app import create_app, served
from tests import factories as f
from tests.admin.helpers import account
from tests.servers import running_servers

USAGE = "/api/fleets/v1/usage"
ORGANISATIONS = "/api/admin/v1/organisations?limit=1"


def _client(engine: Engine, **settings: str) -> TestClient:
    chosen = Settings(rate_limits_enabled=False, **settings)  # type: ignore[arg-type]
    return TestClient(served(create_app(engine, chosen)), base_url="http://127.0.0.1:8000")


def _token_with_pages(engine: Engine) -> dict[str, str]:
    """An admin's token, and two organisations: a list of one a page has a `next`."""
    with unit_of_work(engine) as db:
        f.organisation(db)
        f.organisation(db)
    return account(engine, "admin").headers


@pytest.mark.parametrize("path", [USAGE, "/healthz", "/api/admin/v1/organisations"])
def test_a_host_not_allowed_is_refused(engine: Engine, path: str) -> None:
    with _client(engine, allowed_hosts="fleet.example") as client:
        response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_host"
    assert response.json()["error"]["parameter"] == "Host"


def test_links_use_an_allowed_host(engine: Engine) -> None:
    headers = _token_with_pages(engine)
    with _client(engine, allowed_hosts="fleet.example") as client:
        body = client.get(ORGANISATIONS, headers={**headers, "Host": "fleet.example:8443"}).json()
        assert client.get("/healthz").status_code == 200  # loopback is always answered
    assert body["pagination"]["next"].startswith(f"http://fleet.example:8443{ORGANISATIONS}&")


def test_links_and_redirects_use_the_public_base_url(engine: Engine) -> None:
    headers = _token_with_pages(engine)
    public = "https://charging.example.com"
    with _client(engine, public_base_url=public) as client:
        body = client.get(ORGANISATIONS, headers=headers).json()
        redirect = client.get(f"{USAGE}/?page=2", follow_redirects=False)
        refused = client.get(USAGE, headers={**headers, "Host": "evil.example"})
        served_publicly = client.get("/healthz", headers={"Host": "charging.example.com"})
    assert body["pagination"]["next"].startswith(f"{public}{ORGANISATIONS}&")
    assert redirect.status_code in (301, 307, 308)
    assert redirect.headers["location"] == f"{public}{USAGE}?page=2"
    assert refused.status_code == 400
    assert served_publicly.status_code == 200


def test_forwarded_for_is_believed_only_from_trusted_proxies(
    database_url: str, engine: Engine
) -> None:
    ambient = {"FORWARDED_ALLOW_IPS": "*", "FLEETCHARGE_LOG_FORMAT": "json"}
    trusting = {**ambient, "FLEETCHARGE_TRUSTED_PROXIES": "127.0.0.1"}
    seen = []
    for env in (ambient, trusting):
        with running_servers(database_url, env) as [server]:
            httpx.get(f"{server.base}/readyz", headers={"X-Forwarded-For": "203.0.113.9"})
            seen.append(_logged_client(server.log, "/readyz"))
    assert seen == ["127.0.0.1", "203.0.113.9"]


def _logged_client(log: IO[bytes], route: str) -> str:
    """The client address the access log gives for the one request to `route`."""
    deadline = time.monotonic() + 5
    while True:
        log.seek(0)
        records = [json.loads(line) for line in log.read().splitlines() if line.startswith(b"{")]
        clients = [r["client"] for r in records if r.get("route") == route]
        if clients or time.monotonic() > deadline:
            assert len(clients) == 1, records
            return str(clients[0])
        time.sleep(0.05)
