"""`fleetcharge stations connected | remote-stop | unlock | reset`: the connected charge
stations, and commands sent to them.

Talks to a running server's admin API over HTTP with an admin token whose role may send
station commands (admin, support): the stations' sockets live in the server processes.
Exit codes: 0 done, 1 the server or the station could not do it (unreachable, not
connected, rejected, timed out), 2 bad arguments.
"""

import json
from datetime import datetime
from typing import Annotated, Any, Literal

import httpx
import typer
from rich.table import Table

from fleetcharge.cli.common import console, fail, print_table, server_url
from fleetcharge.csms.command_schemas import MAX_INT32

DEFAULT_SERVER = "http://127.0.0.1:8000"
# The server waits 30 s for a station by default; leave it time to say so itself.
REQUEST_TIMEOUT_S = 60.0
SUCCESS_STATUSES = frozenset({"Accepted", "Unlocked", "Scheduled"})

Server = Annotated[
    str,
    typer.Option("--server", help="Base URL of a fleetcharge server.", envvar="FLEETCHARGE_SERVER"),
]
AdminToken = Annotated[
    str | None,
    typer.Option(
        "--token",
        help="An admin token (fca_...) of an admin or support account.",
        envvar="FLEETCHARGE_ADMIN_TOKEN",
        show_default=False,
    ),
]
StationArg = Annotated[str, typer.Argument(help="The station's OCPP identity.", show_default=False)]


class AdminClient:
    def __init__(self, server: str, token: str | None) -> None:
        self.server = server_url(server, "--server", ("http", "https")).rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """The JSON answer of a successful call; anything else ends the command."""
        try:
            response = httpx.request(
                method,
                f"{self.server}/api/admin/v1{path}",
                json=body,
                headers=self.headers,
                timeout=httpx.Timeout(REQUEST_TIMEOUT_S, connect=5.0),
            )
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
            raise fail(f"invalid --server {self.server!r}: {error}", 2) from None
        except httpx.TimeoutException:
            raise fail(f"no answer from {self.server} within {REQUEST_TIMEOUT_S:g} s", 1) from None
        except httpx.TransportError as error:
            raise fail(
                f"cannot reach the server at {self.server} ({error}); is `fleetcharge serve` "
                "running there?",
                1,
            ) from None
        if response.status_code == 200:
            try:
                return response.json()
            except ValueError:
                raise fail(f"{self.server} answered with something else than JSON", 1) from None
        raise fail(self._explain(response), 2 if response.status_code == 400 else 1)

    def _explain(self, response: httpx.Response) -> str:
        try:
            message = str(response.json()["error"]["message"])
        except (ValueError, KeyError, TypeError):
            message = f"HTTP {response.status_code} from {self.server}"
        if response.status_code == 401:
            message += "; pass --token or set FLEETCHARGE_ADMIN_TOKEN"
        return message


def send_command(
    server: str, token: str | None, identity: str, path: str, body: dict[str, Any]
) -> dict[str, Any]:
    """POST the command to the admin API and print the station's answer; the answer, or exit
    1 when the station refused."""
    answer: dict[str, Any] = AdminClient(server, token).request(
        "POST", f"/stations/{identity}/{path}", body
    )
    status = answer["status"]
    line = f"{identity}: {answer['action']} {status or 'answered'}"
    if status is not None and status not in SUCCESS_STATUSES:
        raise fail(f"{line} (the station refused)", 1)
    console.print(line)
    return answer


def connected(
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the server's JSON.")] = False,
) -> None:
    """Connected stations, each connector's latest status and the last message.

    With Redis, the stations of every server process sharing it.
    """
    stations = AdminClient(server, token).request("GET", "/stations/connected")["data"]
    if as_json:
        typer.echo(json.dumps(stations, indent=2))
        return
    if not stations:
        console.print("No charge station is connected.")
        return
    table = Table(title=f"{len(stations)} connected charge station(s)", title_justify="left")
    for column in ("Station", "EVSE id", "Connected since", "Last seen", "Connectors", "Boot"):
        table.add_column(column)
    table.add_column("Node", overflow="fold")
    for station in stations:
        table.add_row(
            station["identity"],
            station.get("evse_id") or "",
            _when(station["connected_since"]),
            _when(station["last_seen"]),
            _connectors(station.get("connectors") or []),
            _boot(station.get("boot") or {}),
            station["node"],
        )
    print_table(table)


def remote_stop(
    station: StationArg,
    transaction: Annotated[
        int, typer.Argument(help="The OCPP transactionId.", min=0, max=MAX_INT32)
    ],
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
) -> None:
    """Ask the station to stop a transaction (RemoteStopTransaction)."""
    send_command(server, token, station, "remote-stop", {"transactionId": transaction})


def unlock(
    station: StationArg,
    connector: Annotated[int, typer.Option(help="Connector to unlock.", min=1, max=MAX_INT32)] = 1,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
) -> None:
    """Unlock a connector (UnlockConnector); a transaction on it is stopped first."""
    send_command(server, token, station, "unlock", {"connectorId": connector})


def reset(
    station: StationArg,
    hard: Annotated[bool, typer.Option("--hard", help="Hard reset (reboot now).")] = False,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
) -> None:
    """Reset the station (Soft: after stopping its transactions; --hard: at once)."""
    kind: Literal["Soft", "Hard"] = "Hard" if hard else "Soft"
    send_command(server, token, station, "reset", {"type": kind})


def _when(text: str) -> str:
    return datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M:%S UTC")


def _connectors(connectors: list[dict[str, Any]]) -> str:
    return ", ".join(
        f"{c['connector_id']}: {c.get('status') or 'unknown'}"
        + (f" ({c['error_code']})" if c.get("error_code") not in (None, "NoError") else "")
        for c in connectors
    )


def _boot(boot: dict[str, Any]) -> str:
    parts = [boot.get("vendor"), boot.get("model"), boot.get("firmware_version")]
    return " ".join(part for part in parts if part)


def register(app: typer.Typer) -> None:
    app.command()(connected)
    app.command("remote-stop")(remote_stop)
    app.command()(unlock)
    app.command()(reset)
