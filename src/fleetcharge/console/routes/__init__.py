"""One module per area of the console, each with its `router`."""

from fleetcharge.console.routes import account, cards, tokens, vehicles

ROUTERS = (account.router, vehicles.router, cards.router, tokens.router)
