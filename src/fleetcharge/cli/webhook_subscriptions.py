"""`fleetcharge webhooks create | list | show | update | rotate-secret | disable | enable |
deliveries | delivery | redeliver`: an organisation's subscriptions, through the same
services as the admin API (audited as the command line)."""

from typing import Annotated, Any
from uuid import UUID

import typer
from rich.table import Column, Table

from fleetcharge.cli import webhook_listen
from fleetcharge.cli.common import (
    AsJson,
    DatabaseUrl,
    cli_actor,
    command_session,
    console,
    fail,
    print_json,
    print_record,
    print_table,
)
from fleetcharge.cli.records import Options, every, given
from fleetcharge.organisations.service import find_organisation
from fleetcharge.webhooks import deliveries, subscriptions
from fleetcharge.webhooks.admin_schemas import (
    DELIVERY_STATUSES,
    WebhookSubscriptionCreate,
    WebhookSubscriptionUpdate,
)
from fleetcharge.webhooks.event_types import EVENT_TYPES

SubscriptionArg = Annotated[
    str, typer.Argument(help="UUID of the subscription (see `webhooks list`).", show_default=False)
]
DeliveryArg = Annotated[
    str,
    typer.Argument(help="UUID of the delivery (see `webhooks deliveries`).", show_default=False),
]
Url = Annotated[
    str | None,
    typer.Option("--url", help="Where events are POSTed: https://, a public address."),
]
Events = Annotated[
    str | None,
    typer.Option(
        "--events",
        help="Comma-separated event types, or all: " + ", ".join(EVENT_TYPES) + ".",
    ),
]
Description = Annotated[
    str | None, typer.Option("--description", help='A label to recognise it by ("" clears it).')
]
OPTIONS = Options(
    {
        "event_types": "--events",
        "organisation_uuid": "ORG",
        "overlap": "--overlap",
        "event_uuid": "--event",
    }
)


