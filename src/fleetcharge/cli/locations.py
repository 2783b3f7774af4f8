"""`fleetcharge locations create | list | show | set`."""

from typing import Annotated, Any

import typer
from rich.table import Table

from fleetcharge.cli.common import (
    AsJson,
    DatabaseUrl,
    cli_actor,
    command_session,
    fail,
    print_json,
    print_record,
    print_summary,
    print_table,
)
from fleetcharge.cli.records import Options, every, given
from fleetcharge.network import locations as service
from fleetcharge.network.schemas import LocationCreate, LocationUpdate
from fleetcharge.organisations.service import find_organisation

app = typer.Typer(help="Locations: the sites stations are at.", no_args_is_help=True)

LocationArg = Annotated[str, typer.Argument(help="Location name or UUID.", show_default=False)]
Host = Annotated[str | None, typer.Option("--host", help="Hosting organisation, name or UUID.")]
Address = Annotated[str | None, typer.Option(help="Street address.")]
Timezone = Annotated[str | None, typer.Option(help="IANA time zone, e.g. Australia/Perth.")]
OPTIONS = Options({"host_organisation_uuid": "--host"})


def _summary(view: dict[str, Any]) -> str:
    return f"{view['name']} ({view['uuid']}): {view['address']}, {view['timezone']}"


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Its name.", show_default=False)],
    host: Host = None,
    address: Address = None,
    timezone: Timezone = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a location hosted by an organisation."""
    for option, value in (("--host", host), ("--address", address), ("--timezone", timezone)):
        if value is None:
            raise fail(f"{option} is required")
    with OPTIONS.named(), command_session(database_url) as db:
        assert host is not None
        values = given(name=name, address=address, timezone=timezone)
        values["host_organisation_uuid"] = str(find_organisation(db, host).uuid)
        data = OPTIONS.validated(LocationCreate, values)
        view = service.location_view(service.create_location(db, cli_actor(), data))
    print_summary(view, as_json, _summary, "Created ")


@app.command("list")
def list_locations(
    host: Host = None,
    search: Annotated[str | None, typer.Option(help="Part of the name or address.")] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """List locations, optionally one organisation's."""
    with command_session(database_url) as db:
        organisation = find_organisation(db, host).uuid if host else None
        records = every(
            lambda page: service.list_locations(
                db, cli_actor(), page, organisation_uuid=organisation, q=search
            )
        )
        views = [service.location_view(record) for record in records]
    if as_json:
        print_json(views)
        return
    table = Table("uuid", "name", "address", "timezone")
    for view in views:
        table.add_row(view["uuid"], view["name"], view["address"], view["timezone"])
    print_table(table)


@app.command("show")
def show(location: LocationArg, as_json: AsJson = False, database_url: DatabaseUrl = None) -> None:
    """Show one location."""
    with command_session(database_url) as db:
        view = service.location_view(service.find_location(db, location))
    print_record(view, as_json)


@app.command("set")
def set_fields(
    location: LocationArg,
    name: Annotated[str | None, typer.Option(help="A new name.")] = None,
    host: Host = None,
    address: Address = None,
    timezone: Timezone = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Change a location's name, address, time zone or host."""
    changes = given(name=name, address=address, timezone=timezone)
    if not changes and host is None:
        raise fail("nothing to change: give at least one option (see --help)")
    with OPTIONS.named(), command_session(database_url) as db:
        if host is not None:
            changes["host_organisation_uuid"] = str(find_organisation(db, host).uuid)
        data = OPTIONS.validated(LocationUpdate, changes)
        found = service.find_location(db, location)
        view = service.location_view(service.update_location(db, cli_actor(), found, data))
    print_summary(view, as_json, _summary)
