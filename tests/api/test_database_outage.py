"""The database becomes unreachable mid-run: the API answers 503 in the error shape (no
500, no traceback), and serves again by itself once the database is back."""

import os

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from fleetcharge.db import normalise_url, unit_of_work
from tests import factories as f
from tests.api.helpers import API, assert_error_body, bearer, make_client


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_503_while_the_database_is_unreachable_then_recovery(
    database_url: str, engine: Engine
) -> None:
    with unit_of_work(engine) as db:
        secret = f.token(db, f.organisation(db))
    name = make_url(database_url).database
    admin = create_engine(
        normalise_url(os.environ["FLEETCHARGE_TEST_POSTGRES_URL"]), isolation_level="AUTOCOMMIT"
    )

    def database(accepting: bool) -> None:
        with admin.connect() as connection:
            connection.execute(
                text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {str(accepting).lower()}')
            )
            if not accepting:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                    ),
                    {"n": name},
                )

    try:
        with make_client(engine) as client:
            assert client.get(f"{API}/usage", headers=bearer(secret)).status_code == 200
            database(accepting=False)
            for endpoint in ("usage", "sessions", "vehicles", "invoices"):
                response = client.get(f"{API}/{endpoint}", headers=bearer(secret))
                assert response.status_code == 503, response.text
                assert_error_body(response.json())
                assert response.json()["error"]["code"] == "service_unavailable"
                assert response.headers["Retry-After"] == "5"
            ready = client.get("/readyz")
            assert ready.status_code == 503 and "database" in ready.json()["error"]["message"]
            assert client.get("/healthz").status_code == 200  # alive, just not ready
            database(accepting=True)
            for endpoint in ("usage", "sessions", "vehicles", "invoices"):
                assert client.get(f"{API}/{endpoint}", headers=bearer(secret)).status_code == 200
            assert client.get("/readyz").json()["status"] == "ready"
    finally:
        database(accepting=True)
        admin.dispose()
