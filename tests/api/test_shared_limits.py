"""Two server processes sharing one Redis enforce one combined limit per token."""

import os
import uuid

import httpx
import pytest
import redis
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from tests import factories as f
from tests.api.helpers import API, bearer
from tests.servers import running_server

REDIS_ENV = "FLEETCHARGE_TEST_REDIS_URL"


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get(REDIS_ENV)
    if not url:
        if os.environ.get("FLEETCHARGE_TEST_REQUIRE_POSTGRES"):
            pytest.fail(f"CI must run the Redis tests: set {REDIS_ENV}")
        pytest.skip(f"Redis tests skipped: set {REDIS_ENV} (e.g. redis://127.0.0.1:6379/0)")
    return url


def test_two_processes_share_one_limit(database_url: str, engine: Engine, redis_url: str) -> None:
    with unit_of_work(engine) as db:
        secret = f.token(db, f.organisation(db))
    prefix = f"fleetcharge-test-{uuid.uuid4().hex}"
    env = {
        "FLEETCHARGE_REDIS_URL": redis_url,
        "FLEETCHARGE_REDIS_KEY_PREFIX": prefix,
        "FLEETCHARGE_RATE_LIMIT_USAGE": "5/hour",
    }
    try:
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
    finally:
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()
    assert statuses == [200] * 5 + [429, 429]
    assert remaining == ["4", "3", "2", "1", "0", "0", "0"]
    assert readiness["checks"] == {"database": "ok", "redis": "ok"}
