"""`fleetcharge fleets create | list | show | rename`."""

from typing import Annotated, Any

import typer
from rich.table import Table

from fleetcharge.cli.common import (
    AsJson,
    DatabaseUrl,
    cli_actor,
    command_session,
    print_json,
    print_summary,
    print_table,
)
from fleetcharge.cli.records import Options, every
from fleetcharge.fleets import fleet_records as service
from fleetcharge.fleets.admin_schemas import FleetCreate, FleetRename
from fleetcharge.fleets.references import find_fleet
from fleetcharge.organisations.service import find_organisation

app = typer.Typer(help="Fleets: an organisation's groups of vehicles.", no_args_is_help=True)

FleetArg = Annotated[str, typer.Argument(help="Fleet name or UUID.", show_default=False)]
Org = Annotated[
    str | None,
    typer.Option("--org", help="Organisation name or UUID (to tell same-named fleets apart)."),
]
OPTIONS = Options(
    {"organisation_uuid": "--org", "organisation": "--org", "fleet": "FLEET", "name": "NAME"}
)


def _summary(view: dict[str, Any]) -> str:
    return f"{view['name']} ({view['uuid']}) of {view['organisation']['name']}"


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Its name, unique in the organisation.")],
    org: Annotated[str, typer.Option("--org", help="Organisation name or UUID.")],
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a fleet in an organisation."""
    with OPTIONS.named(), command_session(database_url) as db:
        organisation = find_organisation(db, org, "organisation")
        data = OPTIONS.validated(
            FleetCreate, {"organisation_uuid": organisation.uuid, "name": name}
        )
        view = service.fleet_view(service.create_fleet(db, cli_actor(), data))
    print_summary(view, as_json, _summary, "Created fleet ")


@app.command("list")
def list_fleets(
    org: Org = None,
    search: Annotated[str | None, typer.Option("--search", help="Part of the name.")] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """List fleets, with their organisations."""
    with OPTIONS.named(), command_session(database_url) as db:
        organisation_id = find_organisation(db, org, "organisation").id if org else None
        fleets = every(
            lambda page: service.list_fleets(
                db, cli_actor(), page, organisation_id=organisation_id, q=search
            ),
        )
        views = [service.fleet_view(fleet) for fleet in fleets]
    if as_json:
        print_json(views)
        return
    table = Table("uuid", "name", "organisation")
    for view in views:
        table.add_row(view["uuid"], view["name"], view["organisation"]["name"])
    print_table(table)


@app.command("show")
def show(
    fleet: FleetArg, org: Org = None, as_json: AsJson = False, database_url: DatabaseUrl = None
) -> None:
    """Show one fleet."""
    with OPTIONS.named(), command_session(database_url) as db:
        organisation = find_organisation(db, org, "organisation") if org else None
        view = service.fleet_view(find_fleet(db, fleet, organisation))
    print_summary(view, as_json, _summary)


@app.command("rename")
def rename(
    fleet: FleetArg,
    new_name: Annotated[str, typer.Argument(help="The new name.", show_default=False)],
    org: Org = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Rename a fleet (invoices from then on show the new name)."""
    options = Options({**OPTIONS.renamed, "name": "NEW_NAME"})
    with options.named(), command_session(database_url) as db:
        organisation = find_organisation(db, org, "organisation") if org else None
        found = find_fleet(db, fleet, organisation)
        data = options.validated(FleetRename, {"name": new_name})
        view = service.fleet_view(service.rename_fleet(db, cli_actor(), found, data))
    print_summary(view, as_json, _summary, "Renamed: ")
