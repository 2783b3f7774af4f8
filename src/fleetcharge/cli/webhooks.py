"""`fleetcharge webhooks ...`: the delivery worker and webhook subscriptions."""

import logging.config
import signal
import threading
from types import FrameType

import typer

from fleetcharge.cli.common import DatabaseUrl, console, database_errors, fail, resolve_url

app = typer.Typer(help="Webhooks: subscriptions and their delivery.", no_args_is_help=True)


@app.command()
def worker(database_url: DatabaseUrl = None) -> None:
    """Deliver webhooks until stopped (SIGTERM or Ctrl-C finish the batch under way first).
    Any number may run beside the servers' own dispatchers (on PostgreSQL)."""
    from sqlalchemy import inspect

    from fleetcharge.db import engine_for
    from fleetcharge.logs import logging_config
    from fleetcharge.settings import get_settings
    from fleetcharge.webhooks.dispatcher import Dispatcher

    settings = get_settings()
    if not settings.webhooks_secret_key:
        raise fail("webhooks need FLEETCHARGE_WEBHOOKS_SECRET_KEY (see `webhooks generate-key`)")
    url = resolve_url(database_url)
    with database_errors(), engine_for(url).connect() as connection:
        if not inspect(connection).has_table("webhook_deliveries"):
            raise fail(
                f"the database at {url} has no webhooks yet: run `fleetcharge db upgrade`", 1
            )
    logging.config.dictConfig(logging_config(settings.log_level, settings.log_format))
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # a second signal: leave now (claims lapse)
        logging.getLogger(__name__).info(
            "%s: stopping after the batch under way", signal.Signals(signum).name
        )
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with database_errors():
        dispatcher = Dispatcher(engine_for(url), settings=settings)
        try:
            dispatcher.run(stop)
        finally:
            dispatcher.close()


@app.command("generate-key")
def generate_key() -> None:
    """Print a new key for FLEETCHARGE_WEBHOOKS_SECRET_KEY (it seals signing secrets)."""
    from fleetcharge.webhooks.sealing import generate_key as new_key

    console.print(new_key(), markup=False, highlight=False)
