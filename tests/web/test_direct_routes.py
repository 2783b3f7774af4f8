"""/usage and /sessions are served past FastAPI (web.direct_routes); every other request, and
every other method on those paths, still reaches the app."""

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

from fleetcharge.auth.service import issue_token
from fleetcharge.charging import endpoints
from fleetcharge.db import unit_of_work
from fleetcharge.ratelimit.service import RateLimiter
from fleetcharge.settings import Settings
from fleetcharge.web.app import create_app, served
from tests import factories as f
from tests.api.helpers import API, UNLIMITED, bearer, make_client


def test_only_the_polled_lists_skip_the_app(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        secret = issue_token(db, f.organisation(db)).secret
    app = create_app(engine, UNLIMITED)
    reached: list[str] = []

    class Recorder:
        def __init__(self, inner: ASGIApp) -> None:
            self.inner = inner

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                reached.append(f"{scope['method']} {scope['path']}")
            await self.inner(scope, receive, send)

    app.add_middleware(Recorder)
    headers = {"Authorization": f"Bearer {secret}", "X-Request-ID": "direct-1"}
    with TestClient(served(app)) as client:
        usage = client.get("/api/fleets/v1/usage", headers=headers)
        sessions = client.get("/api/fleets/v1/sessions?page=abc", headers=headers)
        vehicles = client.get("/api/fleets/v1/vehicles", headers=headers)
        posted = client.post("/api/fleets/v1/usage", headers=headers)

    assert usage.status_code == 200
    assert usage.json()["pagination"] == {"total_entries": 0}
    assert usage.headers["X-Request-ID"] == "direct-1"
    assert sessions.status_code == 400
    assert sessions.json()["error"]["parameter"] == "page"
    assert vehicles.status_code == 200
    assert posted.status_code == 405
    assert reached == ["GET /api/fleets/v1/vehicles", "POST /api/fleets/v1/usage"]


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _record_where_pages_are_read(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """(kind of connection, whether an event loop runs in this thread) per /usage page read."""
    seen: list[tuple[str, bool]] = []
    read = endpoints.usage_page

    def recording(db: Any, *args: Any) -> Any:
        seen.append((type(db).__name__, _loop_running()))
        return read(db, *args)

    monkeypatch.setattr(endpoints, "usage_page", recording)
    return seen


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_on_postgresql_pages_are_read_on_the_event_loop_once_the_lifespan_ran(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with unit_of_work(engine) as db:
        host = f.organisation(db, "Cybertron")
        stop = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)
        f.charge(db, f.site(db, host), f.driver(db, f.vehicle(db, f.fleet(db, host))), stop)
        secret = f.token(db, host)
    seen = _record_where_pages_are_read(monkeypatch)
    app = served(create_app(engine, UNLIMITED))
    with TestClient(app) as client:  # the lifespan opens the loop's engine
        on_loop = client.get(f"{API}/usage", headers=bearer(secret))
    in_thread = TestClient(app).get(f"{API}/usage", headers=bearer(secret))  # no lifespan

    assert seen == [("AsyncConnection", True), ("Connection", False)]
    assert on_loop.status_code == in_thread.status_code == 200
    assert on_loop.json() == in_thread.json()
    assert on_loop.json()["pagination"]["total_entries"] == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_on_sqlite_pages_are_read_in_a_worker_thread(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with unit_of_work(engine) as db:
        secret = f.token(db, f.organisation(db))
    seen = _record_where_pages_are_read(monkeypatch)
    with make_client(engine) as client:
        assert client.get(f"{API}/usage", headers=bearer(secret)).status_code == 200
    assert seen == [("Session", False)]


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_on_the_event_loop_redis_rate_limits_are_counted_in_a_worker_thread(
    engine: Engine, redis_url: str, redis_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with unit_of_work(engine) as db:
        secret = f.token(db, f.organisation(db))
    settings = Settings(redis_url=redis_url, redis_key_prefix=redis_prefix)
    counted_on_loop: list[bool] = []
    acquire = RateLimiter.acquire

    def recording(self: RateLimiter, *args: Any) -> Any:
        counted_on_loop.append(_loop_running())
        return acquire(self, *args)

    monkeypatch.setattr(RateLimiter, "acquire", recording)
    seen = _record_where_pages_are_read(monkeypatch)
    with make_client(engine, settings) as client:
        response = client.get(f"{API}/usage", headers=bearer(secret))

    assert response.status_code == 200
    assert response.headers["X-RateLimit-Remaining"] == "17"
    assert seen == [("AsyncConnection", True)]
    assert counted_on_loop == [False]
