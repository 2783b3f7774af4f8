"""Authorize requests per connection: a burst, then a steady rate; beyond, a CallError (no
idTagInfo a station would cache), logged once per run of refusals."""

import logging
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from limits import parse_many
from ocpp.exceptions import GenericError
from starlette.testclient import TestClient

from fleetcharge.csms.authorize_limit import AuthorizeBudget
from tests.csms.conftest import Network
from tests.csms.helpers import FakeClock, connected


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def budget(limit: str, clock: Clock) -> AuthorizeBudget:
    return AuthorizeBudget("CP-1", tuple(parse_many(limit)), clock)


def refused(budget: AuthorizeBudget) -> GenericError | None:
    try:
        budget.take()
    except GenericError as error:
        return error
    return None


def test_a_burst_then_one_per_period_share(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    limited = budget("3/minute", clock)
    with caplog.at_level(logging.WARNING, "fleetcharge.csms.authorize_limit"):
        assert [refused(limited) for _ in range(3)] == [None, None, None]
        error = refused(limited)
        assert error is not None
        assert error.details == {"cause": "too many Authorize requests: retry in 20 s"}
        assert refused(limited) is not None
        clock.now += 20
        assert refused(limited) is None
        assert refused(limited) is not None
    refusals = [r.getMessage() for r in caplog.records]
    assert (
        refusals
        == [
            "charge station CP-1: Authorize requests beyond 3 per 1 minute refused (CallError) "
            "until they slow down"
        ]
        * 2
    )  # once for each run of refusals, not for each refusal


def test_every_window_must_have_room() -> None:
    clock = Clock()
    limited = budget("2/second;3/minute", clock)
    assert [refused(limited) is None for _ in range(3)] == [True, True, False]  # the second's
    clock.now += 1
    assert [refused(limited) is None for _ in range(3)] == [True, False, False]  # the minute's
    clock.now += 19
    assert refused(limited) is None


@given(
    burst=st.integers(1, 10),
    period_s=st.integers(1, 120),
    gaps=st.lists(st.floats(0, 30), max_size=60),
)
def test_never_more_than_the_burst_and_the_rate_allow(
    burst: int, period_s: int, gaps: list[float]
) -> None:
    """In any span of time, accepted requests <= what the bucket held and refilled; and
    requests spaced by at least period / burst are all accepted."""
    clock = Clock()
    limited = budget(f"{burst}/{period_s}seconds", clock)
    accepted = []
    for gap in gaps:
        clock.now += gap
        if refused(limited) is None:
            accepted.append(clock.now)
    rate = burst / period_s
    for i, first in enumerate(accepted):
        for j in range(i, len(accepted)):
            assert j - i + 1 <= burst + rate * (accepted[j] - first) + 1e-9
    spaced = budget(f"{burst}/{period_s}seconds", clock)
    for _ in range(3 * burst):
        clock.now += period_s / burst
        assert refused(spaced) is None


def test_over_the_socket_the_connection_stays_open(
    make_app: Callable[..., FastAPI], network: Network, clock: FakeClock
) -> None:
    app = make_app(ocpp_authorize_limit="3/minute")
    authorize = {"idTag": network.id_tag}
    with TestClient(app) as client:
        with connected(client, network.identity, clock) as cp:
            answers = [cp.call("Authorize", authorize) for _ in range(4)]
            assert [a[0] for a in answers] == [3, 3, 3, 4]
            assert answers[0][2] == {"idTagInfo": {"status": "Accepted"}}
            assert answers[3][2:] == [
                "GenericError",
                "too many Authorize requests",
                {"cause": "too many Authorize requests: retry in 20 s"},
            ]
            assert cp.result("Heartbeat", {})["currentTime"]
        with connected(client, network.identity, clock) as cp:  # a budget per connection
            assert cp.result("Authorize", authorize) == {"idTagInfo": {"status": "Accepted"}}


def test_off_means_no_limit(
    make_app: Callable[..., FastAPI], network: Network, clock: FakeClock
) -> None:
    app = make_app(ocpp_authorize_limit="off")
    with TestClient(app) as client, connected(client, network.identity, clock) as cp:
        for _ in range(50):
            assert cp.result("Authorize", {"idTag": network.id_tag})
