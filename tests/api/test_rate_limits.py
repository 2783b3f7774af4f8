"""Rate limits per token and endpoint: the published windows, exact headers and reset
times (on a controlled clock), refusals that do not count, overrides and the off switch."""

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from fleetcharge.models import Organisation
from fleetcharge.settings import Settings
from tests import factories as f
from tests.api.helpers import API, assert_error_body, bearer, make_client

T0 = 1_800_000_000  # a whole second, so Reset = T0 + window exactly


class Clock:
    def __init__(self) -> None:
        self.now = float(T0)

    def __call__(self) -> float:
        return self.now


@dataclass
class Caller:
    client: TestClient
    secret: str
    organisation_id: int

    def get(self, endpoint: str) -> Response:
        return self.client.get(f"{API}/{endpoint}", headers=bearer(self.secret))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(time, "time", fake)
    return fake


def _caller(engine: Engine, settings: Settings) -> Iterator[Caller]:
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        secret, org_id = f.token(db, org), org.id
    with make_client(engine, settings) as client:
        yield Caller(client, secret, org_id)


@pytest.fixture
def caller(engine: Engine, clock: Clock) -> Iterator[Caller]:
    yield from _caller(engine, Settings(rate_limits_enabled=True))


def limit_headers(response: Response) -> tuple[int, int, int]:
    h = response.headers
    return int(h["X-RateLimit-Limit"]), int(h["X-RateLimit-Remaining"]), int(h["X-RateLimit-Reset"])


def test_usage_windows_of_15_minutes_and_an_hour(caller: Caller, clock: Clock) -> None:
    for used in range(1, 19):
        response = caller.get("usage")
        assert response.status_code == 200
        assert limit_headers(response) == (18, 18 - used, T0 + 900)
    refused = caller.get("usage")
    assert refused.status_code == 429
    assert_error_body(refused.json())
    assert refused.json()["error"]["code"] == "rate_limited"
    assert limit_headers(refused) == (18, 0, T0 + 900)
    assert refused.headers["Retry-After"] == "900"

    clock.now += 899  # still the first window; the refusal above was not counted
    assert caller.get("usage").headers["Retry-After"] == "1"
    clock.now += 1
    assert limit_headers(caller.get("usage")) == (18, 17, T0 + 1800)
    for _ in range(17):
        assert caller.get("usage").status_code == 200
    clock.now = T0 + 1800
    # 36 calls so far this hour: 14 more reach the hourly 50, whose window now matters most.
    for used in range(37, 51):
        response = caller.get("usage")
        assert response.status_code == 200
        assert limit_headers(response) == (50, 50 - used, T0 + 3600)
    refused = caller.get("usage")
    assert refused.status_code == 429
    assert limit_headers(refused) == (50, 0, T0 + 3600)
    assert refused.headers["Retry-After"] == "1800"


def test_endpoints_and_tokens_count_separately(
    caller: Caller, clock: Clock, engine: Engine
) -> None:
    for _ in range(18):
        caller.get("usage")
    assert caller.get("usage").status_code == 429
    assert limit_headers(caller.get("sessions")) == (18, 17, T0 + 900)
    invoices = caller.get("invoices")
    assert limit_headers(invoices) == (18, 17, T0 + 3600)
    for _ in range(30):  # vehicles: no limit, no headers
        vehicles = caller.get("vehicles")
        assert vehicles.status_code == 200 and "X-RateLimit-Limit" not in vehicles.headers
    with unit_of_work(engine) as db:
        organisation = db.get(Organisation, caller.organisation_id)
        assert organisation is not None
        other_token = f.token(db, organisation)
    second = Caller(caller.client, other_token, caller.organisation_id)
    assert limit_headers(second.get("usage")) == (18, 17, T0 + 900)


def test_organisation_overrides_and_the_off_switch(
    caller: Caller, clock: Clock, engine: Engine
) -> None:
    with unit_of_work(engine) as db:
        organisation = db.get(Organisation, caller.organisation_id)
        assert organisation is not None
        organisation.rate_limits = {"usage": "2/minute", "invoices": "off"}
    assert limit_headers(caller.get("usage")) == (2, 1, T0 + 60)
    assert caller.get("usage").status_code == 200
    assert caller.get("usage").status_code == 429
    invoices = caller.get("invoices")
    assert invoices.status_code == 200 and "X-RateLimit-Limit" not in invoices.headers
    # Endpoints without an override keep the deployment's limits.
    assert limit_headers(caller.get("sessions"))[0] == 18


def test_limits_can_be_switched_off_or_changed_for_the_deployment(
    engine: Engine, clock: Clock
) -> None:
    for caller in _caller(engine, Settings(rate_limits_enabled=False)):
        for _ in range(25):
            response = caller.get("usage")
            assert response.status_code == 200 and "X-RateLimit-Limit" not in response.headers
    for caller in _caller(engine, Settings(rate_limit_usage="5/second;7/minute")):
        assert limit_headers(caller.get("usage")) == (5, 4, T0 + 1)
