"""The shared station registry in Redis follows this process's connections: written at
once on connect and disconnect, last_seen refreshed periodically, withdrawn on shutdown."""

import json
import time
from collections.abc import Callable

import redis
from fastapi import FastAPI
from starlette.testclient import TestClient

from tests.csms.conftest import Network
from tests.csms.helpers import FakeClock, connected, eventually

REFRESH_S = 0.5  # entries expire after 3 periods: 2 s, rounded


def test_the_shared_registry_follows_the_connections(
    make_app: Callable[..., FastAPI],
    network: Network,
    clock: FakeClock,
    redis_url: str,
    redis_prefix: str,
) -> None:
    app = make_app(
        redis_url=redis_url,
        redis_key_prefix=redis_prefix,
        ocpp_registry_refresh_seconds=str(REFRESH_S),
    )
    store = redis.Redis.from_url(redis_url, decode_responses=True)
    nodes = f"{redis_prefix}:ocpp:nodes"
    with TestClient(app) as client:
        node = app.state.central_system.router.node
        stations = f"{redis_prefix}:ocpp:node:{node}:stations"
        alive_until = eventually(lambda: store.zscore(nodes, node), timeout=5)
        assert time.time() < alive_until <= time.time() + 3 * REFRESH_S + 1

        with connected(client, network.identity, clock) as cp:
            entry = json.loads(eventually(lambda: store.hget(stations, network.identity), 5))
            assert entry["station_id"] == network.station_id
            assert entry["node"] == node
            assert entry["connected_since"] <= entry["last_seen"] <= time.time()
            time.sleep(REFRESH_S)
            assert cp.send('[2,"hb","Heartbeat",{}]')[0] == 3

            def refreshed() -> bool:
                text = store.hget(stations, network.identity)
                return text is not None and json.loads(text)["last_seen"] > entry["last_seen"]

            eventually(refreshed, timeout=5)
            assert 0 < store.pttl(stations) <= 2000  # dies with the process

        eventually(lambda: store.hget(stations, network.identity) is None, timeout=5)
    assert store.zscore(nodes, node) is None
    assert not store.exists(stations)
    store.close()
