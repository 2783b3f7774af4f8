"""One module per area of the console, each with its `router`."""

from fleetcharge.console.routes import (
    account,
    billing,
    locations,
    organisations,
    station_setup,
    tariffs,
)

# station_setup's /network/stations/new comes before any /network/stations/{uuid} page.
ROUTERS = (
    account.router,
    organisations.router,
    locations.router,
    station_setup.router,
    tariffs.router,
    billing.router,
)
