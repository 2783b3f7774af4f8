"""One module per area of the console, each with its `router`."""

from fleetcharge.console.routes import (
    account,
    cards,
    charge_sessions,
    fleet_overview,
    invoices,
    network,
    site_overview,
    tokens,
    vehicles,
)

ROUTERS = (
    account.router,
    fleet_overview.router,
    charge_sessions.router,
    vehicles.router,
    cards.router,
    invoices.router,
    tokens.router,
    site_overview.router,
    network.router,
)
