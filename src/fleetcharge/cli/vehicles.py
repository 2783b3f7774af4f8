"""`fleetcharge vehicles create | list | show | set | move | retire`."""

from typing import Annotated, Any

import typer
from rich.table import Table

from fleetcharge.cli.common import (
    AsJson,
    DatabaseUrl,
    cli_actor,
    command_session,
    day,
    fail,
    print_json,
    print_summary,
    print_table,
)
from fleetcharge.cli.records import Options, every, given
from fleetcharge.fleets import vehicle_records as service
from fleetcharge.fleets.admin_schemas import VehicleCreate, VehicleMove, VehicleUpdate
from fleetcharge.fleets.references import find_fleet, find_vehicle
from fleetcharge.organisations.service import find_organisation
from fleetcharge.sites.values import departures, power

app = typer.Typer(
    help="Vehicles: create, change, move between fleets, retire (never deleted).",
    no_args_is_help=True,
)

VehicleArg = Annotated[str, typer.Argument(help="VIN or UUID.", show_default=False)]
Org = Annotated[
    str | None,
    typer.Option("--org", help="Organisation name or UUID (to tell same-named fleets apart)."),
]
Registration = Annotated[str | None, typer.Option("--registration", help="Number plate.")]
Contract = Annotated[str | None, typer.Option("--contract", help='Contract number ("" clears it).')]
AcKw = Annotated[
    str | None,
    typer.Option(
        "--ac-kw",
        help="The most it draws from an AC station (its on-board charger), kW, e.g. 11: a "
        "session above it is held for review. On set, 'none' clears it.",
    ),
]
DcKw = Annotated[
    str | None,
    typer.Option(
        "--dc-kw",
        help="The most it draws from a DC station, kW, e.g. 150. On set, 'none' clears it.",
    ),
]
OPTIONS = Options(
    {
        "fleet_uuid": "--fleet",
        "fleet": "--fleet",
        "organisation": "--org",
        "registration_number": "--registration",
        "contract_number": "--contract",
        "effective_from": "--from",
        "from": "--from",
        "from_": "--from",
        "effective_to": "--last-day",
        "max_ac_power_kw": "--ac-kw",
        "max_dc_power_kw": "--dc-kw",
        "max_charge_power_kw": "--max-power",
        "departure_times": "--departure",
        "target_energy_kwh": "--target-energy",
        "vehicle": "VEHICLE",
        "vin": "VIN",
    }
)


def _summary(view: dict[str, Any]) -> str:
    until = f" to {view['effective_to']}" if view["effective_to"] else ""
    tags = ", ".join(view["id_tags"]) or "no cards"
    return (
        f"{view['vin']} ({view['uuid']}), {view['registration_number']}, fleet"
        f" {view['fleet']['name']} of {view['organisation']['name']},"
        f" from {view['effective_from']}{until}, {view['status']}, {tags}"
    )


