"""One module per area of the console, each with its `router`."""

from fleetcharge.console.routes import (
    account,
    billing,
    cards,
    charge_sessions,
    fleet_overview,
    invoices,
    locations,
    network,
    organisations,
    site_overview,
    smart_charging,
    station_setup,
    tariffs,
    tokens,
    vehicles,
)

# station_setup's /network/stations/new comes before network's /network/stations/{uuid}.
ROUTERS = (
    account.router,
    fleet_overview.router,
    charge_sessions.router,
    vehicles.router,
    cards.router,
    invoices.router,
    tokens.router,
    site_overview.router,
    organisations.router,
    locations.router,
    smart_charging.router,
    station_setup.router,
    tariffs.router,
    billing.router,
    network.router,
)
