"""`fleetcharge webhooks listen SUBSCRIPTION --forward-to URL`: while developing a receiver,
every event the subscription is sent is also POSTed to a URL on this machine, as its
receiver gets it (same body, signed with the subscription's current secret)."""

import time
from typing import Annotated
from uuid import UUID

import httpx
import typer

from fleetcharge.cli.common import (
    DatabaseUrl,
    cli_actor,
    command_session,
    console,
    err_console,
    fail,
    server_url,
)
from fleetcharge.webhooks import forwarding, subscriptions

MAX_TIMEOUT = 120.0


def listen(
    subscription: Annotated[
        str, typer.Argument(help="UUID of the subscription (see `webhooks list`).")
    ],
    forward_to: Annotated[
        str,
        typer.Option(
            "--forward-to",
            help="Where to POST each event, e.g. http://localhost:3000/hooks (any address: "
            "this is your machine, not the server).",
        ),
    ],
    replay: Annotated[
        bool,
        typer.Option("--replay", help="Forward the subscription's earlier events first."),
    ] = False,
    once: Annotated[
        bool, typer.Option("--once", help="Forward what there is, then stop (no waiting).")
    ] = False,
    interval: Annotated[
        float, typer.Option(help="Seconds between looks for new events.", min=0.05, max=60)
    ] = 0.5,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the URL's answer.", min=0.1, max=MAX_TIMEOUT)
    ] = 10.0,
    database_url: DatabaseUrl = None,
) -> None:
    """Forward a subscription's events to a local URL as they happen (Ctrl-C stops).
    Delivery to the subscription's own URL goes on as usual."""
    try:
        wanted = UUID(subscription)
    except ValueError:
        raise fail(f"{subscription!r} is not a subscription UUID") from None
    url = server_url(forward_to, "--forward-to", ("http", "https"))
    with command_session(database_url) as db:
        found = subscriptions.get_subscription(db, cli_actor(), wanted)
        after = 0 if replay else forwarding.last_delivery_id(db, found)
    if not once:
        console.print(f"Forwarding the events of {wanted} to {url} (Ctrl-C stops).")
    with httpx.Client(timeout=timeout) as client:
        try:
            while True:
                with command_session(database_url) as db:
                    found = subscriptions.get_subscription(db, cli_actor(), wanted)
                    copies = forwarding.copies(db, found, after)
                for copy in copies:
                    console.print(
                        f"{copy.event_type} {copy.event_uuid}: {_post(client, url, copy)}"
                    )
                    after = copy.delivery_id
                if once and not copies:
                    return
                if not copies:
                    time.sleep(interval)
        except KeyboardInterrupt:
            return


def _post(client: httpx.Client, url: str, copy: forwarding.Copy) -> str:
    try:
        answer = client.post(url, content=copy.body, headers=copy.headers)
    except httpx.HTTPError as error:
        err_console.print(f"{url}: {error or type(error).__name__}", soft_wrap=True)
        return "not delivered"
    return f"{answer.status_code} {answer.reason_phrase}".strip()
