"""`fleetcharge stations set-profile | clear-profile | composite-schedule | profiles`: OCPP
1.6 Smart Charging on a connected station through a running server's admin API, and the
record of the profiles sent. Exit codes as for the other station commands: 0 done, 1 the
server or the station could not do it (including Rejected, NotSupported), 2 bad arguments."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from fleetcharge.cli.common import console, fail, print_table
from fleetcharge.cli.station_commands import (
    DEFAULT_SERVER,
    AdminClient,
    AdminToken,
    Server,
    StationArg,
)
from fleetcharge.csms.command_schemas import MAX_INT32

PURPOSES = ("TxProfile", "TxDefaultProfile", "ChargePointMaxProfile")
_LIMIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(A|W|kW)\s*$", re.IGNORECASE)
MAX_DURATION_S = 7 * 24 * 3600

Connector = Annotated[
    int, typer.Option(help="Connector (0: the whole station).", min=0, max=MAX_INT32)
]


def parse_limit(text: str) -> tuple[float, str]:
    """'16A', '11kW', '7400W' -> (limit, unit) as OCPP takes it."""
    match = _LIMIT.match(text)
    if match is None:
        raise typer.BadParameter(f"{text!r}: a number and A, W or kW, e.g. 16A or 11kW")
    value, unit = float(match[1]), match[2].upper()
    if unit == "KW":
        return round(value * 1000, 1), "W"
    return value, unit


def _purpose(value: str) -> str:
    if value not in PURPOSES:
        raise typer.BadParameter(f"{value!r}: one of {', '.join(PURPOSES)}")
    return value


def build_profile(
    *,
    limit: str,
    purpose: str,
    profile_id: int,
    stack_level: int,
    transaction: int | None,
    phases: int | None,
    now: datetime,
) -> dict[str, Any]:
    """One period from now on: Relative (from the transaction's start) for transactions,
    Absolute from now for a ChargePointMaxProfile."""
    value, unit = parse_limit(limit)
    period: dict[str, Any] = {"startPeriod": 0, "limit": value}
    if phases is not None:
        period["numberPhases"] = phases
    schedule: dict[str, Any] = {"chargingRateUnit": unit, "chargingSchedulePeriod": [period]}
    kind = "Relative"
    if purpose == "ChargePointMaxProfile":
        kind = "Absolute"
        schedule = {"startSchedule": now.isoformat().replace("+00:00", "Z"), **schedule}
    profile: dict[str, Any] = {
        "chargingProfileId": profile_id,
        "stackLevel": stack_level,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": kind,
        "chargingSchedule": schedule,
    }
    if transaction is not None:
        profile["transactionId"] = transaction
    return profile


def set_profile(
    station: StationArg,
    connector: Connector = 1,
    limit: Annotated[
        str | None, typer.Option(help="The limit: 16A (per phase), 7400W or 11kW.")
    ] = None,
    purpose: Annotated[
        str, typer.Option(help=", ".join(PURPOSES) + ".", callback=_purpose)
    ] = "TxProfile",
    profile_id: Annotated[
        int, typer.Option("--id", help="chargingProfileId.", min=1, max=MAX_INT32)
    ] = 1,
    stack_level: Annotated[int, typer.Option(help="stackLevel.", min=0, max=100)] = 0,
    transaction: Annotated[
        int | None,
        typer.Option(help="The transactionId (TxProfile).", min=0, max=MAX_INT32),
    ] = None,
    phases: Annotated[
        int | None, typer.Option(help="numberPhases of the period.", min=1, max=3)
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="A whole OCPP 1.6 ChargingProfile (JSON) instead of --limit.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
) -> None:
    """Install a charging profile on a connector (SetChargingProfile)."""
    if (file is None) == (limit is None):
        raise fail("give either --limit or --file", 2)
    if file is not None:
        try:
            profile = json.loads(file.read_text())
        except (OSError, ValueError) as error:
            raise fail(f"--file: not a JSON charging profile ({error})", 2) from None
    else:
        assert limit is not None
        profile = build_profile(
            limit=limit,
            purpose=purpose,
            profile_id=profile_id,
            stack_level=stack_level,
            transaction=transaction,
            phases=phases,
            now=datetime.now(UTC),
        )
    answer = AdminClient(server, token).request(
        "POST",
        f"/stations/{station}/charging-profiles",
        {"connectorId": connector, "csChargingProfiles": profile},
    )
    line = f"{station}: SetChargingProfile {answer['status']}"
    if answer["status"] != "Accepted":
        raise fail(f"{line} (the station refused)", 1)
    console.print(line)


def clear_profile(
    station: StationArg,
    profile_id: Annotated[
        int | None, typer.Option("--id", help="The profile's id (the rest is then ignored).")
    ] = None,
    connector: Annotated[
        int | None, typer.Option(help="Connector (0: the station).", min=0, max=MAX_INT32)
    ] = None,
    purpose: Annotated[
        str | None,
        typer.Option(
            help=", ".join(PURPOSES) + ".",
            callback=lambda value: None if value is None else _purpose(value),
        ),
    ] = None,
    stack_level: Annotated[int | None, typer.Option(min=0, max=MAX_INT32)] = None,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
) -> None:
    """Clear charging profiles (ClearChargingProfile): by --id, else every one matching the
    criteria given (none: all)."""
    body: dict[str, Any] = {}
    for key, value in (
        ("id", profile_id),
        ("connectorId", connector),
        ("chargingProfilePurpose", purpose),
        ("stackLevel", stack_level),
    ):
        if value is not None:
            body[key] = value
    answer = AdminClient(server, token).request(
        "DELETE", f"/stations/{station}/charging-profiles", body
    )
    line = f"{station}: ClearChargingProfile {answer['status']}"
    if answer["status"] != "Accepted":
        raise fail(f"{line} (no profile matched)", 1)
    console.print(f"{line}, {len(answer['cleared'])} recorded profile(s) cleared")


def composite_schedule(
    station: StationArg,
    connector: Connector = 1,
    duration: Annotated[
        int, typer.Option(help="Seconds from now.", min=1, max=MAX_DURATION_S)
    ] = 3600,
    unit: Annotated[str | None, typer.Option(help="A or W.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the station's answer.")] = False,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
) -> None:
    """What the station will let the connector draw (GetCompositeSchedule)."""
    if unit is not None and unit not in ("A", "W"):
        raise fail("--unit: A or W", 2)
    query = f"connector_id={connector}&duration={duration}" + (f"&unit={unit}" if unit else "")
    answer = AdminClient(server, token).request(
        "GET", f"/stations/{station}/composite-schedule?{query}"
    )["answer"]
    if as_json:
        typer.echo(json.dumps(answer, indent=2))
        return
    if answer.get("status") != "Accepted":
        raise fail(f"{station}: GetCompositeSchedule {answer.get('status')}", 1)
    schedule = answer.get("chargingSchedule") or {}
    table = Table(
        title=f"{station} connector {connector} from {answer.get('scheduleStart')}",
        title_justify="left",
    )
    for column in ("From (s)", f"Limit ({schedule.get('chargingRateUnit', '?')})", "Phases"):
        table.add_column(column)
    for period in schedule.get("chargingSchedulePeriod") or []:
        table.add_row(
            str(period["startPeriod"]), f"{period['limit']:g}", str(period.get("numberPhases", ""))
        )
    print_table(table)


def profiles(
    station: StationArg,
    installed: Annotated[
        bool, typer.Option("--installed", help="Only those accepted and not cleared.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the server's JSON.")] = False,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
) -> None:
    """The charging profiles sent to the station, newest first."""
    query = "?installed=true" if installed else ""
    rows = AdminClient(server, token).request(
        "GET", f"/stations/{station}/charging-profiles{query}"
    )["data"]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"Charging profiles of {station}", title_justify="left")
    for column in ("Sent", "Conn.", "Id", "Purpose", "Level", "Tx", "Limits", "Source", "Status"):
        table.add_column(column)
    for row in rows:
        schedule = row["profile"]["chargingSchedule"]
        limits = ", ".join(
            f"{p['limit']:g}{schedule['chargingRateUnit']}@{p['startPeriod']}s"
            for p in schedule["chargingSchedulePeriod"]
        )
        status = row["status"] or "?"
        if row["cleared_at"]:
            status += " (cleared)"
        table.add_row(
            row["sent_at"],
            str(row["connector_id"]),
            str(row["charging_profile_id"]),
            row["purpose"],
            str(row["stack_level"]),
            str(row["transaction_id"] or ""),
            limits,
            row["source"],
            status,
        )
    print_table(table)


def register(app: typer.Typer) -> None:
    app.command("set-profile")(set_profile)
    app.command("clear-profile")(clear_profile)
    app.command("composite-schedule")(composite_schedule)
    app.command()(profiles)