def _uuid(text: str, what: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise fail(f"{text!r} is not a {what} UUID") from None


def _events(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    return [subscriptions.ALL_EVENTS] if names == ["all"] else names


def _types(view: dict[str, Any]) -> str:
    return ", ".join(view["event_types"])


def _summary(view: dict[str, Any]) -> str:
    state = "enabled" if view["enabled"] else f"disabled ({view['disabled_reason'] or '-'})"
    return (
        f"{view['uuid']} of {view['organisation']['name']}: {view['url']}, {_types(view)}, {state}"
    )


def _print_secret(view: dict[str, Any], secret: str, as_json: bool, said: str) -> None:
    if as_json:
        print_json({**view, "secret": secret})
        return
    console.print(said + _summary(view), soft_wrap=True)
    if view["previous_secret_expires_at"]:
        console.print(
            f"The previous secret still signs until {view['previous_secret_expires_at']}."
        )
    console.print("Store this signing secret now; it is not shown again:")
    print(secret)


def create(
    org: Annotated[str, typer.Argument(help="Organisation name or UUID.", show_default=False)],
    url: Annotated[
        str, typer.Option("--url", help="Where events are POSTed: https://, a public address.")
    ],
    events: Annotated[
        str,
        typer.Option(
            "--events",
            help="Comma-separated event types, or all: " + ", ".join(EVENT_TYPES) + ".",
        ),
    ],
    description: Description = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Subscribe a URL to an organisation's events. The signing secret is printed once."""
    with OPTIONS.named(), command_session(database_url) as db:
        organisation = find_organisation(db, org)
        data = OPTIONS.validated(
            WebhookSubscriptionCreate,
            given(
                organisation_uuid=organisation.uuid,
                url=url,
                event_types=_events(events),
                description=description,
            ),
        )
        subscription, secret = subscriptions.create(db, cli_actor(), data)
        view = subscriptions.view(subscription)
    _print_secret(view, secret, as_json, "Subscription ")


def list_subscriptions(
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation.")] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """List subscriptions (never their secrets)."""
    with command_session(database_url) as db:
        organisation_id = find_organisation(db, org).id if org else None
        found = every(
            lambda page: subscriptions.list_subscriptions(db, cli_actor(), page, organisation_id)
        )
        views = [subscriptions.view(subscription) for subscription in found]
    if as_json:
        print_json(views)
        return
    if not views:
        console.print("No webhook subscriptions.")
        return
    table = Table(
        Column("uuid", no_wrap=True, min_width=36), "organisation", "url", "events", "state"
    )
    for view in views:
        state = "enabled" if view["enabled"] else "disabled"
        table.add_row(
            view["uuid"],
            view["organisation"]["name"],
            view["url"],
            ",".join(view["event_types"]),
            state,
        )
    print_table(table)


def show(
    subscription: SubscriptionArg, as_json: AsJson = False, database_url: DatabaseUrl = None
) -> None:
    """Show a subscription (never its secret)."""
    wanted = _uuid(subscription, "subscription")
    with command_session(database_url) as db:
        view = subscriptions.view(subscriptions.get_subscription(db, cli_actor(), wanted))
    shown = {"organisation": view["organisation"]["name"], "event_types": _types(view)}
    print_record(view, as_json, shown)


def update(
    subscription: SubscriptionArg,
    url: Url = None,
    events: Events = None,
    description: Description = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Change a subscription's URL, event types or description."""
    wanted = _uuid(subscription, "subscription")
    values = given(url=url, event_types=_events(events), description=description)
    if not values:
        raise fail("nothing to change: give --url, --events or --description")
    data = OPTIONS.validated(WebhookSubscriptionUpdate, values)
    with OPTIONS.named(), command_session(database_url) as db:
        actor = cli_actor()
        found = subscriptions.get_subscription(db, actor, wanted)
        view = subscriptions.view(subscriptions.update(db, actor, found, data, None))
    _done(view, as_json, "Updated ")


def rotate_secret(
    subscription: SubscriptionArg,
    overlap: Annotated[
        str | None,
        typer.Option(
            "--overlap",
            help="How long the previous secret still signs too, e.g. 0h, 30m, 24h, 7d "
            "(default: FLEETCHARGE_WEBHOOKS_SECRET_OVERLAP_SECONDS, 24h).",
        ),
    ] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Issue a new signing secret, printed once; the old one keeps signing for --overlap."""
    wanted = _uuid(subscription, "subscription")
    with OPTIONS.named(), command_session(database_url) as db:
        actor = cli_actor()
        found = subscriptions.get_subscription(db, actor, wanted)
        secret = subscriptions.rotate_secret(db, actor, found, overlap)
        view = subscriptions.view(found)
    _print_secret(view, secret, as_json, "New secret for ")


def disable(
    subscription: SubscriptionArg, as_json: AsJson = False, database_url: DatabaseUrl = None
) -> None:
    """Stop sending events to a subscription; its queued deliveries are failed."""
    wanted = _uuid(subscription, "subscription")
    with command_session(database_url) as db:
        actor = cli_actor()
        found = subscriptions.get_subscription(db, actor, wanted)
        view = subscriptions.view(subscriptions.disable(db, actor, found))
    _done(view, as_json, "")


def enable(
    subscription: SubscriptionArg, as_json: AsJson = False, database_url: DatabaseUrl = None
) -> None:
    """Send events to a subscription again; its record of failures starts afresh."""
    wanted = _uuid(subscription, "subscription")
    with command_session(database_url) as db:
        actor = cli_actor()
        found = subscriptions.get_subscription(db, actor, wanted)
        view = subscriptions.view(subscriptions.enable(db, actor, found))
    _done(view, as_json, "")


def list_deliveries(
    subscription: SubscriptionArg,
    status: Annotated[
        str | None,
        typer.Option("--status", help="Only deliveries " + ", ".join(DELIVERY_STATUSES) + "."),
    ] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """A subscription's deliveries, newest first."""
    wanted = _uuid(subscription, "subscription")
    if status is not None and status not in DELIVERY_STATUSES:
        raise fail(f"--status must be one of {', '.join(DELIVERY_STATUSES)}, got {status!r}")
    with command_session(database_url) as db:
        actor = cli_actor()
        found = subscriptions.get_subscription(db, actor, wanted)
        views = [
            deliveries.view(delivery)
            for delivery in every(
                lambda page: deliveries.list_deliveries(db, actor, found, page, status)
            )
        ]
    if as_json:
        print_json(views)
        return
    if not views:
        console.print("No deliveries.")
        return
    table = Table(
        Column("uuid", no_wrap=True, min_width=36),
        "event",
        "type",
        "status",
        "attempts",
        "next attempt",
        "last error",
    )
    for view in views:
        table.add_row(
            view["uuid"],
            view["event"]["uuid"],
            view["event"]["type"],
            view["status"],
            str(view["attempts"]),
            view["next_attempt_at"] or "",
            view["last_error"] or "",
        )
    print_table(table)


def show_delivery(
    delivery: DeliveryArg, as_json: AsJson = False, database_url: DatabaseUrl = None
) -> None:
    """Show a delivery, with every attempt made."""
    wanted = _uuid(delivery, "delivery")
    with command_session(database_url) as db:
        view = deliveries.detail(deliveries.get_delivery(db, cli_actor(), wanted))
    if as_json:
        print_json(view)
        return
    attempts = view.pop("attempt_log")
    view.pop("payload")
    print_record(view, False, {"event": f"{view['event']['type']} {view['event']['uuid']}"})
    for attempt in attempts:
        answer = attempt["status_code"] or attempt["error"] or "-"
        console.print(
            f"  {attempt['started_at']}: {answer} in {attempt['latency_ms']} ms", soft_wrap=True
        )


def redeliver(
    delivery: Annotated[
        str | None,
        typer.Argument(
            help="UUID of the delivery (see `webhooks deliveries`).", show_default=False
        ),
    ] = None,
    event: Annotated[
        str | None,
        typer.Option("--event", help="Instead: the UUID of an event (its `id`) to send again..."),
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="...to this subscription (UUID).")] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Send a delivery again (pending, due now); its earlier attempts are kept. With --event
    and --to, an event is sent to a subscription that may never have had it."""
    if (delivery is None) == (event is None) or (event is None) != (to is None):
        raise fail("give a DELIVERY_UUID, or --event EVENT_UUID with --to SUBSCRIPTION_UUID")
    with OPTIONS.named(), command_session(database_url) as db:
        actor = cli_actor()
        if delivery is not None:
            found = deliveries.get_delivery(db, actor, _uuid(delivery, "delivery"))
            sent = deliveries.redeliver(db, actor, found)
        else:
            assert event is not None and to is not None
            wanted = _uuid(event, "event")
            subscription = subscriptions.get_subscription(db, actor, _uuid(to, "subscription"))
            sent = deliveries.redeliver_event(db, actor, subscription, wanted)
        view = deliveries.detail(sent)
    if as_json:
        print_json(view)
    else:
        console.print(f"Delivery {view['uuid']} of {view['event']['type']} is pending again.")


def _done(view: dict[str, Any], as_json: bool, said: str) -> None:
    if as_json:
        print_json(view)
    else:
        console.print(said + _summary(view), soft_wrap=True)


def register(app: typer.Typer) -> None:
    """The management commands, on the `webhooks` command group."""
    app.command("create")(create)
    app.command("list")(list_subscriptions)
    app.command("show")(show)
    app.command("update")(update)
    app.command("rotate-secret")(rotate_secret)
    app.command("disable")(disable)
    app.command("enable")(enable)
    app.command("deliveries")(list_deliveries)
    app.command("delivery")(show_delivery)
    app.command("redeliver")(redeliver)
    app.command("listen")(webhook_listen.listen)
