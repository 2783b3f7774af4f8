"""`fleetcharge tokens issue | list | revoke`: Fleets API tokens, through the same services
as the admin API (audited as the command line)."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated
from uuid import UUID

import typer
from rich.table import Column, Table

from fleetcharge.auth import service
from fleetcharge.auth.schemas import ApiTokenCreate
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
from fleetcharge.cli.records import every
from fleetcharge.errors import DomainError, InvalidField
from fleetcharge.models.token import ENDPOINT_SCOPES
from fleetcharge.organisations.service import find_organisation

app = typer.Typer(help="Issue, list and revoke Fleets API tokens.", no_args_is_help=True)


@contextmanager
def _options_named() -> Iterator[None]:
    """A body field's error as this command's option: `--expires-in: ...`."""
    try:
        yield
    except InvalidField as error:
        option = "--" + (error.field or "").split("[")[0].replace("_", "-")
        raise fail(f"{option}: {error.message}") from None


@app.command("issue")
def issue(
    org: Annotated[str, typer.Option("--org", help="Organisation name or UUID.")],
    scopes: Annotated[
        str, typer.Option(help="Comma-separated endpoints the token may call.")
    ] = ",".join(ENDPOINT_SCOPES),
    expires_in: Annotated[
        str | None, typer.Option("--expires-in", help="Lifetime such as 12h, 90d, 8w or 1y.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="A label to recognise the token by.")] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Issue a token. The secret is printed once and never stored."""
    try:
        scope_list = list(service.parse_scopes(scopes))
    except DomainError as error:
        raise fail(error.message) from None
    with _options_named(), command_session(database_url) as db:
        organisation = find_organisation(db, org)
        data = ApiTokenCreate(
            organisation_uuid=organisation.uuid,
            scopes=scope_list,
            expires_in=expires_in,
            name=name,
        )
        issued = service.issue_api_token(db, cli_actor(), data)
        view = service.token_view(issued.token)
    if as_json:
        print_json({**view, "token": issued.secret})
        return
    organisation_name = view["organisation"]["name"]
    console.print(f"Token {view['uuid']} for {organisation_name} ({','.join(view['scopes'])})")
    if view["expires_at"]:
        console.print(f"Expires {_seconds(view['expires_at'])}")
    console.print("Store this secret now; it is not shown again:")
    print(issued.secret)


@app.command("list")
def list_tokens(
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation.")] = None,
    state: Annotated[
        str | None, typer.Option(help="Only tokens in this state: active, expired or revoked.")
    ] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """List tokens (never their secrets)."""
    with command_session(database_url) as db:
        organisation_uuid = find_organisation(db, org).uuid if org else None
        records = every(
            lambda page: service.list_api_tokens(db, cli_actor(), page, organisation_uuid, state)
        )
        views = [service.token_view(record) for record in records]
    if as_json:
        print_json(views)
        return
    # The UUID is never shortened: it is what `tokens revoke` takes.
    uuid_column = Column("uuid", no_wrap=True, min_width=36)
    table = Table(
        uuid_column, "organisation", "name", "prefix", "scopes", "created", "expires", "state"
    )
    for view in views:
        table.add_row(
            view["uuid"],
            view["organisation"]["name"],
            view["name"] or "",
            view["prefix"] + "…",
            ",".join(view["scopes"]),
            _seconds(view["created_at"]),
            _seconds(view["expires_at"]) if view["expires_at"] else "never",
            view["state"],
        )
    print_table(table)


def _seconds(timestamp: str) -> str:
    return datetime.fromisoformat(timestamp).isoformat(timespec="seconds")


@app.command("revoke")
def revoke(
    token_uuid: Annotated[str, typer.Argument(help="UUID of the token (see `tokens list`).")],
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke a token; it is refused from the next request on."""
    try:
        wanted = UUID(token_uuid)
    except ValueError:
        raise fail(f"{token_uuid!r} is not a token UUID") from None
    with command_session(database_url) as db:
        view = service.token_view(service.revoke_api_token(db, cli_actor(), wanted))
    if as_json:
        print_json(view)
    else:
        console.print(f"Token {token_uuid} revoked.")
