"""In-process news of stations' transactions for whoever acts on them as they happen (the
site control loop): a station booted, a transaction started or stopped, MeterValues of a
transaction.

A tiny hook, so that the central system does not know who listens: `subscribe(callback)`;
the handlers call `publish(signal)` once the message is answered. Callbacks run on the
event loop that serves the station, must be quick and must not raise (one that does is
logged and the others still run).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from fleetcharge.csms.readings import Reading

logger = logging.getLogger(__name__)


SignalKind = Literal["booted", "started", "stopped", "meter_values"]


@dataclass(frozen=True, slots=True)
class TransactionSignal:
    kind: SignalKind
    station_id: int  # stations.id
    identity: str
    transaction_id: int | None
    readings: tuple[Reading, ...] = ()


Callback = Callable[[TransactionSignal], None]
_subscribers: list[Callback] = []


def subscribe(callback: Callback) -> Callable[[], None]:
    """Call `callback` with every signal from now on; returns what unsubscribes it."""
    _subscribers.append(callback)

    def unsubscribe() -> None:
        if callback in _subscribers:
            _subscribers.remove(callback)

    return unsubscribe


def publish(signal: TransactionSignal) -> None:
    for callback in list(_subscribers):
        try:
            callback(signal)
        except Exception:
            logger.exception("a transaction signal's subscriber failed")
