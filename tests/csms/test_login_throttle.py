"""Failed station logins back off per address: the guesser waits, longer each time; the
station itself, from its own address, does not. Guessing one station from many addresses is
slowed to one attempt per turn, except from addresses the station logged in from."""

import asyncio
import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine
from starlette.testclient import TestClient, WebSocketDenialResponse

from fleetcharge.csms.login_gates import CHECKS_AT_ONCE
from fleetcharge.csms.login_throttle import (
    FORGET_AFTER_S,
    FREE_FAILURES_PER_ADDRESS,
    FREE_FAILURES_PER_IDENTITY,
    FREE_FAILURES_PER_STATION,
    LONGEST_WAIT_S,
    TURN_S,
    LoginThrottle,
    record_failure,
    wait_for,
)
from fleetcharge.db import unit_of_work
from fleetcharge.models import Station
from fleetcharge.network.password_hashing import hash_password
from fleetcharge.ratelimit.login_counts import MemoryCounts
from tests.csms.conftest import Network


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def wait(throttle: LoginThrottle, identity: str, address: str) -> float:
    async def check() -> float:
        try:
            return await throttle.wait(identity, address)
        finally:
            throttle.settle()  # as the transport does when the handshake is over

    return asyncio.run(check())


def fail(throttle: LoginThrottle, identity: str, address: str, times: int = 1) -> None:
    for _ in range(times):
        asyncio.run(throttle.failed(identity, address))


def test_guesses_from_one_address_wait_longer_each_time() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    for _ in range(FREE_FAILURES_PER_STATION - 1):
        fail(throttle, "CP-1", "10.0.0.66")
        assert wait(throttle, "CP-1", "10.0.0.66") == 0
    waits = []
    for _ in range(4):
        fail(throttle, "CP-1", "10.0.0.66")
        waits.append(wait(throttle, "CP-1", "10.0.0.66"))
    assert waits == [1.0, 2.0, 4.0, 8.0]
    assert wait(throttle, "CP-1", "10.0.0.7") == 0  # the station's own address
    assert wait(throttle, "CP-2", "10.0.0.66") == 0  # another station, below the address's share
    clock.now += 8.0
    assert wait(throttle, "CP-1", "10.0.0.66") == 0
    clock.now += FORGET_AFTER_S + 1
    fail(throttle, "CP-1", "10.0.0.66")
    assert wait(throttle, "CP-1", "10.0.0.66") == 0  # old failures forgotten


def test_an_address_guessing_many_stations_waits_for_all() -> None:
    throttle = LoginThrottle(clock=Clock())
    for n in range(FREE_FAILURES_PER_ADDRESS):
        fail(throttle, f"CP-{n}", "10.0.0.66")
    assert wait(throttle, "CP-NEW", "10.0.0.66") > 0
    assert wait(throttle, "CP-NEW", "10.0.0.7") == 0


def test_guessing_one_station_from_many_addresses_is_slowed_but_its_own_address_is_not() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    asyncio.run(throttle.succeeded("CP-1", "10.0.0.7"))  # the station, from its own address
    # Each address stays below its own free failures; together they spend the station's.
    for n in range(FREE_FAILURES_PER_IDENTITY):
        fail(throttle, "CP-1", f"10.1.{n // 200}.{n % 200}")
    assert wait(throttle, "CP-1", "10.9.0.1") == 0  # a new address takes the turn
    assert wait(throttle, "CP-1", "10.9.0.2") == TURN_S  # the others wait for the next
    assert wait(throttle, "CP-1", "10.9.0.1") == TURN_S
    assert wait(throttle, "CP-1", "10.0.0.7") == 0  # the station is not held up
    assert wait(throttle, "CP-2", "10.9.0.2") == 0  # nor is another station
    clock.now += TURN_S
    assert wait(throttle, "CP-1", "10.9.0.2") == 0  # slowed, not locked out
    clock.now += FORGET_AFTER_S + 1
    assert wait(throttle, "CP-1", "10.9.0.3") == 0
    assert wait(throttle, "CP-1", "10.9.0.4") == 0  # the guessing is forgotten


def test_concurrent_guesses_from_one_address_each_see_the_failures_before_them() -> None:
    throttle = LoginThrottle(clock=Clock())

    async def guess() -> bool:
        """Whether the password was checked."""
        try:
            if await throttle.wait("CP-1", "10.0.0.66"):
                return False
            await asyncio.sleep(0.01)  # the password hash
            await throttle.failed("CP-1", "10.0.0.66")
            return True
        finally:
            throttle.settle()

    async def flood() -> list[bool]:
        return await asyncio.gather(*(guess() for _ in range(12)))

    checked = asyncio.run(flood()).count(True)
    # Two checks at a time: the last pair may both pass on the failures before them.
    assert CHECKS_AT_ONCE == 2
    assert checked in (FREE_FAILURES_PER_STATION, FREE_FAILURES_PER_STATION + 1)
    assert len(throttle.gates) == 0  # nothing left held


@given(
    st.lists(
        st.tuples(st.sampled_from("ab"), st.sampled_from("xyz"), st.floats(0, 100)), max_size=80
    )
)
def test_a_wait_is_never_longer_than_the_longest(events: list[tuple[str, str, float]]) -> None:
    counts = MemoryCounts(FORGET_AFTER_S)
    now = 0.0
    for identity, address, later in events:
        now += later
        record_failure(counts, identity, address, now)
        assert 0 <= wait_for(counts, identity, address, now) <= LONGEST_WAIT_S


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def _status(client: TestClient, path: str, headers: dict[str, str]) -> int:
    try:
        with client.websocket_connect(path, subprotocols=["ocpp1.6"], headers=headers):
            return 101
    except WebSocketDenialResponse as refusal:
        return refusal.status_code


def test_a_guessing_client_is_told_to_wait(
    client: TestClient, engine: Engine, network: Network
) -> None:
    with unit_of_work(engine) as db:
        station = db.get(Station, network.station_id)
        assert station is not None
        station.password_hash = hash_password("the-real-password")
    path = f"/ocpp/{network.identity}"
    guesses = [
        _status(client, path, _basic(network.identity, f"guess-{n}"))
        for n in range(FREE_FAILURES_PER_STATION)
    ]
    assert guesses == [401] * FREE_FAILURES_PER_STATION
    # Even the right password is not checked from this address until the wait is over.
    assert _status(client, path, _basic(network.identity, "the-real-password")) == 429


@pytest.fixture(autouse=True)
def _quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheaper scrypt for these tests: the throttle is under test, not the hash."""
    import fleetcharge.network.password_hashing as hashing

    monkeypatch.setattr(hashing, "_N", 2**10)
