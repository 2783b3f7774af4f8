"""One module per area of the console, each with its `router`."""

from fleetcharge.console.routes import account, cards, invoices, tokens, vehicles

ROUTERS = (account.router, vehicles.router, cards.router, invoices.router, tokens.router)
