"""`fleetcharge stations local-list | reserve | cancel-reservation | reservations`: a
station's local authorisation list and its reservations, through a running server's admin
API (see station_commands). Exit codes: 0 done, 1 refused or failed, 2 bad arguments."""

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer
from rich.table import Table

from fleetcharge.cli.common import AsJson, console, fail, print_records, print_table
from fleetcharge.cli.station_commands import (
    DEFAULT_SERVER,
    AdminClient,
    AdminToken,
    Server,
    StationArg,
    send_command,
)
from fleetcharge.csms.command_schemas import MAX_INT32

_RELATIVE = re.compile(r"^\+(\d{1,5})([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
STATUSES = ("requested", "reserved", "used", "cancelled", "expired", "refused")


def local_list(
    station: StationArg,
    send: Annotated[
        bool, typer.Option("--send", help="Send the station what its list lacks first.")
    ] = False,
    full: Annotated[
        bool, typer.Option("--full", help="With --send: send the whole list (Full update).")
    ] = False,
    ask_version: Annotated[
        bool,
        typer.Option(
            "--ask-version", help="Ask the station its list version (GetLocalListVersion)."
        ),
    ] = False,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
    as_json: AsJson = False,
) -> None:
    """The station's local authorisation list as it accepted it: version, last sync and
    its idTags; kept in step with the cards by the server on its own."""
    if full and not send:
        raise fail("--full goes with --send", 2)
    client = AdminClient(server, token)
    sent = asked = None
    if send:
        sent = client.request("POST", f"/stations/{station}/local-list/send", {"full": full})
    if ask_version:
        asked = client.request("POST", f"/stations/{station}/local-list/version")
    state = client.request("GET", f"/stations/{station}/local-list")
    entries = client.request("GET", f"/stations/{station}/local-list/entries?limit=500")["data"]
    if as_json:
        typer.echo(
            json.dumps(
                {"sent": sent, "version": asked, "state": state, "entries": entries}, indent=2
            )
        )
    else:
        _print_list(station, sent, asked, state, entries)
    if sent is not None and sent["result"] not in (None, "Accepted"):
        raise typer.Exit(1)


def _print_list(
    station: str,
    sent: dict[str, Any] | None,
    asked: dict[str, Any] | None,
    state: dict[str, Any],
    entries: list[dict[str, Any]],
) -> None:
    if sent is not None:
        for update in sent["updates"]:
            console.print(
                f"{station}: SendLocalList {update['updateType']} v{update['listVersion']} "
                f"({update['entries']} idTags) {update['status']}"
            )
        if not sent["updates"]:
            console.print(f"{station}: the local list is in step (version {sent['version']})")
    if asked is not None:
        console.print(
            f"{station}: GetLocalListVersion {asked['listVersion']} (ours {asked['version']})"
        )
    console.print(
        f"{station}: version {state['version']}, {state['entries']} idTags, "
        f"{state['pending_changes']} changes pending, scope {state['scope']}, "
        f"last {state['last_update_type'] or '-'} {state['last_result'] or '-'} "
        f"at {state['last_sync_at'] or '-'}"
    )
    if entries:
        table = Table(title=f"{len(entries)} idTag(s)", title_justify="left")
        for column in ("idTag", "Status", "Expires", "Parent"):
            table.add_column(column)
        for entry in entries:
            table.add_row(
                entry["id_tag"],
                entry["status"],
                entry["expiry_date"] or "",
                entry["parent_id_tag"] or "",
            )
        print_table(table)


def _until(text: str) -> str:
    """An ISO 8601 time with its offset, or +N m/h/d from now."""
    relative = _RELATIVE.match(text.strip())
    if relative:
        delta = timedelta(**{_UNITS[relative.group(2)]: int(relative.group(1))})
        return (datetime.now(UTC) + delta).isoformat(timespec="seconds")
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise fail(f"--until {text!r}: not an ISO 8601 time (or +30m, +2h, +1d)", 2) from None
    if moment.tzinfo is None:
        raise fail(f"--until {text!r}: give its UTC offset, e.g. {text}+10:00", 2)
    return moment.isoformat()


def reserve(
    station: StationArg,
    card: Annotated[str, typer.Option("--card", help="The card's idTag.", show_default=False)],
    until: Annotated[
        str,
        typer.Option(
            "--until", help="Expiry: ISO 8601 with offset, or +30m, +2h, +1d.", show_default=False
        ),
    ],
    connector: Annotated[
        int,
        typer.Option(
            help="Connector to reserve (0: any, if the station allows).", min=0, max=MAX_INT32
        ),
    ] = 1,
    parent: Annotated[str | None, typer.Option("--parent", help="A parentIdTag.")] = None,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
    as_json: AsJson = False,
) -> None:
    """Reserve a connector for a card until a time (ReserveNow); prints the reservationId."""
    body: dict[str, Any] = {"connectorId": connector, "idTag": card, "expiryDate": _until(until)}
    if parent is not None:
        body["parentIdTag"] = parent
    answer = send_command(server, token, station, "reservations", body)
    _reservation_line(answer["reservation"], as_json)


def cancel_reservation(
    station: StationArg,
    reservation: Annotated[
        int, typer.Argument(help="The reservationId.", min=1, max=MAX_INT32, show_default=False)
    ],
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
    as_json: AsJson = False,
) -> None:
    """Cancel a reservation (CancelReservation)."""
    answer = send_command(server, token, station, f"reservations/{reservation}/cancel", {})
    _reservation_line(answer["reservation"], as_json)


def _reservation_line(reservation: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(reservation, indent=2))
        return
    console.print(
        f"reservation {reservation['reservation_id']}: {reservation['status']}, connector "
        f"{reservation['connector_id']}, {reservation['id_tag']} until {reservation['expires_at']}"
    )


def reservations(
    station: StationArg,
    status: Annotated[
        str | None, typer.Option(help=f"Only these: {', '.join(STATUSES)}.", show_default=False)
    ] = None,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
    as_json: AsJson = False,
) -> None:
    """The station's reservations, newest first (the latest 500)."""
    if status is not None and status not in STATUSES:
        raise fail(f"--status must be one of {', '.join(STATUSES)}", 2)
    query = "?limit=500" + (f"&status={status}" if status else "")
    listed = AdminClient(server, token).request("GET", f"/stations/{station}/reservations{query}")
    rows = listed["data"]
    print_records(
        rows,
        as_json=as_json,
        empty=f"{station}: no reservations",
        title=f"{len(rows)} reservation(s)",
        columns=(
            "Id",
            "Status",
            "Connector",
            "idTag",
            "Expires",
            "Ended",
            "Transaction",
            "Answer",
            "Price",
        ),
        cells=lambda row: (
            str(row["reservation_id"]),
            row["status"],
            str(row["connector_id"]),
            row["id_tag"],
            row["expires_at"] or "",
            row["ended_at"] or "",
            str(row["transaction_id"] or ""),
            row["station_answer"] or "",
            f"${row['price']['amount']}" if row.get("price") else "",
        ),
    )


def register(app: typer.Typer) -> None:
    app.command("local-list")(local_list)
    app.command()(reserve)
    app.command("cancel-reservation")(cancel_reservation)
    app.command()(reservations)
