"""`fleetcharge stations create | list | show | set | set-password | approve | decommission`:
station records in the database, with the services the admin API uses."""

from typing import Annotated, Any, cast, get_args

import typer
from rich.table import Table

from fleetcharge.cli.common import (
    AsJson,
    DatabaseUrl,
    cli_actor,
    command_session,
    console,
    fail,
    print_json,
    print_record,
    print_summary,
    print_table,
)
from fleetcharge.cli.records import Options, every, given
from fleetcharge.csms import held_sessions
from fleetcharge.network import passwords
from fleetcharge.network import stations as service
from fleetcharge.network.locations import find_location
from fleetcharge.network.schemas import StationCreate, StationUpdate
from fleetcharge.tariffs.service import find_tariff

StationArg = Annotated[
    str, typer.Argument(help="The station's identity, EVSE id or UUID.", show_default=False)
]
Location = Annotated[str | None, typer.Option(help="Its location, name or UUID.")]
Tariff = Annotated[
    str | None, typer.Option(help="Its default tariff, name or UUID ('none': unpriced).")
]
Power = Annotated[str | None, typer.Option("--power", help="Rated power in kW, e.g. 50.")]
Current = Annotated[str | None, typer.Option("--current", help="AC or DC.")]
Connector = Annotated[
    list[str] | None,
    typer.Option(
        help="A connector as ID=NAME, e.g. 1=CCS2. Repeatable; on set, the full list.",
    ),
]
OPTIONS = Options(
    {
        "max_power_kw": "--power",
        "current_type": "--current",
        "location_uuid": "--location",
        "tariff_uuid": "--tariff",
        "connectors": "--connector",
        "identity": "IDENTITY",
    }
)


def _connectors(values: list[str]) -> list[dict[str, Any]]:
    parsed = []
    for value in values:
        number, equals, name = value.partition("=")
        if not equals or not number.strip().isdigit():
            raise fail(f"--connector: give ID=NAME, e.g. 1=CCS2, got {value!r}")
        parsed.append({"connector_id": int(number), "name": name})
    return parsed


def _references(
    db: Any, values: dict[str, Any], location: str | None, tariff: str | None
) -> dict[str, Any]:
    if location is not None:
        values["location_uuid"] = str(find_location(db, location).uuid)
    if tariff is not None:
        values["tariff_uuid"] = (
            "" if tariff.lower() == "none" else str(find_tariff(db, tariff).uuid)
        )
    return values


def _summary(view: dict[str, Any]) -> str:
    connectors = ", ".join(f"{c['connector_id']}={c['name']}" for c in view["connectors"])
    return (
        f"{view['identity']} ({view['uuid']}): {view['name']}, EVSE {view['evse_id']},"
        f" {view['current_type']} {view['max_power_kw']} kW, connectors {connectors or '-'},"
        f" {view['status']}"
    )


