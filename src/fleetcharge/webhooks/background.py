"""The dispatcher a serving process runs beside its requests, in a thread of its own."""

import threading

from sqlalchemy import Engine

from fleetcharge.settings import get_settings
from fleetcharge.webhooks.dispatcher import Dispatcher


class BackgroundDispatcher:
    def __init__(self, engine: Engine) -> None:
        self._stop = threading.Event()
        self._dispatcher = Dispatcher(engine)
        self._thread = threading.Thread(
            target=self._dispatcher.run, args=(self._stop,), name="webhooks", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the batch under way (at most `timeout` s: the rest of its claims lapse)."""
        self._stop.set()
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._dispatcher.close()


def start_dispatcher(engine: Engine) -> BackgroundDispatcher | None:
    """A running dispatcher, unless webhooks_dispatcher_enabled is off."""
    if not get_settings().webhooks_dispatcher_enabled:
        return None
    return BackgroundDispatcher(engine)
