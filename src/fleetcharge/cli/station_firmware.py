"""`fleetcharge stations update-firmware | diagnostics | get-log | firmware-status | uploads |
download-file`: firmware updates, diagnostics and logs of a connected station.

The station downloads firmware from, and uploads its files to, a link of the server's own;
the statuses it reports are kept on each request. Exit codes: 0 done, 1 refused or failed
(not connected, rejected, no answer), 2 bad arguments.
"""

import json
from pathlib import Path
from typing import Annotated, Any, Literal
from uuid import UUID

import typer

from fleetcharge.cli.common import console, fail, instant, print_json, print_records
from fleetcharge.cli.firmware import download
from fleetcharge.cli.station_commands import (
    DEFAULT_SERVER,
    SUCCESS_STATUSES,
    AdminClient,
    AdminToken,
    Server,
    StationArg,
)
from fleetcharge.firmware.schemas import MAX_INT32

Json = Annotated[bool, typer.Option("--json", help="Print the server's JSON.")]
Retries = Annotated[
    int | None,
    typer.Option(help="How often the station tries again after a failure.", min=0, max=MAX_INT32),
]
Since = Annotated[
    str | None,
    typer.Option("--from", help="Oldest entries wanted (ISO 8601).", show_default=False),
]
Until = Annotated[
    str | None,
    typer.Option("--to", help="Latest entries wanted (ISO 8601).", show_default=False),
]
RetryInterval = Annotated[
    int | None,
    typer.Option(help="Seconds between those tries.", min=0, max=MAX_INT32, show_default=False),
]


def _time(text: str | None, option: str) -> str | None:
    return None if text is None else instant(text, option).isoformat()


def _send(
    server: str, token: str | None, identity: str, path: str, body: dict[str, Any], as_json: bool
) -> None:
    """POST the request; print the station's answer and the request as stored (exit 1 when
    the station refused)."""
    answer = AdminClient(server, token).request("POST", f"/stations/{identity}/{path}", body)
    status, transfer = answer["status"], answer["transfer"]
    line = f"{identity}: {answer['action']} {status or 'answered'}"
    if status is not None and status not in SUCCESS_STATUSES:
        raise fail(f"{line} (the station refused)", 1)
    if as_json:
        typer.echo(json.dumps(answer, indent=2))
        return
    console.print(line)
    console.print(f"request {transfer['uuid']} (requestId {transfer['request_id']})")
    if transfer.get("file_name"):
        console.print(f"file {transfer['file_name']}")


def _retries(retries: int | None, interval: int | None) -> dict[str, int]:
    found = {"retries": retries, "retryInterval": interval}
    return {key: value for key, value in found.items() if value is not None}


def update_firmware(
    station: StationArg,
    firmware: Annotated[
        UUID | None,
        typer.Option(
            help="A firmware image uploaded with `firmware upload` (its uuid).", show_default=False
        ),
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="Or the URL of an image elsewhere.", show_default=False)
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            help="When to download it, ISO 8601 with offset (default: now).", show_default=False
        ),
    ] = None,
    signed: Annotated[
        bool, typer.Option("--signed", help="SignedUpdateFirmware (the security extension).")
    ] = False,
    install_at: Annotated[
        str | None, typer.Option(help="With --signed: when to install it.", show_default=False)
    ] = None,
    signing_certificate: Annotated[
        Path | None,
        typer.Option(
            help="With --signed: PEM file (default: the image's own).", show_default=False
        ),
    ] = None,
    signature: Annotated[
        str | None, typer.Option(help="With --signed: base64 signature.", show_default=False)
    ] = None,
    retries: Retries = None,
    retry_interval: RetryInterval = None,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
    as_json: Json = False,
) -> None:
    """Have the station download and install firmware (UpdateFirmware, or --signed)."""
    if (firmware is None) == (url is None):
        raise fail("give either --firmware or --url")
    if not signed and (install_at or signing_certificate or signature):
        raise fail("--install-at, --signing-certificate and --signature need --signed")
    body: dict[str, Any] = {"firmwareUuid": str(firmware)} if firmware else {"location": url}
    body |= _retries(retries, retry_interval)
    when = _time(at, "--at")
    if not signed:
        if when:
            body["retrieveDate"] = when
        _send(server, token, station, "update-firmware", body, as_json)
        return
    if when:
        body["retrieveDateTime"] = when
    if install_at:
        body["installDateTime"] = _time(install_at, "--install-at")
    if signing_certificate is not None:
        try:
            body["signingCertificate"] = signing_certificate.read_text()
        except (OSError, UnicodeDecodeError) as error:
            raise fail(f"cannot read {signing_certificate}: {error}") from None
    if signature is not None:
        body["signature"] = signature
    _send(server, token, station, "signed-update-firmware", body, as_json)


