"""An in-process hook: whoever changes a site's power settings, circuits, stations or a
session's charging need calls `site_changed`; the control loop subscribes.

Callbacks run synchronously in the caller's thread (the services announce a change once its
transaction commits: often a worker thread of the admin API, or the CLI) and must be quick:
hand the work to the loop thread-safely (e.g. `loop.call_soon_threadsafe`), do not do it. One
that raises is logged and does not stop the others or the change."""

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)
Callback = Callable[[int], None]
_subscribers: list[Callback] = []


def subscribe(callback: Callback) -> Callable[[], None]:
    """Call `callback(location_id)` on every change; returns the unsubscribe."""
    _subscribers.append(callback)

    def unsubscribe() -> None:
        if callback in _subscribers:
            _subscribers.remove(callback)

    return unsubscribe


def site_changed(location_id: int) -> None:
    for callback in list(_subscribers):
        try:
            callback(location_id)
        except Exception:
            log.exception("site_changed subscriber failed for location %s", location_id)
