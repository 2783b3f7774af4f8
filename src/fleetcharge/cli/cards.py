"""`fleetcharge cards create | list | show | assign | unassign | block | unblock | expire`."""

from typing import Annotated, Any

import typer
from rich.table import Table

from fleetcharge.cli.common import (
    AsJson,
    DatabaseUrl,
    cli_actor,
    command_session,
    console,
    fail,
    instant,
    print_json,
    print_table,
)
from fleetcharge.cli.records import Options, every, given
from fleetcharge.fleets import cards as service
from fleetcharge.fleets.admin_schemas import CardAssign, CardCreate, CardUnassign, CardUpdate
from fleetcharge.fleets.references import find_card, find_vehicle
from fleetcharge.models.vehicle import CardStatus
from fleetcharge.organisations.service import find_organisation

app = typer.Typer(
    help="RFID cards: create, assign to vehicles, block, expire. Changes reach the stations "
    "from the card's next Authorize or StartTransaction.",
    no_args_is_help=True,
)

CardArg = Annotated[str, typer.Argument(help="Id tag or UUID.", show_default=False)]
Org = Annotated[str | None, typer.Option("--org", help="Organisation name or UUID.")]
From = Annotated[
    str | None,
    typer.Option(
        "--from",
        help="When sessions start counting, ISO 8601 with offset, e.g. "
        "2027-01-01T00:00:00+08:00 (default now).",
    ),
]
OPTIONS = Options(
    {
        "vehicle_uuid": "--vehicle",
        "vehicle": "--vehicle",
        "organisation_uuid": "--org",
        "organisation": "--org",
        "expires_at": "--expires",
        "from": "--from",
        "from_": "--from",
        "card": "CARD",
        "id_tag": "ID_TAG",
    }
)


def _summary(view: dict[str, Any]) -> str:
    vehicle = view["vehicle"]["vin"] if view["vehicle"] else "no vehicle"
    owner = view["organisation"]["name"] if view["organisation"] else "the network"
    expiry = f", expires {view['expires_at']}" if view["expires_at"] else ""
    expired = " (expired)" if view["expired"] else ""
    return (
        f"{view['id_tag']} ({view['uuid']}): {view['status']}{expired}, {vehicle},"
        f" of {owner}{expiry}"
    )


def _print(view: dict[str, Any], as_json: bool, prefix: str = "") -> None:
    if as_json:
        print_json(view)
    else:
        console.print(f"{prefix}{_summary(view)}", soft_wrap=True)


