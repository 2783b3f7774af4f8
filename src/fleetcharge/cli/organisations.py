"""`fleetcharge organisations create | list | show | set`."""

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
    print_json,
    print_record,
    print_table,
)
from fleetcharge.cli.records import Options, every, given
from fleetcharge.organisations import service
from fleetcharge.organisations.schemas import OrganisationCreate, OrganisationUpdate

app = typer.Typer(help="Organisations: create them, their billing settings.", no_args_is_help=True)

OrgArg = Annotated[str, typer.Argument(help="Organisation name or UUID.", show_default=False)]
NetworkFee = Annotated[
    str | None,
    typer.Option(help="Per kWh charged at stations it hosts, e.g. 0.175 (new sessions)."),
]
VehicleFee = Annotated[str | None, typer.Option(help="Monthly fee per active vehicle.")]
SubscriptionFee = Annotated[str | None, typer.Option(help="Monthly fee per hosted station.")]
Timezone = Annotated[str | None, typer.Option(help="Time zone its billing months follow.")]
Abn = Annotated[
    str | None, typer.Option(help="Australian Business Number, checked, e.g. 51 824 753 556.")
]
Address = Annotated[str | None, typer.Option(help="Postal address for its invoices.")]
ContactName = Annotated[str | None, typer.Option(help="Who invoices are addressed to.")]
ContactEmail = Annotated[str | None, typer.Option(help="Where invoices go.")]
ContactPhone = Annotated[str | None, typer.Option(help="Accounts phone number.")]
LegalName = Annotated[
    str | None, typer.Option(help="Legal name on its invoices (default: its name).")
]
BillingEmail = Annotated[
    list[str] | None,
    typer.Option(
        help="Where its invoices are emailed. Repeatable; the addresses given replace the"
        ' list (--billing-email "" empties it).'
    ),
]
PurchaseOrder = Annotated[
    str | None, typer.Option(help="Its purchase-order reference, printed on its invoices.")
]
PaymentTerms = Annotated[
    int | None,
    typer.Option(help="Days from an invoice's approval to its due date (0-365; default 14)."),
]


def _billing_emails(addresses: list[str] | None) -> list[str] | None:
    return None if addresses is None else [a for a in addresses if a.strip()]


def _summary(view: dict[str, Any]) -> str:
    limits = ", ".join(f"{k} {v}" for k, v in view["rate_limits"].items())
    return (
        f"{view['name']} ({view['uuid']}): ABN {view['abn_display'] or '-'},"
        f" network fee {view['network_fee_per_kwh']}/kWh, vehicle fee {view['vehicle_fee']},"
        f" station subscription {view['station_subscription_fee']},"
        f" months in {view['billing_timezone']},"
        f" payment terms {view['payment_terms_days']} days,"
        f" invoices to {', '.join(view['billing_emails']) or '-'},"
        f" rate limits: {limits or 'the deployment defaults'}"
    )


