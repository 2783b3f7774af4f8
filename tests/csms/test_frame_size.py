"""A frame over the size bound closes only its own connection (1009), in a real server."""

import pytest
from sqlalchemy import Engine
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from fleetcharge.db import unit_of_work
from fleetcharge.simulator.connection import OCPP16
from tests import factories as f
from tests.csms.helpers import login
from tests.servers import running_server

HEARTBEAT = '[2,"hb","Heartbeat",{}]'


def station(url: str, identity: str) -> ClientConnection:
    return connect(url + identity, subprotocols=[OCPP16], additional_headers=login(identity))


def test_an_oversized_frame_closes_its_connection_only(database_url: str, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        host = f.organisation(db)
        big, small = f.site(db, host).station, f.site(db, host).station
        identities = big.ocpp_identity, small.ocpp_identity
    env = {"FLEETCHARGE_OCPP_MAX_FRAME_BYTES": "65536"}
    with running_server(database_url, env) as base:
        url = base.replace("http://", "ws://") + "/ocpp/"
        with (
            connect(
                url + identities[0],
                subprotocols=[OCPP16],
                additional_headers=login(identities[0]),
            ) as hostile,
            connect(
                url + identities[1],
                subprotocols=[OCPP16],
                additional_headers=login(identities[1]),
            ) as neighbour,
        ):
            hostile.send(HEARTBEAT)
            assert '"hb"' in str(hostile.recv(timeout=10))
            hostile.send('[2,"big","DataTransfer",{"vendorId":"V","data":"' + "x" * 70_000 + '"}]')
            with pytest.raises(ConnectionClosed) as closed:
                hostile.recv(timeout=10)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
            neighbour.send(HEARTBEAT)
            assert '"hb"' in str(neighbour.recv(timeout=10))
