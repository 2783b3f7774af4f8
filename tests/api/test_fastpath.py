"""/usage and /sessions are served past FastAPI (api.fastpath); every other request, and
every other method on those paths, still reaches the app."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

from fleetcharge.api.app import create_app, served
from fleetcharge.auth.service import issue_token
from fleetcharge.db import unit_of_work
from tests import factories as f
from tests.api.helpers import UNLIMITED


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
