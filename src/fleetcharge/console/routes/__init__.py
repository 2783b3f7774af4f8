"""One module per area of the console, each with its `router`."""

from fleetcharge.console.routes import account, vehicles

ROUTERS = (account.router, vehicles.router)
