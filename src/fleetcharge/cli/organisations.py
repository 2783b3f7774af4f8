from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from fleetcharge.abn import format_abn
from fleetcharge.billing.settings import BillingSettings, update_billing_settings
from fleetcharge.cli.common import DatabaseUrl, command_session, console, fail, print_table
from fleetcharge.fleets.repository import find_organisation
from fleetcharge.models import Organisation
from fleetcharge.ratelimit.policy import merge_overrides

app = typer.Typer(help="Organisations and their billing settings.", no_args_is_help=True)


def _amount(value: str | None, option: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise fail(f"{option} must be an amount such as 0.175, got {value!r}") from None


@app.command("list")
def list_organisations(database_url: DatabaseUrl = None) -> None:
    """List organisations with their fees (GST-inclusive) and billing time zone."""
    with command_session(database_url) as db:
        rows = [
            (
                str(o.uuid),
                o.name,
                format_abn(o.abn or ""),
                o.billing_timezone,
                str(o.network_fee_per_kwh),
                str(o.vehicle_fee),
                str(o.station_subscription_fee),
            )
            for o in db.scalars(select(Organisation).order_by(Organisation.name))
        ]
    table = Table(
        "uuid",
        "name",
        "ABN",
        "timezone",
        "network fee/kWh",
        "vehicle fee",
        "station subscription",
    )
    for row in rows:
        table.add_row(*row)
    print_table(table)


@app.command("set")
def set_settings(
    org: Annotated[str, typer.Argument(help="Organisation name or UUID.", show_default=False)],
    network_fee: Annotated[
        str | None,
        typer.Option(help="Per kWh charged at stations it hosts, e.g. 0.175 (new sessions)."),
    ] = None,
    vehicle_fee: Annotated[str | None, typer.Option(help="Monthly fee per active vehicle.")] = None,
    station_subscription_fee: Annotated[
        str | None, typer.Option(help="Monthly fee per hosted station.")
    ] = None,
    timezone: Annotated[
        str | None, typer.Option(help="Time zone its billing months follow.")
    ] = None,
    abn: Annotated[
        str | None, typer.Option(help="Australian Business Number, checked, e.g. 51 824 753 556.")
    ] = None,
    rate_limit: Annotated[
        list[str] | None,
        typer.Option(
            help="Its own Fleets API limit, e.g. usage=100/hour, invoices=off, or usage=default "
            "to follow the deployment's again. Repeatable."
        ),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Change an organisation's ABN, billing settings (amounts GST-inclusive) or rate limits."""
    changes = BillingSettings(
        network_fee_per_kwh=_amount(network_fee, "--network-fee"),
        vehicle_fee=_amount(vehicle_fee, "--vehicle-fee"),
        station_subscription_fee=_amount(station_subscription_fee, "--station-subscription-fee"),
        billing_timezone=timezone,
        abn=abn,
    )
    if changes == BillingSettings() and not rate_limit:
        raise fail("nothing to change: give at least one option (see --help)")
    with command_session(database_url) as db:
        organisation = update_billing_settings(db, find_organisation(db, org), changes)
        if rate_limit:
            organisation.rate_limits = merge_overrides(organisation.rate_limits, rate_limit)
        limits = ", ".join(f"{k} {v}" for k, v in (organisation.rate_limits or {}).items())
        summary = (
            f"{organisation.name}: ABN {format_abn(organisation.abn or '-')},"
            f" network fee {organisation.network_fee_per_kwh}/kWh, "
            f"vehicle fee {organisation.vehicle_fee}, station subscription "
            f"{organisation.station_subscription_fee}, months in {organisation.billing_timezone}, "
            f"rate limits: {limits or 'the deployment defaults'}"
        )
    console.print(summary, soft_wrap=True)
