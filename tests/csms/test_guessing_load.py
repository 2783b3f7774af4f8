"""The issue's probe over real sockets: 60 concurrent wrong-password handshakes (from 60
addresses, each at a station of its own, so that nothing but the hashing holds them back),
while other stations keep talking. Their round trips stay close to the quiet ones (password
hashes run on threads of their own), and each guesser is answered 429 once its free failures
are spent."""

import asyncio
import statistics
import time

import pytest
from sqlalchemy import Engine
from websockets.asyncio.client import ClientConnection

import fleetcharge.network.password_hashing as hashing
from fleetcharge.csms.login_throttle import FREE_FAILURES_PER_STATION
from fleetcharge.db import unit_of_work
from fleetcharge.simulator.connection import open_websocket
from fleetcharge.simulator.model import ConnectionFailed
from tests import factories as f
from tests.servers import running_server

PASSWORD = "the-stations-password"
HONEST = 4
ATTACKERS = 60
QUIET_S = 2.0
TIMEOUT_S = 120
HEARTBEAT = '[2,"hb","Heartbeat",{}]'
STATUS = (
    '[2,"st","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Available"}]'
)


async def talk(ws: ClientConnection, done: asyncio.Event) -> list[float]:
    """Heartbeats and StatusNotifications (these use the worker threads and the database),
    one after the other until `done`: their round trips in ms."""
    rtts: list[float] = []
    while not done.is_set():
        started = time.perf_counter()
        await ws.send(HEARTBEAT if len(rtts) % 2 else STATUS)
        assert str(await asyncio.wait_for(ws.recv(), 30)).startswith("[3")
        rtts.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.02)
    return rtts


async def guess(url: str, identity: str, address: str) -> list[int]:
    """Wrong passwords, one handshake after another until told to wait: the statuses."""
    statuses: list[int] = []
    while 429 not in statuses:
        try:
            ws = await open_websocket(f"{url}/{identity}", identity, "guess", 30, address)
        except ConnectionFailed as refused:
            assert refused.status is not None, refused
            statuses.append(refused.status)
            continue
        await ws.close()
        statuses.append(101)
    return statuses


async def probe(
    url: str, honest: list[str], targets: list[str]
) -> tuple[list[float], list[float], list[list[int]]]:
    """Round trips of the honest stations, quiet then during the guessing; each guesser's
    statuses."""
    stations = [await open_websocket(f"{url}/{i}", i, PASSWORD, 30) for i in honest]
    done = asyncio.Event()
    quiet = asyncio.gather(*(talk(ws, done) for ws in stations))
    await asyncio.sleep(QUIET_S)
    done.set()
    await quiet
    done = asyncio.Event()
    loud = asyncio.gather(*(talk(ws, done) for ws in stations))
    guesses = await asyncio.gather(
        *(guess(url, target, f"127.0.1.{n + 1}") for n, target in enumerate(targets))
    )
    done.set()
    await loud
    for ws in stations:
        await ws.close()
    return _flat(quiet.result()), _flat(loud.result()), guesses


def _flat(lists: list[list[float]]) -> list[float]:
    return [ms for each in lists for ms in each]


def test_guessing_does_not_slow_the_other_stations_and_is_told_to_wait(
    database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A hash a quarter as costly as the default (its cost is stored with it), so that the
    # guessers spend their free failures soon: 300 hashes, about 4 s on 2 threads.
    monkeypatch.setattr(hashing, "_N", 2**12)
    secret = hashing.hash_password(PASSWORD)
    with unit_of_work(engine) as db:
        host = f.organisation(db)
        stations = [f.site(db, host).station for _ in range(HONEST + ATTACKERS)]
        for station in stations:
            station.password_hash = secret
        identities = [s.ocpp_identity for s in stations]
    with running_server(database_url, {"FLEETCHARGE_LOG_LEVEL": "WARNING"}) as base:
        url = base.replace("http://", "ws://") + "/ocpp"
        quiet, loud, guesses = asyncio.run(
            asyncio.wait_for(probe(url, identities[:HONEST], identities[HONEST:]), TIMEOUT_S)
        )
    quiet_ms, loud_ms = statistics.median(quiet), statistics.median(loud)
    loud_p99 = statistics.quantiles(loud, n=100)[98]
    print(
        f"round trip median: quiet {quiet_ms:.1f} ms, during the guessing {loud_ms:.1f} ms "
        f"(p99 {loud_p99:.0f} ms, {len(loud)} round trips)"
    )
    # The issue measured 9 ms -> 1.4 s; with the hashes on the threads station messages use,
    # this gives 3 ms -> 90 to 120 ms (p99 1.6 to 2 s). Generous for a loaded machine.
    assert loud_ms <= 5 * quiet_ms + 20
    assert loud_p99 < 1000
    # Each guesser is told to wait as soon as its free failures are spent.
    free = FREE_FAILURES_PER_STATION
    assert guesses == [[401] * free + [429]] * ATTACKERS
