"""One module per area of the console, each with its `router`."""

from fleetcharge.console.routes import (
    account,
    charge_sessions,
    fleet_overview,
    network,
    site_overview,
)

ROUTERS = (
    account.router,
    fleet_overview.router,
    charge_sessions.router,
    site_overview.router,
    network.router,
)
