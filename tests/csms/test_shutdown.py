"""Shutdown closes every station's socket with 1001 (going away), so that stations
reconnect to another process; new stations are refused meanwhile."""

import json
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import anyio.to_thread
import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient, WebSocketDenialResponse
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.csms.conftest import Network
from tests.csms.helpers import SUBPROTOCOLS, FakeClock, Station, login, receive_frame
from tests.servers import running_servers

HEARTBEAT = '[2,"hb","Heartbeat",{}]'
TIMEOUT_S = 10


def test_the_app_shutdown_closes_station_sockets_with_going_away(
    make_app: Callable[..., FastAPI],
    network: Network,
    clock: FakeClock,
    background: ThreadPoolExecutor,
) -> None:
    client = TestClient(make_app())
    client.__enter__()
    session = client.websocket_connect(
        f"/ocpp/{network.identity}", subprotocols=SUBPROTOCOLS, headers=login(network.identity)
    )
    station = Station(session.__enter__(), clock)
    assert station.send(HEARTBEAT)[0] == 3

    # The test's station session must end after the lifespan shutdown and before the
    # client's event loop stops: hold the client there until it has.
    shut_down, release = threading.Event(), threading.Event()
    lifespan_shutdown = client.wait_shutdown

    async def wait_shutdown() -> None:
        await lifespan_shutdown()
        shut_down.set()
        await anyio.to_thread.run_sync(release.wait, abandon_on_cancel=True)

    client.wait_shutdown = wait_shutdown  # type: ignore[method-assign]
    exiting = background.submit(client.__exit__, None, None, None)
    try:
        assert receive_frame(station.ws) == {
            "type": "websocket.close",
            "code": 1001,
            "reason": "server shutting down",
        }
        assert shut_down.wait(TIMEOUT_S)
        with (
            pytest.raises(WebSocketDenialResponse) as refusal,
            client.websocket_connect(
                f"/ocpp/{network.identity}",
                subprotocols=SUBPROTOCOLS,
                headers=login(network.identity),
            ),
        ):
            pass
        assert refusal.value.status_code == 503
        session.__exit__(None, None, None)
    finally:
        release.set()
        exiting.result(timeout=TIMEOUT_S)


def test_sigterm_to_the_server_closes_station_sockets_with_going_away(
    database_url: str, network: Network
) -> None:
    """uvicorn would close them with 1012 before the lifespan shutdown; ours come first."""
    with running_servers(database_url, {}) as [server]:
        process = server.process
        url = server.base.replace("http://", "ws://") + f"/ocpp/{network.identity}"
        with connect(
            url,
            subprotocols=SUBPROTOCOLS,  # type: ignore[arg-type]
            open_timeout=TIMEOUT_S,
            additional_headers=login(network.identity),
        ) as ws:
            ws.send(HEARTBEAT)
            assert json.loads(ws.recv(timeout=TIMEOUT_S))[:2] == [3, "hb"]
            process.send_signal(signal.SIGTERM)
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=TIMEOUT_S)
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1001, "server shutting down")
        assert process.wait(timeout=TIMEOUT_S) is not None
