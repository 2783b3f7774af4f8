"""Two server processes sharing one Redis: a station connected to one is listed by both and
commanded through either; a process that dies drops out."""

import json
import signal
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import Engine
from typer.testing import CliRunner
from websockets.sync.client import ClientConnection, connect

from fleetcharge.cli.main import app
from fleetcharge.db import unit_of_work
from tests import factories as f
from tests.admin.helpers import ADMIN, account
from tests.csms.helpers import SUBPROTOCOLS, eventually, login
from tests.servers import running_servers

TIMEOUT_S = 10.0


def listed(base: str, auth: dict[str, str]) -> list[dict[str, Any]]:
    response = httpx.get(f"{base}{ADMIN}/stations/connected", headers=auth, timeout=TIMEOUT_S)
    assert response.status_code == 200, response.text
    stations: list[dict[str, Any]] = response.json()["data"]
    return stations


def call_frame(ws: ClientConnection) -> list[Any]:
    frame: list[Any] = json.loads(ws.recv(timeout=TIMEOUT_S))
    assert frame[0] == 2, frame
    return frame


def test_a_station_on_one_process_is_listed_and_stopped_through_another(
    database_url: str, engine: Engine, redis_url: str, redis_prefix: str
) -> None:
    with unit_of_work(engine) as db:
        identity = f.site(db, f.organisation(db)).station.ocpp_identity
    caller = account(engine, "support")
    auth, token = caller.headers, caller.token
    env = {
        "FLEETCHARGE_REDIS_URL": redis_url,
        "FLEETCHARGE_REDIS_KEY_PREFIX": redis_prefix,
        "FLEETCHARGE_OCPP_REGISTRY_REFRESH_SECONDS": "0.5",
        "FLEETCHARGE_OCPP_COMMAND_TIMEOUT_SECONDS": "3",
    }
    with (
        running_servers(database_url, env, count=2) as [holding, other],
        ThreadPoolExecutor(max_workers=1) as background,
    ):
        first, second = holding.base, other.base
        url = first.replace("http://", "ws://") + f"/ocpp/{identity}"
        with connect(
            url,
            subprotocols=SUBPROTOCOLS,  # type: ignore[arg-type]
            open_timeout=TIMEOUT_S,
            additional_headers=login(identity),
        ) as ws:
            ws.send(
                '[2,"1","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Available"}]'
            )
            assert json.loads(ws.recv(timeout=TIMEOUT_S)) == [3, "1", {}]

            (station,) = eventually(lambda: listed(second, auth))
            assert station["identity"] == identity
            assert [c["status"] for c in station["connectors"]] == ["Available"]
            # The same on both, but last_seen: the shared copy lags by up to a refresh period.
            assert [{**s, "last_seen": None} for s in listed(first, auth)] == [
                {**station, "last_seen": None}
            ]
            node = station["node"]

            cli = CliRunner().invoke(
                app, ["stations", "connected", "--json", "--server", second, "--token", token]
            )
            assert cli.exit_code == 0, cli.output
            assert [s["identity"] for s in json.loads(cli.stdout)] == [identity]

            stop = background.submit(
                httpx.post,
                f"{second}{ADMIN}/stations/{identity}/remote-stop",
                json={"transactionId": 17},
                headers=auth,
                timeout=TIMEOUT_S,
            )
            frame = call_frame(ws)
            assert frame[2:] == ["RemoteStopTransaction", {"transactionId": 17}]
            ws.send(json.dumps([3, frame[1], {"status": "Accepted"}]))
            response = stop.result(timeout=TIMEOUT_S)
            assert response.status_code == 200, response.text
            assert response.json() == {
                "station": identity,
                "action": "RemoteStopTransaction",
                "status": "Accepted",
                "node": node,
                "answer": {"status": "Accepted"},
            }

            # The holding process's own timeout comes back through Redis as a 504.
            unanswered = httpx.post(
                f"{second}{ADMIN}/stations/{identity}/unlock",
                json={"connectorId": 1},
                headers=auth,
                timeout=TIMEOUT_S,
            )
            assert unanswered.status_code == 504
            assert unanswered.json()["error"]["code"] == "station_timeout"
            assert call_frame(ws)[2] == "UnlockConnector"

            missing = httpx.post(
                f"{second}{ADMIN}/stations/NO-SUCH-STATION/reset", json={}, headers=auth
            )
            assert missing.status_code == 404
            assert missing.json()["error"]["code"] == "station_not_connected"

            # The process holding the socket dies without a word: commands fail at once,
            # and it drops out of the registry within three refresh periods.
            holding.process.send_signal(signal.SIGKILL)
            holding.process.wait(timeout=TIMEOUT_S)

            def refused_at_once() -> bool:
                path = f"{second}{ADMIN}/stations/{identity}/reset"
                response = httpx.post(path, json={}, headers=auth, timeout=TIMEOUT_S)
                return response.status_code == 404

            assert eventually(refused_at_once)
            assert eventually(lambda: listed(second, auth) == [])
