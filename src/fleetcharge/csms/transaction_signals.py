"""In-process news of stations' transactions for whoever acts on them as they happen (the
site control loop): a station booted, a transaction started or stopped, MeterValues of a
transaction.

A tiny hook, so that the central system does not know who listens: `subscribe(callback)`;
the handlers call `publish(signal)` once the message is answered. Callbacks run on the
event loop that serves the station, must be quick and must not raise (one that does is
logged and the others still run).
"""

from dataclasses import dataclass
from typing import Literal

from fleetcharge.csms.readings import Reading
from fleetcharge.kit.hooks import Hook

SignalKind = Literal["booted", "started", "stopped", "meter_values"]


@dataclass(frozen=True, slots=True)
class TransactionSignal:
    kind: SignalKind
    station_id: int  # stations.id
    identity: str
    transaction_id: int | None
    readings: tuple[Reading, ...] = ()


_signals: Hook[TransactionSignal] = Hook("transaction signals")
subscribe = _signals.subscribe  # callback(signal) from now on; returns the unsubscribe
publish = _signals.publish
