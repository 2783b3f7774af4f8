"""`fleetcharge audit list`: who changed what, when, before and after."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import typer
from rich.table import Table

from fleetcharge.audit.service import event_view, list_events
from fleetcharge.cli.common import (
    AsJson,
    DatabaseUrl,
    cli_actor,
    command_session,
    fail,
    print_json,
    print_table,
)
from fleetcharge.cli.records import every
from fleetcharge.errors import InvalidField
from fleetcharge.kit.fields import moment

app = typer.Typer(help="The audit log of changes to the network's data.", no_args_is_help=True)


@app.command("list")
def list_audit(
    resource: Annotated[
        str | None, typer.Option(help="Only this kind, e.g. station, vehicle, card.")
    ] = None,
    uuid: Annotated[str | None, typer.Option(help="Only this object's history.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Only changes from this date or time (ISO 8601, UTC).")
    ] = None,
    limit: Annotated[
        int, typer.Option(help="At most this many, newest last.", min=1, max=1_000_000)
    ] = 100,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """List changes, oldest first."""
    try:
        wanted = UUID(uuid) if uuid else None
    except ValueError:
        raise fail(f"--uuid {uuid!r} is not a UUID") from None
    try:
        start = datetime.fromisoformat(since) if since else None
    except ValueError:
        raise fail(f"--since {since!r} is not an ISO 8601 date or time") from None
    if start is not None:
        try:
            start = moment(start if start.tzinfo else start.replace(tzinfo=UTC), "since")
        except InvalidField as error:
            raise fail(f"--since: {error.message}") from None
    with command_session(database_url) as db:
        records = every(
            lambda page: list_events(
                db, cli_actor(), page, resource=resource, resource_uuid=wanted, since=start
            )
        )
        views = [event_view(record) for record in records]
    views = views[-limit:]
    if as_json:
        print_json(views)
        return
    table = Table("at (UTC)", "who", "action", "resource", "uuid", "changed")
    for view in views:
        before, after = view["before"] or {}, view["after"] or {}
        changed = sorted(k for k in {*before, *after} if before.get(k) != after.get(k))
        changed = [k for k in changed if k != "version"]
        table.add_row(
            view["at"][:19],
            f"{view['actor']['name']} ({view['actor']['role']})",
            view["action"],
            view["resource"],
            view["resource_uuid"],
            ", ".join(changed) if view["action"] == "update" else "",
        )
    print_table(table)
