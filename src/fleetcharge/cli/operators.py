"""`fleetcharge operators create | list | revoke`: accounts of the admin API and their tokens."""

from typing import Annotated

import typer
from rich.table import Table

from fleetcharge.accounts import service
from fleetcharge.auth.service import parse_duration
from fleetcharge.cli.common import (
    AsJson,
    DatabaseUrl,
    cli_actor,
    command_session,
    console,
    fail,
    print_json,
    print_table,
)
from fleetcharge.errors import DomainError
from fleetcharge.models.account import OPERATOR_ROLES, ORGANISATION_ROLES
from fleetcharge.organisations.service import find_organisation

app = typer.Typer(
    help="Accounts of the admin API (operator staff, organisations' fleet managers) and "
    "their tokens.",
    no_args_is_help=True,
)


@app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="Who the account is for.")],
    role: Annotated[
        str,
        typer.Option(
            help=f"Operator staff: {', '.join(OPERATOR_ROLES)}; with --org: "
            f"{', '.join(ORGANISATION_ROLES)}."
        ),
    ] = "admin",
    org: Annotated[
        str | None,
        typer.Option("--org", help="Make it a member of this organisation (name or UUID)."),
    ] = None,
    expires_in: Annotated[
        str | None, typer.Option("--expires-in", help="Token lifetime such as 90d; default never.")
    ] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an account and print its admin token once (on an empty database: the first
    admin)."""
    try:
        lifetime = parse_duration(expires_in) if expires_in else None
    except DomainError as error:
        raise fail(error.message) from None
    with command_session(database_url) as db:
        organisation = find_organisation(db, org) if org else None
        issued = service.create_account(db, cli_actor(), name, role, organisation, lifetime)
        view = service.account_view(issued.token.account)
    if as_json:
        print_json({**view, "token": issued.secret})
        return
    where = f" of {view['organisation']['name']}" if view["organisation"] else ""
    console.print(f"Account {view['uuid']}: {view['name']}, {view['role']}{where}")
    console.print("Its admin token (store it now; it is not shown again):")
    print(issued.secret)


@app.command("list")
def list_accounts(as_json: AsJson = False, database_url: DatabaseUrl = None) -> None:
    """List accounts (never their tokens' secrets)."""
    with command_session(database_url) as db:
        views = [service.account_view(a) for a in service.list_accounts(db, cli_actor())]
    if as_json:
        print_json(views)
        return
    table = Table("uuid", "name", "role", "organisation", "created", "state")
    for view in views:
        table.add_row(
            view["uuid"],
            view["name"],
            view["role"],
            view["organisation"]["name"] if view["organisation"] else "(operator)",
            view["created_at"][:19],
            "revoked" if view["revoked_at"] else "active",
        )
    print_table(table)


@app.command("revoke")
def revoke(
    account: Annotated[str, typer.Argument(help="Account UUID or name.", show_default=False)],
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke an account: its tokens are refused from the next request on."""
    with command_session(database_url) as db:
        found = service.find_account(db, account)
        service.revoke_account(db, cli_actor(), found)
        name = found.name
    console.print(f"Account {name} revoked.")
