"""What one process takes on: connections, handshakes under way (per address too), refused
with 503 and logged without a line for each refusal of a flood."""

import logging
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.testclient import TestClient, WebSocketDenialResponse

from fleetcharge.csms.bounds import ConnectionBounds, Slot
from fleetcharge.csms.refusal_log import LINES_PER_WINDOW, WINDOW_S, RefusalLog
from fleetcharge.csms.schemas import Rejection
from fleetcharge.db import unit_of_work
from fleetcharge.models import Organisation
from tests import factories as f
from tests.csms.conftest import Network
from tests.csms.helpers import FakeClock, connected

HEARTBEAT = '[2,"hb","Heartbeat",{}]'


def slot(bounds: ConnectionBounds, address: str) -> Slot:
    opened = bounds.open(address)
    assert isinstance(opened, Slot), opened
    return opened


def refusal(bounds: ConnectionBounds, address: str) -> str:
    opened = bounds.open(address)
    assert isinstance(opened, Rejection) and opened.status_code == 503, opened
    return opened.reason


def test_connections_and_handshakes_are_bounded() -> None:
    bounds = ConnectionBounds(max_connections=3, max_handshakes=2, max_handshakes_per_address=1)
    first = slot(bounds, "10.0.0.1")
    assert refusal(bounds, "10.0.0.1") == "too many handshakes under way from this address"
    second = slot(bounds, "10.0.0.2")
    assert refusal(bounds, "10.0.0.3") == "too many handshakes under way: try again shortly"
    first.authenticated()  # admitted: a connection, no longer a handshake
    third = slot(bounds, "10.0.0.1")
    assert refusal(bounds, "10.0.0.4") == "this server holds its most station connections (3)"
    second.close()
    third.close()
    third.close()  # once only
    assert (bounds.connections, bounds.handshakes) == (1, 0)
    slot(bounds, "10.0.0.4").close()
    first.close()
    assert (bounds.connections, bounds.handshakes) == (0, 0)


def test_a_connection_beyond_the_most_is_refused_and_the_others_keep_talking(
    make_app: Callable[..., FastAPI], engine: Engine, network: Network, clock: FakeClock
) -> None:
    with unit_of_work(engine) as db:
        host = db.get(Organisation, network.host_id)
        assert host is not None
        others = [f.site(db, host).station.ocpp_identity for _ in range(2)]
    with (
        TestClient(make_app(ocpp_max_connections="2")) as client,
        connected(client, network.identity, clock) as first,
    ):
        with connected(client, others[0], clock):
            with (
                pytest.raises(WebSocketDenialResponse) as refused,
                connected(client, others[1], clock),
            ):
                pass
            assert refused.value.status_code == 503
            assert "most station connections (2)" in refused.value.text
            assert first.send(HEARTBEAT)[0] == 3
        with connected(client, others[1], clock) as third:  # a place came free
            assert third.send(HEARTBEAT)[0] == 3


def test_a_flood_of_refusals_is_logged_in_a_few_lines(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    log = RefusalLog(logging.getLogger("test.refusals"), clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, "test.refusals"):
        for n in range(25):
            log.warning(503, "refused %s", n)
        log.warning(401, "refused %s", "another kind")
        now[0] += WINDOW_S
        log.warning(503, "refused %s", "later")
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        *(f"refused {n}" for n in range(LINES_PER_WINDOW)),
        "further handshakes refused with 503 are counted, not logged, for 60 s",
        "refused another kind",
        "15 more handshakes refused with 503 in 60 s (not logged one by one)",
        "refused later",
    ]
