"""One module per area of the console, each with its `router`."""

from fleetcharge.console.routes import account, network, site_overview

ROUTERS = (account.router, network.router, site_overview.router)
