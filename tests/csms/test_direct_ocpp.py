"""The served ASGI app hands /ocpp/{identity} straight to the central system, and
everything else to the API as before."""

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient, WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

from fleetcharge.csms.direct_ocpp import DirectOcpp, _identity
from tests.csms.conftest import NOW, Network
from tests.csms.helpers import FakeClock, connected, iso_ms


@pytest.mark.parametrize(
    ("scope", "identity"),
    [
        ({"type": "websocket", "path": "/ocpp/CP1"}, "CP1"),
        ({"type": "websocket", "path": "/ocpp/CP 1"}, "CP 1"),
        ({"type": "websocket", "path": "/ocpp/"}, None),
        ({"type": "websocket", "path": "/ocpp/CP1/extra"}, None),
        ({"type": "websocket", "path": "/other/CP1"}, None),
        ({"type": "websocket", "path": "/ocpp/CP1", "root_path": "/base"}, None),
        ({"type": "http", "path": "/ocpp/CP1"}, None),
    ],
)
def test_only_what_the_ocpp_route_would_take_is_short_circuited(
    scope: dict[str, str], identity: str | None
) -> None:
    assert _identity(scope) == identity


def test_stations_and_api_calls_are_served_alike(
    make_app: Callable[..., FastAPI], network: Network, clock: FakeClock
) -> None:
    with TestClient(DirectOcpp(make_app())) as client:
        with connected(client, network.identity, clock) as station:
            assert station.result(
                "BootNotification", {"chargePointVendor": "A", "chargePointModel": "B"}
            ) == {"currentTime": iso_ms(NOW), "interval": 300, "status": "Accepted"}
        with pytest.raises(WebSocketDenialResponse) as refused, connected(client, "NOBODY", clock):
            pass
        assert refused.value.status_code == 404
        with pytest.raises(WebSocketDisconnect), connected(client, "CP/extra", clock):
            pass
        assert client.get("/healthz").status_code == 200
