from typing import Annotated

import typer
from rich.table import Column, Table

from fleetcharge.auth import service
from fleetcharge.cli.common import DatabaseUrl, command_session, console, fail, print_table
from fleetcharge.errors import DomainError
from fleetcharge.models import ApiToken
from fleetcharge.models.token import ENDPOINT_SCOPES
from fleetcharge.organisations.service import find_organisation

app = typer.Typer(help="Issue, list and revoke Fleets API tokens.", no_args_is_help=True)


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
    database_url: DatabaseUrl = None,
) -> None:
    """Issue a token. The secret is printed once and never stored."""
    try:
        scope_list = service.parse_scopes(scopes)
        lifetime = service.parse_duration(expires_in) if expires_in else None
    except DomainError as error:
        raise fail(error.message) from None
    with command_session(database_url) as db:
        organisation = find_organisation(db, org)
        issued = service.issue_token(db, organisation, scope_list, lifetime, name)
    token = issued.token
    console.print(f"Token {token.uuid} for [bold]{organisation.name}[/] ({token.scopes})")
    if token.expires_at:
        console.print(f"Expires {token.expires_at.isoformat(timespec='seconds')}")
    console.print("Store this secret now; it is not shown again:")
    print(issued.secret)


@app.command("list")
def list_tokens(
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation.")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """List tokens (never their secrets)."""
    with command_session(database_url) as db:
        organisation = find_organisation(db, org) if org else None
        tokens = service.list_tokens(db, organisation)
        rows = [(t, t.organisation.name) for t in tokens]
    # The UUID is never shortened: it is what `tokens revoke` takes.
    uuid_column = Column("uuid", no_wrap=True, min_width=36)
    table = Table(
        uuid_column, "organisation", "name", "prefix", "scopes", "created", "expires", "state"
    )
    for token, organisation_name in rows:
        table.add_row(
            str(token.uuid),
            organisation_name,
            token.name or "",
            token.prefix + "…",
            token.scopes,
            token.created_at.isoformat(timespec="seconds"),
            token.expires_at.isoformat(timespec="seconds") if token.expires_at else "never",
            "revoked" if token.revoked_at else "active",
        )
    print_table(table)


@app.command("revoke")
def revoke(
    token_uuid: Annotated[str, typer.Argument(help="UUID of the token (see `tokens list`).")],
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke a token; it is refused from the next request on."""
    from uuid import UUID

    try:
        wanted = UUID(token_uuid)
    except ValueError:
        raise fail(f"{token_uuid!r} is not a token UUID") from None
    with command_session(database_url) as db:
        token = db.query(ApiToken).filter(ApiToken.uuid == wanted).one_or_none()
        if token is None:
            raise fail(f"no token with UUID {token_uuid}")
        service.revoke_token(db, token)
    console.print(f"Token {token_uuid} revoked.")
