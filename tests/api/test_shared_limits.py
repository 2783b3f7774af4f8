"""Two server processes sharing one Redis enforce one combined limit per token."""

import httpx
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from tests import factories as f
from tests.api.helpers import API, bearer
from tests.servers import running_server


def test_two_processes_share_one_limit(
    database_url: str, engine: Engine, redis_url: str, redis_prefix: str
) -> None:
    with unit_of_work(engine) as db:
        secret = f.token(db, f.organisation(db))
    env = {
        "FLEETCHARGE_REDIS_URL": redis_url,
        "FLEETCHARGE_REDIS_KEY_PREFIX": redis_prefix,
        "FLEETCHARGE_RATE_LIMIT_USAGE": "5/hour",
    }
    with (
        running_server(database_url, env) as first,
        running_server(database_url, env) as second,
    ):
        statuses, remaining = [], []
        for n in range(7):
            base = (first, second)[n % 2]
            response = httpx.get(f"{base}{API}/usage", headers=bearer(secret), timeout=10)
            statuses.append(response.status_code)
            remaining.append(response.headers.get("X-RateLimit-Remaining"))
        readiness = httpx.get(f"{first}/readyz", timeout=10).json()
    assert statuses == [200] * 5 + [429, 429]
    assert remaining == ["4", "3", "2", "1", "0", "0", "0"]
    assert readiness["checks"] == {"database": "ok", "redis": "ok"}