def diagnostics(
    station: StationArg,
    since: Since = None,
    until: Until = None,
    retries: Retries = None,
    retry_interval: RetryInterval = None,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
    as_json: Json = False,
) -> None:
    """Have the station upload its diagnostics to the server (GetDiagnostics)."""
    body: dict[str, Any] = _retries(retries, retry_interval)
    if since:
        body["startTime"] = _time(since, "--from")
    if until:
        body["stopTime"] = _time(until, "--to")
    _send(server, token, station, "diagnostics", body, as_json)


def get_log(
    station: StationArg,
    log_type: Annotated[
        Literal["diagnostics", "security"],
        typer.Option("--type", help="diagnostics or security."),
    ] = "diagnostics",
    since: Since = None,
    until: Until = None,
    retries: Retries = None,
    retry_interval: RetryInterval = None,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
    as_json: Json = False,
) -> None:
    """Have the station upload a log to the server (GetLog: DiagnosticsLog or SecurityLog)."""
    kind = "SecurityLog" if log_type == "security" else "DiagnosticsLog"
    body: dict[str, Any] = {"logType": kind, **_retries(retries, retry_interval)}
    if since:
        body["oldestTimestamp"] = _time(since, "--from")
    if until:
        body["latestTimestamp"] = _time(until, "--to")
    _send(server, token, station, "logs", body, as_json)


TRANSFER_COLUMNS = ("Requested", "Action", "Request", "Answer", "Status", "File", "Uuid")


def _transfer_cells(transfer: dict[str, Any]) -> tuple[str, ...]:
    answer = transfer["answer"]
    said = transfer["error"] or (answer.get("status") if answer else None) or "answered"
    upload = transfer.get("upload")
    return (
        transfer["created_at"][:19].replace("T", " "),
        transfer["action"] + (f" {transfer['log_type']}" if transfer["log_type"] else ""),
        str(transfer["request_id"]),
        said,
        transfer["status"] or "",
        f"{upload['name']} ({upload['size_bytes']} bytes)" if upload else "",
        transfer["uuid"],
    )


def firmware_status(
    station: StationArg,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
    as_json: Json = False,
) -> None:
    """The station's firmware updates, newest first, and every status of the latest."""
    client = AdminClient(server, token)
    updates = client.request("GET", f"/stations/{station}/firmware-updates?limit=20")["data"]
    latest = updates[0] if updates else None
    if latest is not None:
        latest = client.request("GET", f"/stations/{station}/transfers/{latest['uuid']}")
    if as_json:
        print_json({"updates": updates, "latest": latest})
        return
    print_records(
        updates,
        as_json=False,
        empty=f"{station}: no firmware update requested.",
        title=f"{station}: firmware updates",
        columns=TRANSFER_COLUMNS,
        cells=_transfer_cells,
    )
    for entry in latest["history"] if latest else ():
        console.print(f"{entry['received_at'][:19].replace('T', ' ')}  {entry['status']}")


def uploads(
    station: StationArg,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
    as_json: Json = False,
) -> None:
    """The station's diagnostics and log requests, newest first, with the files it sent."""
    client = AdminClient(server, token)
    found = [
        *client.request("GET", f"/stations/{station}/diagnostics?limit=50")["data"],
        *client.request("GET", f"/stations/{station}/logs?limit=50")["data"],
    ]
    found.sort(key=lambda transfer: transfer["request_id"], reverse=True)
    print_records(
        found,
        as_json=as_json,
        empty=f"{station}: no diagnostics or log requested.",
        title=f"{station}: diagnostics and logs",
        columns=TRANSFER_COLUMNS,
        cells=_transfer_cells,
    )


def download_file(
    station: StationArg,
    request: Annotated[UUID, typer.Argument(help="The request's uuid.", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to save the file.")],
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
) -> None:
    """Save the file a station uploaded (diagnostics or a log) to a path."""
    client = AdminClient(server, token)
    size = download(client, f"/stations/{station}/transfers/{request}/file", output)
    console.print(f"saved {size} bytes to {output}")


def register(app: typer.Typer) -> None:
    app.command("update-firmware")(update_firmware)
    app.command()(diagnostics)
    app.command("get-log")(get_log)
    app.command("firmware-status")(firmware_status)
    app.command()(uploads)
    app.command("download-file")(download_file)