@app.command("create")
def create(
    vin: Annotated[str, typer.Argument(help="17 letters and digits, no I, O or Q.")],
    fleet: Annotated[str, typer.Option("--fleet", help="Fleet name or UUID.")],
    registration: Annotated[str, typer.Option("--registration", help="Number plate.")],
    contract: Contract = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="First day billed, YYYY-MM-DD (default today).")
    ] = None,
    org: Org = None,
    ac_kw: AcKw = None,
    dc_kw: DcKw = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a vehicle in a fleet."""
    first = day(from_, "--from") if from_ is not None else None
    with OPTIONS.named(), command_session(database_url) as db:
        organisation = find_organisation(db, org, "organisation") if org else None
        found = find_fleet(db, fleet, organisation)
        values = given(
            contract_number=contract,
            effective_from=first,
            max_ac_power_kw=ac_kw,
            max_dc_power_kw=dc_kw,
        )
        data = OPTIONS.validated(
            VehicleCreate,
            {"fleet_uuid": found.uuid, "vin": vin, "registration_number": registration, **values},
        )
        view = service.vehicle_view(service.create_vehicle(db, cli_actor(), data))
    print_summary(view, as_json, _summary, "Created ")


@app.command("list")
def list_vehicles(
    org: Org = None,
    fleet: Annotated[str | None, typer.Option("--fleet", help="Fleet name or UUID.")] = None,
    status: Annotated[str | None, typer.Option(help="active or retired.")] = None,
    search: Annotated[
        str | None, typer.Option("--search", help="Part of the VIN, registration or contract.")
    ] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """List vehicles, with their fleets and cards."""
    if status is not None and status not in service.VEHICLE_STATUSES:
        raise fail(f"--status must be one of {', '.join(service.VEHICLE_STATUSES)}")
    with OPTIONS.named(), command_session(database_url) as db:
        organisation = find_organisation(db, org, "organisation") if org else None
        fleet_id = find_fleet(db, fleet, organisation).id if fleet else None
        organisation_id = organisation.id if organisation else None
        views = every(
            lambda page: service.list_vehicles(
                db,
                cli_actor(),
                page,
                organisation_id=organisation_id,
                fleet_id=fleet_id,
                status=status,
                q=search,
            ),
        )
    if as_json:
        print_json(views)
        return
    table = Table("uuid", "VIN", "registration", "fleet", "from", "to", "status", "cards")
    for view in views:
        table.add_row(
            view["uuid"],
            view["vin"],
            view["registration_number"],
            view["fleet"]["name"],
            view["effective_from"],
            view["effective_to"] or "",
            view["status"],
            ", ".join(view["id_tags"]),
        )
    print_table(table)


@app.command("show")
def show(vehicle: VehicleArg, as_json: AsJson = False, database_url: DatabaseUrl = None) -> None:
    """Show one vehicle (by VIN: its active record)."""
    with OPTIONS.named(), command_session(database_url) as db:
        view = service.vehicle_view(find_vehicle(db, vehicle))
    print_summary(view, as_json, _summary)


@app.command("set")
def set_details(
    vehicle: VehicleArg,
    registration: Registration = None,
    contract: Contract = None,
    ac_kw: AcKw = None,
    dc_kw: DcKw = None,
    max_power: Annotated[
        str | None,
        typer.Option(
            "--max-power",
            help="Smart charging: the most a depot gives it, e.g. 11kW; 'none' clears it.",
        ),
    ] = None,
    priority: Annotated[
        int | None,
        typer.Option(help="Smart charging priority, -1000 to 1000, added to its fleet's."),
    ] = None,
    departure: Annotated[
        list[str] | None,
        typer.Option(
            help="Usual departure, local time at the site: mon-fri=05:30 (repeatable); "
            "'none' clears them."
        ),
    ] = None,
    target_energy: Annotated[
        str | None,
        typer.Option(
            "--target-energy",
            help="Energy it should have by departure, kWh, e.g. 40; 'none' clears it.",
        ),
    ] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Change a vehicle's registration, contract number, power limits or smart-charging
    settings (maximum power, priority, usual departures, target energy)."""
    changes = given(
        registration_number=registration,
        contract_number=contract,
        max_ac_power_kw=ac_kw,
        max_dc_power_kw=dc_kw,
        max_charge_power_kw=_kw(max_power) if max_power is not None else None,
        priority=priority,
        target_energy_kwh=_kwh(target_energy) if target_energy is not None else None,
    )
    if departure:
        try:
            changes["departure_times"] = departures(departure)
        except ValueError as error:
            raise fail(f"--departure: {error}") from None
    if not changes:
        raise fail("nothing to change: give an option (see --help)")
    for limit in ("max_ac_power_kw", "max_dc_power_kw", "max_charge_power_kw", "target_energy_kwh"):
        if str(changes.get(limit, "")).strip().lower() == "none":
            changes[limit] = None
    with OPTIONS.named(), command_session(database_url) as db:
        found = find_vehicle(db, vehicle)
        data = OPTIONS.validated(VehicleUpdate, changes)
        view = service.vehicle_view(service.update_vehicle(db, cli_actor(), found, data))
    print_summary(view, as_json, _summary)


def _kw(text: str) -> str:
    """`11kW`, `11 kW`, `11000W` or `11` -> kW; `none` kept (it clears)."""
    if text.strip().lower() == "none":
        return "none"
    if not text.strip()[-1:].isalpha():
        return text
    try:
        found = power(text)
    except ValueError as error:
        raise fail(f"--max-power: {error}") from None
    if found.unit != "kW":
        raise fail("--max-power: a power in kW or W, not a current")
    return str(found.value)


def _kwh(text: str) -> str:
    cleaned = text.strip()
    return cleaned[:-3].strip() if cleaned.lower().endswith("kwh") else cleaned


@app.command("move")
def move(
    vehicle: VehicleArg,
    fleet: Annotated[str, typer.Option("--fleet", help="Another fleet of its organisation.")],
    from_: Annotated[
        str | None,
        typer.Option("--from", help="First day in the new fleet, YYYY-MM-DD (default today)."),
    ] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Move a vehicle to another fleet from a day: its record in the old fleet ends the day
    before, a new record starts in the new one, and its cards follow it."""
    first = day(from_, "--from") if from_ is not None else None
    with OPTIONS.named(), command_session(database_url) as db:
        found = find_vehicle(db, vehicle)
        target = find_fleet(db, fleet, found.fleet.organisation)
        data = OPTIONS.validated(VehicleMove, given(fleet_uuid=target.uuid, from_=first))
        view = service.vehicle_view(service.move_vehicle(db, cli_actor(), found, data))
    print_summary(view, as_json, _summary, "Moved: ")


@app.command("retire")
def retire(
    vehicle: VehicleArg,
    last_day: Annotated[
        str | None,
        typer.Option("--last-day", help="Its last active day, YYYY-MM-DD (default today)."),
    ] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Retire a vehicle: billed and charging up to its last day, kept for its history."""
    last = day(last_day, "--last-day") if last_day is not None else None
    with OPTIONS.named(), command_session(database_url) as db:
        found = find_vehicle(db, vehicle)
        data = OPTIONS.validated(VehicleUpdate, {"effective_to": last or service.today(found)})
        view = service.vehicle_view(service.update_vehicle(db, cli_actor(), found, data))
    print_summary(view, as_json, _summary, "Retired: ")