@app.command("create")
def create(
    id_tag: Annotated[str, typer.Argument(help="The card's OCPP idTag (unique).")],
    vehicle: Annotated[str | None, typer.Option("--vehicle", help="VIN or UUID.")] = None,
    org: Org = None,
    expires: Annotated[
        str | None, typer.Option("--expires", help="Refused as Expired from then on (ISO 8601).")
    ] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a card, on a vehicle or kept by an organisation until assigned."""
    expires_at = instant(expires, "--expires") if expires is not None else None
    with OPTIONS.named(), command_session(database_url) as db:
        values = given(
            vehicle_uuid=find_vehicle(db, vehicle, "vehicle").uuid if vehicle else None,
            organisation_uuid=find_organisation(db, org, "organisation").uuid if org else None,
            expires_at=expires_at,
        )
        data = OPTIONS.validated(CardCreate, {"id_tag": id_tag, **values})
        view = service.card_view(service.create_card(db, cli_actor(), data))
    _print(view, as_json, "Created ")


@app.command("list")
def list_cards(
    org: Org = None,
    vehicle: Annotated[str | None, typer.Option("--vehicle", help="VIN or UUID.")] = None,
    status: Annotated[str | None, typer.Option(help="active or blocked.")] = None,
    search: Annotated[str | None, typer.Option("--search", help="Part of the id tag.")] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """List cards with their vehicles."""
    if status is not None and status not in tuple(CardStatus):
        raise fail(f"--status must be one of {', '.join(CardStatus)}")
    with OPTIONS.named(), command_session(database_url) as db:
        organisation_id = find_organisation(db, org, "organisation").id if org else None
        vehicle_id = find_vehicle(db, vehicle).id if vehicle else None
        cards = every(
            lambda page: service.list_cards(
                db,
                cli_actor(),
                page,
                organisation_id=organisation_id,
                vehicle_id=vehicle_id,
                status=status,
                q=search,
            ),
        )
        views = [service.card_view(card) for card in cards]
    if as_json:
        print_json(views)
        return
    table = Table("uuid", "id tag", "status", "expires", "vehicle", "organisation")
    for view in views:
        table.add_row(
            view["uuid"],
            view["id_tag"],
            view["status"] + (" (expired)" if view["expired"] else ""),
            view["expires_at"] or "",
            view["vehicle"]["vin"] if view["vehicle"] else "",
            view["organisation"]["name"] if view["organisation"] else "",
        )
    print_table(table)


@app.command("show")
def show(card: CardArg, as_json: AsJson = False, database_url: DatabaseUrl = None) -> None:
    """Show one card."""
    with OPTIONS.named(), command_session(database_url) as db:
        view = service.card_view(find_card(db, card))
    _print(view, as_json)


@app.command("assign")
def assign(
    card: CardArg,
    vehicle: Annotated[str, typer.Option("--vehicle", help="VIN or UUID.")],
    from_: From = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Assign a card to a vehicle: sessions starting from then on are the vehicle's."""
    starts = instant(from_, "--from") if from_ is not None else None
    with OPTIONS.named(), command_session(database_url) as db:
        found = find_card(db, card)
        target = find_vehicle(db, vehicle, "vehicle")
        data = OPTIONS.validated(CardAssign, given(vehicle_uuid=target.uuid, from_=starts))
        view = service.card_view(service.assign_card(db, cli_actor(), found, data))
    _print(view, as_json, "Assigned: ")


@app.command("unassign")
def unassign(
    card: CardArg, from_: From = None, as_json: AsJson = False, database_url: DatabaseUrl = None
) -> None:
    """Take a card off its vehicle (it stays its organisation's)."""
    starts = instant(from_, "--from") if from_ is not None else None
    with OPTIONS.named(), command_session(database_url) as db:
        found = find_card(db, card)
        data = OPTIONS.validated(CardUnassign, given(from_=starts))
        view = service.card_view(service.unassign_card(db, cli_actor(), found, data))
    _print(view, as_json, "Unassigned: ")


@app.command("block")
def block(card: CardArg, as_json: AsJson = False, database_url: DatabaseUrl = None) -> None:
    """Block a card: refused (Blocked) from its next Authorize or StartTransaction."""
    with OPTIONS.named(), command_session(database_url) as db:
        view = service.card_view(service.set_blocked(db, cli_actor(), find_card(db, card), True))
    _print(view, as_json, "Blocked: ")


@app.command("unblock")
def unblock(card: CardArg, as_json: AsJson = False, database_url: DatabaseUrl = None) -> None:
    """Unblock a card."""
    with OPTIONS.named(), command_session(database_url) as db:
        view = service.card_view(service.set_blocked(db, cli_actor(), find_card(db, card), False))
    _print(view, as_json, "Unblocked: ")


@app.command("expire")
def expire(
    card: CardArg,
    at: Annotated[
        str | None,
        typer.Option("--at", help="When it expires, ISO 8601 with offset (default now)."),
    ] = None,
    never: Annotated[bool, typer.Option("--never", help="Make it never expire.")] = False,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Expire a card now (or at a time): refused (Expired) from then on."""
    if at is not None and never:
        raise fail("--at and --never: give one")
    expires_at = instant(at, "--at") if at is not None else None
    options = Options({**OPTIONS.renamed, "expires_at": "--at"})
    with options.named(), command_session(database_url) as db:
        found = find_card(db, card)
        if at is None and not never:
            changed = service.expire_card(db, cli_actor(), found)
        else:
            data = options.validated(CardUpdate, {"expires_at": expires_at})
            changed = service.update_card(db, cli_actor(), found, data)
        view = service.card_view(changed)
    _print(view, as_json, "Expiry set: ")
