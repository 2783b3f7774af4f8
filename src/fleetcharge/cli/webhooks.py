"""`fleetcharge webhooks ...`: the delivery worker and webhook subscriptions."""

import typer

from fleetcharge.cli import webhook_subscriptions

app = typer.Typer(help="Webhooks: subscriptions and their delivery.", no_args_is_help=True)
webhook_subscriptions.register(app)
