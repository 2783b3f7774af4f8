"""An in-process hook: whoever changes a site's power settings, circuits, stations or a
session's charging need calls `site_changed`; the control loop subscribes.

Callbacks run synchronously in the caller's thread (the services announce a change once its
transaction commits: often a worker thread of the admin API, or the CLI) and must be quick:
hand the work to the loop thread-safely (e.g. `loop.call_soon_threadsafe`), do not do it. One
that raises is logged and does not stop the others or the change."""

from fleetcharge.kit.hooks import Hook

_changes: Hook[int] = Hook("site changes")
subscribe = _changes.subscribe  # callback(location_id) on every change; returns the unsubscribe
site_changed = _changes.publish