# Body fields as this command's options, to name them in error messages.
OPTIONS = Options(
    {
        "network_fee_per_kwh": "--network-fee",
        "billing_timezone": "--timezone",
        "rate_limits": "--rate-limit",
        "billing_emails": "--billing-email",
    }
)


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Its name (unique).", show_default=False)],
    abn: Abn = None,
    timezone: Timezone = None,
    network_fee: NetworkFee = None,
    vehicle_fee: VehicleFee = None,
    station_subscription_fee: SubscriptionFee = None,
    address: Address = None,
    contact_name: ContactName = None,
    contact_email: ContactEmail = None,
    contact_phone: ContactPhone = None,
    legal_name: LegalName = None,
    billing_email: BillingEmail = None,
    purchase_order: PurchaseOrder = None,
    payment_terms_days: PaymentTerms = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an organisation (a fleet operator, a site host, or both)."""
    data = OPTIONS.validated(
        OrganisationCreate,
        given(
            name=name,
            abn=abn,
            billing_timezone=timezone,
            network_fee_per_kwh=network_fee,
            vehicle_fee=vehicle_fee,
            station_subscription_fee=station_subscription_fee,
            address=address,
            contact_name=contact_name,
            contact_email=contact_email,
            contact_phone=contact_phone,
            legal_name=legal_name,
            billing_emails=_billing_emails(billing_email),
            purchase_order=purchase_order,
            payment_terms_days=payment_terms_days,
        ),
    )
    with OPTIONS.named(), command_session(database_url) as db:
        view = service.organisation_view(service.create_organisation(db, cli_actor(), data))
    if as_json:
        print_json(view)
    else:
        console.print(f"Created {_summary(view)}", soft_wrap=True)


@app.command("list")
def list_organisations(
    search: Annotated[str | None, typer.Option("--search", help="Part of the name.")] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """List organisations with their fees (GST-inclusive) and billing time zone."""
    with command_session(database_url) as db:
        records = every(lambda page: service.list_organisations(db, cli_actor(), page, search))
        views = [service.organisation_view(record) for record in records]
    if as_json:
        print_json(views)
        return
    views.sort(key=lambda view: view["name"])
    table = Table(
        "uuid",
        "name",
        "ABN",
        "timezone",
        "network fee/kWh",
        "vehicle fee",
        "station subscription",
    )
    for view in views:
        table.add_row(
            view["uuid"],
            view["name"],
            view["abn_display"] or "",
            view["billing_timezone"],
            view["network_fee_per_kwh"],
            view["vehicle_fee"],
            view["station_subscription_fee"],
        )
    print_table(table)


@app.command("show")
def show(org: OrgArg, as_json: AsJson = False, database_url: DatabaseUrl = None) -> None:
    """Show one organisation's details and settings."""
    with command_session(database_url) as db:
        view = service.organisation_view(service.find_organisation(db, org))
    print_record(view, as_json)


@app.command("set")
def set_settings(
    org: OrgArg,
    name: Annotated[str | None, typer.Option(help="A new name.")] = None,
    network_fee: NetworkFee = None,
    vehicle_fee: VehicleFee = None,
    station_subscription_fee: SubscriptionFee = None,
    timezone: Timezone = None,
    abn: Abn = None,
    address: Address = None,
    contact_name: ContactName = None,
    contact_email: ContactEmail = None,
    contact_phone: ContactPhone = None,
    legal_name: LegalName = None,
    billing_email: BillingEmail = None,
    purchase_order: PurchaseOrder = None,
    payment_terms_days: PaymentTerms = None,
    rate_limit: Annotated[
        list[str] | None,
        typer.Option(
            help="Its own Fleets API limit, e.g. usage=100/hour, invoices=off, or usage=default "
            "to follow the deployment's again. Repeatable."
        ),
    ] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Change an organisation's details, billing settings (amounts GST-inclusive) or rate
    limits."""
    changes = given(
        name=name,
        network_fee_per_kwh=network_fee,
        vehicle_fee=vehicle_fee,
        station_subscription_fee=station_subscription_fee,
        billing_timezone=timezone,
        abn=abn,
        address=address,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        legal_name=legal_name,
        billing_emails=_billing_emails(billing_email),
        purchase_order=purchase_order,
        payment_terms_days=payment_terms_days,
    )
    if not changes and not rate_limit:
        raise fail("nothing to change: give at least one option (see --help)")
    with OPTIONS.named(), command_session(database_url) as db:
        organisation = service.find_organisation(db, org)
        if rate_limit:
            changes["rate_limits"] = service.rate_limit_changes(rate_limit)
        data = OPTIONS.validated(OrganisationUpdate, changes)
        service.update_organisation(db, cli_actor(), organisation, data)
        view = service.organisation_view(organisation)
    if as_json:
        print_json(view)
    else:
        console.print(_summary(view), soft_wrap=True)