def create(
    identity: Annotated[str, typer.Argument(help="Its OCPP identity.", show_default=False)],
    evse_id: Annotated[str | None, typer.Option(help="Unique EVSE id, e.g. AU*FCN*E0001.")] = None,
    name: Annotated[str | None, typer.Option(help="Its name (default: the identity).")] = None,
    location: Location = None,
    tariff: Tariff = None,
    power: Power = None,
    current: Current = None,
    connector: Connector = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a station at a location, with its connectors."""
    if location is None:
        raise fail("--location is required")
    values = given(
        identity=identity,
        evse_id=evse_id or identity,
        name=name or identity,
        max_power_kw=power,
        current_type=current,
        connectors=_connectors(connector) if connector else None,
    )
    with OPTIONS.named(), command_session(database_url) as db:
        data = OPTIONS.validated(StationCreate, _references(db, values, location, tariff))
        view = service.station_view(service.create_station(db, cli_actor(), data))
    print_summary(view, as_json, _summary, "Created ")
    if not as_json:
        console.print(
            f"It connects once it has a password: fleetcharge stations set-password {identity}",
            highlight=False,
            markup=False,
        )


def list_records(
    location: Location = None,
    status: Annotated[
        str | None,
        typer.Option(
            help="active, pending (auto-registered, awaiting approval) or decommissioned."
        ),
    ] = None,
    search: Annotated[
        str | None, typer.Option(help="Part of the name, identity or EVSE id.")
    ] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """List stations in the database (`stations connected` lists those connected now)."""
    if status not in (None, *get_args(service.Status)):
        raise fail(f"--status: active, pending or decommissioned, got {status!r}")
    with command_session(database_url) as db:
        at = find_location(db, location).uuid if location else None
        records = every(
            lambda page: service.list_stations(
                db,
                cli_actor(),
                page,
                location_uuid=at,
                status=cast(service.Status | None, status),  # checked above
                q=search,
            )
        )
        views = [service.station_view(record) for record in records]
    if as_json:
        print_json(views)
        return
    table = Table("identity", "EVSE id", "name", "type", "kW", "connectors", "status")
    for view in views:
        table.add_row(
            view["identity"],
            view["evse_id"],
            view["name"],
            view["current_type"],
            view["max_power_kw"],
            ", ".join(f"{c['connector_id']}={c['name']}" for c in view["connectors"]),
            view["status"],
        )
    print_table(table)


def show(station: StationArg, as_json: AsJson = False, database_url: DatabaseUrl = None) -> None:
    """Show one station."""
    with command_session(database_url) as db:
        view = service.station_view(service.find_station(db, station))
    print_record(view, as_json)


def set_fields(
    station: StationArg,
    name: Annotated[str | None, typer.Option(help="A new name.")] = None,
    location: Location = None,
    tariff: Tariff = None,
    power: Power = None,
    current: Current = None,
    connector: Connector = None,
    phases: Annotated[
        int | None, typer.Option(help="Supply phases it draws on: 1 or 3 (smart charging).")
    ] = None,
    circuit: Annotated[
        str | None,
        typer.Option(
            help="The site circuit it hangs from, name or UUID; '' or 'none': the site itself."
        ),
    ] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Change a station: name, location, default tariff (for sessions starting from now),
    power, type, connectors, phases or circuit."""
    if circuit is not None and circuit.strip().lower() == "none":
        circuit = ""
    values = given(
        name=name,
        max_power_kw=power,
        current_type=current,
        connectors=_connectors(connector) if connector else None,
        phases=phases,
        circuit=circuit,
    )
    if not values and location is None and tariff is None:
        raise fail("nothing to change: give at least one option (see --help)")
    with OPTIONS.named(), command_session(database_url) as db:
        data = OPTIONS.validated(StationUpdate, _references(db, values, location, tariff))
        found = service.find_station(db, station)
        view = service.station_view(service.update_station(db, cli_actor(), found, data))
    print_summary(view, as_json, _summary)


def set_password(
    station: StationArg,
    password: Annotated[
        str | None,
        typer.Option(help="The password to set (8 to 40 characters); default: generate one."),
    ] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Set or rotate a station's password: required from its next connection. A generated
    password is printed this once; only its hash is stored."""
    with OPTIONS.named(), command_session(database_url) as db:
        found = service.find_station(db, station)
        result = passwords.set_password(db, cli_actor(), found, password)
        identity = found.ocpp_identity
    if as_json:
        print_json({"identity": identity, "password": result.generated})
    elif result.generated is not None:
        console.print(f"Password of {identity} (shown once): {result.generated}", soft_wrap=True)
    else:
        console.print(f"Password of {identity} set.")


def approve(station: StationArg, as_json: AsJson = False, database_url: DatabaseUrl = None) -> None:
    """Approve an auto-registered (pending) station: its BootNotification is accepted from
    now on, and the sessions held while it was pending are recorded and billed."""
    with command_session(database_url) as db:
        found = service.find_station(db, station)
        view = held_sessions.approval_view(held_sessions.approve_station(db, cli_actor(), found))
    if as_json:
        print_json(view)
        return
    held = view["sessions_recorded"]
    console.print(
        f"{_summary(view)}; {held} held session{'s' if held != 1 else ''} recorded",
        soft_wrap=True,
    )


def decommission(
    station: StationArg, as_json: AsJson = False, database_url: DatabaseUrl = None
) -> None:
    """Decommission a station: refused on connect from now on, its history kept."""
    with command_session(database_url) as db:
        found = service.find_station(db, station)
        view = service.station_view(service.decommission(db, cli_actor(), found))
    print_summary(view, as_json, _summary)


def register(app: typer.Typer) -> None:
    app.command("create")(create)
    app.command("list")(list_records)
    app.command("show")(show)
    app.command("set")(set_fields)
    app.command("set-password")(set_password)
    app.command("approve")(approve)
    app.command("decommission")(decommission)
