"""`fleetcharge stations remote-start | clear-cache | data-transfer | trigger | availability |
configuration | configure`: the Core and Remote Trigger profiles' commands to a connected
station, and its configuration keys as stored.

Like the other station commands they talk to a running server's admin API (see
`station_commands`). Exit codes: 0 done, 1 the server or the station could not do it
(unreachable, not connected, rejected, timed out), 2 bad arguments.
"""

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from fleetcharge.cli.common import console, fail, print_records
from fleetcharge.cli.station_commands import (
    DEFAULT_SERVER,
    AdminClient,
    AdminToken,
    Server,
    StationArg,
    send_command,
)
from fleetcharge.csms.command_schemas import MAX_INT32

AsJson = Annotated[bool, typer.Option("--json", help="Print the server's JSON.")]


class Trigger(StrEnum):
    BootNotification = "BootNotification"
    DiagnosticsStatusNotification = "DiagnosticsStatusNotification"
    FirmwareStatusNotification = "FirmwareStatusNotification"
    Heartbeat = "Heartbeat"
    MeterValues = "MeterValues"
    StatusNotification = "StatusNotification"


class Availability(StrEnum):
    Operative = "Operative"
    Inoperative = "Inoperative"


def remote_start(
    station: StationArg,
    id_tag: Annotated[str, typer.Argument(help="The card's id tag.", show_default=False)],
    connector: Annotated[
        int | None,
        typer.Option(help="The connector (default: the station chooses).", min=1, max=MAX_INT32),
    ] = None,
    profile: Annotated[
        Path | None,
        typer.Option(
            help="A JSON file holding an OCPP 1.6 ChargingProfile (purpose TxProfile), "
            "e.g. to limit the current; - reads it from standard input.",
            allow_dash=True,
        ),
    ] = None,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
) -> None:
    """Start a transaction for a card (RemoteStartTransaction).

    A card that is unknown, blocked or expired, or a connector the station does not have,
    is refused before anything is sent.
    """
    body: dict[str, Any] = {"idTag": id_tag}
    if connector is not None:
        body["connectorId"] = connector
    if profile is not None:
        body["chargingProfile"] = _read_json(profile)
    send_command(server, token, station, "remote-start", body)


def clear_cache(
    station: StationArg, server: Server = DEFAULT_SERVER, token: AdminToken = None
) -> None:
    """Empty the station's authorization cache (ClearCache)."""
    send_command(server, token, station, "clear-cache", {})


def data_transfer(
    station: StationArg,
    vendor_id: Annotated[str, typer.Argument(help="The vendorId.", show_default=False)],
    message_id: Annotated[str | None, typer.Option(help="The vendor's messageId.")] = None,
    data: Annotated[str | None, typer.Option(help="The data to send (text, often JSON).")] = None,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
    as_json: AsJson = False,
) -> None:
    """Send the station a vendor's own message (DataTransfer); prints the data it answers."""
    body: dict[str, Any] = {"vendorId": vendor_id}
    if message_id is not None:
        body["messageId"] = message_id
    if data is not None:
        body["data"] = data
    answer = send_command(server, token, station, "data-transfer", body)
    if as_json:
        typer.echo(json.dumps(answer["answer"], indent=2))
    elif answer["answer"].get("data") is not None:
        typer.echo(answer["answer"]["data"])


def trigger(
    station: StationArg,
    message: Annotated[Trigger, typer.Argument(help="The message the station should send.")],
    connector: Annotated[
        int | None,
        typer.Option(help="For this connector only (StatusNotification, MeterValues).", min=1),
    ] = None,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
) -> None:
    """Ask the station to send a message now (TriggerMessage)."""
    body: dict[str, Any] = {"requestedMessage": message.value}
    if connector is not None:
        body["connectorId"] = connector
    send_command(server, token, station, "trigger", body)


def availability(
    station: StationArg,
    connector: Annotated[
        int, typer.Argument(help="The connector; 0: the whole station.", min=0, max=MAX_INT32)
    ],
    kind: Annotated[Availability, typer.Argument(help="Operative or Inoperative.")],
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
) -> None:
    """Make a connector (or, with 0, the station) Operative or Inoperative
    (ChangeAvailability); Scheduled means once its transaction ends."""
    send_command(
        server, token, station, "availability", {"connectorId": connector, "type": kind.value}
    )


def configuration(
    station: StationArg,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Ask the station first (GetConfiguration).")
    ] = False,
    keys: Annotated[
        list[str] | None,
        typer.Option("--key", help="With --refresh: read only this key; repeat for more."),
    ] = None,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
    as_json: AsJson = False,
) -> None:
    """The station's configuration keys as it last reported them; --refresh asks it first.

    Keys marked "reboot" wait for the station's next boot; write-only keys are never shown.
    """
    if keys and not refresh:
        raise fail("--key reads keys from the station: add --refresh", 2)
    client = AdminClient(server, token)
    path = f"/stations/{station}/configuration"
    if keys:
        found = client.request("POST", f"{path}/read", {"keys": keys})["data"]
    else:
        found = client.request("GET", f"{path}?refresh=true" if refresh else path)["data"]
    print_records(
        found,
        as_json=as_json,
        empty=f"No configuration stored for {station}: try --refresh.",
        title=f"{station}: {len(found)} configuration key(s)",
        columns=("Key", "Value", "Access", "Type", "Reported at"),
        cells=lambda key: (key["key"], _value(key), _access(key), _type(key), key["reported_at"]),
    )


def configure(
    station: StationArg,
    key: Annotated[str, typer.Argument(help="The configuration key.", show_default=False)],
    value: Annotated[str, typer.Argument(help="The new value.", show_default=False)],
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
) -> None:
    """Change a configuration key on the station (ChangeConfiguration).

    The value is checked against the key's type first (standard keys); RebootRequired
    means the station takes it at its next boot.
    """
    answer = AdminClient(server, token).request(
        "POST", f"/stations/{station}/configuration", {"key": key, "value": value}
    )
    line = f"{station}: ChangeConfiguration {answer['status']}"
    if answer["status"] not in ("Accepted", "RebootRequired"):
        raise fail(f"{line} (the station refused)", 1)
    if answer["status"] == "RebootRequired":
        line += " (the new value applies from the station's next boot)"
    console.print(line)


def _read_json(path: Path) -> Any:
    try:
        text = typer.get_text_stream("stdin").read() if str(path) == "-" else path.read_text()
        return json.loads(text)
    except OSError as error:
        raise fail(f"cannot read --profile {path}: {error.strerror}", 2) from None
    except ValueError as error:
        raise fail(f"--profile {path} is not JSON: {error}", 2) from None


def _value(key: dict[str, Any]) -> str:
    if key["write_only"]:
        return "(write-only)"
    if not key["known"]:
        return "(unknown to the station)"
    return "" if key["value"] is None else str(key["value"])


def _access(key: dict[str, Any]) -> str:
    access = "" if key["readonly"] is None else ("read-only" if key["readonly"] else "read-write")
    return f"{access}, reboot" if key["reboot_required"] else access


def _type(key: dict[str, Any]) -> str:
    standard = key["standard"]
    if standard is None:
        return "vendor"
    unit = f" ({standard['unit']})" if standard["unit"] else ""
    return f"{standard['type']}{unit}"


def register(app: typer.Typer) -> None:
    app.command("remote-start")(remote_start)
    app.command("clear-cache")(clear_cache)
    app.command("data-transfer")(data_transfer)
    app.command()(trigger)
    app.command()(availability)
    app.command()(configuration)
    app.command()(configure)
