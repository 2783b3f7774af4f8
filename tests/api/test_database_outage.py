"""The database becomes unreachable mid-run: the API answers 503 in the error shape (no
500, no traceback), and serves again by itself once the database is back."""

import pytest
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from tests import factories as f
from tests.api.helpers import API, assert_error_body, bearer, make_client
from tests.outage import database_switch


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_503_while_the_database_is_unreachable_then_recovery(
    database_url: str, engine: Engine
) -> None:
    with unit_of_work(engine) as db:
        secret = f.token(db, f.organisation(db))
    with database_switch(database_url) as database, make_client(engine) as client:
        assert client.get(f"{API}/usage", headers=bearer(secret)).status_code == 200
        database.refuse()
        for endpoint in ("usage", "sessions", "vehicles", "invoices"):
            response = client.get(f"{API}/{endpoint}", headers=bearer(secret))
            assert response.status_code == 503, response.text
            assert_error_body(response.json())
            assert response.json()["error"]["code"] == "service_unavailable"
            assert response.headers["Retry-After"] == "5"
        ready = client.get("/readyz")
        assert ready.status_code == 503 and "database" in ready.json()["error"]["message"]
        assert client.get("/healthz").status_code == 200  # alive, just not ready
        database.accept()
        for endpoint in ("usage", "sessions", "vehicles", "invoices"):
            assert client.get(f"{API}/{endpoint}", headers=bearer(secret)).status_code == 200
        assert client.get("/readyz").json()["status"] == "ready"
