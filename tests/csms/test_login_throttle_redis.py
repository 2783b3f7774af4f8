"""Failed station logins counted in Redis: throttles of several processes back off together."""

import asyncio
import logging
from typing import Any

import pytest
from sqlalchemy import Engine
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from fleetcharge.csms.login_throttle import (
    FREE_FAILURES_PER_IDENTITY,
    FREE_FAILURES_PER_STATION,
    TURN_S,
    LoginThrottle,
)
from fleetcharge.db import unit_of_work
from fleetcharge.network.password_hashing import hash_password
from fleetcharge.ratelimit.service import make_storage
from fleetcharge.simulator.connection import basic_auth
from tests import factories as f
from tests.servers import running_servers


def throttles(redis_url: str, prefix: str, count: int = 2) -> list[LoginThrottle]:
    """One throttle per 'process', each with its own connection to the same Redis."""
    return [LoginThrottle(make_storage(redis_url, prefix, 2.0)) for _ in range(count)]


def test_two_throttles_share_their_counts(redis_url: str, redis_prefix: str) -> None:
    first, second = throttles(redis_url, redis_prefix)

    async def scenario() -> list[float]:
        for n in range(FREE_FAILURES_PER_STATION):
            await (first, second)[n % 2].failed("CP-1", "10.0.0.66")
        return [
            await first.wait("CP-1", "10.0.0.66"),
            await second.wait("CP-1", "10.0.0.66"),
            await second.wait("CP-1", "10.0.0.7"),
        ]

    by_first, by_second, elsewhere = asyncio.run(scenario())
    assert 0.9 < by_first <= 1.0 and 0.9 < by_second <= 1.0
    assert elsewhere == 0


def test_the_turn_at_a_guessed_station_is_taken_once_across_processes(
    redis_url: str, redis_prefix: str
) -> None:
    first, second = throttles(redis_url, redis_prefix)

    async def scenario() -> list[float]:
        await first.succeeded("CP-1", "10.0.0.7")
        for n in range(FREE_FAILURES_PER_IDENTITY):
            await (first, second)[n % 2].failed("CP-1", f"10.1.0.{n}")
        return [
            await first.wait("CP-1", "10.9.0.1"),
            await second.wait("CP-1", "10.9.0.2"),
            await second.wait("CP-1", "10.0.0.7"),
        ]

    took, waits, own = asyncio.run(scenario())
    assert took == 0
    assert TURN_S - 1 < waits <= TURN_S
    assert own == 0  # known to the other process too


def test_without_redis_each_process_counts_its_own(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    throttle = LoginThrottle(make_storage("redis://127.0.0.1:1/0", "nowhere", 0.5))
    assert throttle.shared is not None
    asked = []
    fail = throttle.shared.fail

    def counted(*args: Any) -> Any:
        asked.append(args)
        return fail(*args)

    monkeypatch.setattr(throttle.shared, "fail", counted)

    async def scenario() -> float:
        for _ in range(FREE_FAILURES_PER_STATION):
            await throttle.failed("CP-1", "10.0.0.66")
        return await throttle.wait("CP-1", "10.0.0.66")

    with caplog.at_level(logging.WARNING, "fleetcharge.csms.login_throttle"):
        assert asyncio.run(scenario()) > 0
    assert len(caplog.records) == 1  # said once, not at every login
    assert len(asked) == 1  # and not asked again at every login (it could hang each one)
    assert "Redis unavailable" in caplog.records[0].getMessage()


def test_two_server_processes_back_off_together(
    database_url: str, engine: Engine, redis_url: str, redis_prefix: str
) -> None:
    with unit_of_work(engine) as db:
        station = f.site(db, f.organisation(db)).station
        station.password_hash = hash_password("the-real-password")
        identity = station.ocpp_identity
    env = {"FLEETCHARGE_REDIS_URL": redis_url, "FLEETCHARGE_REDIS_KEY_PREFIX": redis_prefix}
    with running_servers(database_url, env, count=2) as servers:
        statuses = []
        for n in range(FREE_FAILURES_PER_STATION + 2):
            base = servers[n % 2].base.replace("http://", "ws://")
            statuses.append(_handshake(f"{base}/ocpp/{identity}", identity, f"guess-{n}"))
    assert statuses == [401] * FREE_FAILURES_PER_STATION + [429, 429]


def _handshake(url: str, user: str, password: str) -> int:
    try:
        with connect(
            url,
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
            additional_headers={"Authorization": basic_auth(user, password)},
            open_timeout=10,
        ):
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code
