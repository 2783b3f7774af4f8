"""How much one server process takes on: station connections, and handshakes under way
(connections not yet authenticated: waiting for the login throttle or the password check).

Beyond FLEETCHARGE_OCPP_MAX_CONNECTIONS connections, FLEETCHARGE_OCPP_MAX_HANDSHAKES
handshakes, or FLEETCHARGE_OCPP_MAX_HANDSHAKES_PER_ADDRESS handshakes from one address, a
new connection is refused with 503 before anything else is done for it. Stations retry
later (with back-off), on this process or another behind the same load balancer.
Counted on the event loop: no locking.
"""

from dataclasses import dataclass, field

from fleetcharge.csms.schemas import Rejection
from fleetcharge.settings import Settings


@dataclass
class ConnectionBounds:
    max_connections: int
    max_handshakes: int
    max_handshakes_per_address: int
    connections: int = 0
    handshakes: int = 0
    _by_address: dict[str, int] = field(default_factory=dict)

    @classmethod
    def configured(cls, settings: Settings) -> "ConnectionBounds":
        return cls(
            settings.ocpp_max_connections,
            settings.ocpp_max_handshakes,
            settings.ocpp_max_handshakes_per_address,
        )

    def open(self, address: str) -> "Slot | Rejection":
        """A slot for a new connection from `address` (released with `Slot.close`)."""
        if self.connections >= self.max_connections:
            return Rejection(
                503, f"this server holds its most station connections ({self.max_connections})"
            )
        if self.handshakes >= self.max_handshakes:
            return Rejection(503, "too many handshakes under way: try again shortly")
        if self._by_address.get(address, 0) >= self.max_handshakes_per_address:
            return Rejection(503, "too many handshakes under way from this address")
        self.connections += 1
        self.handshakes += 1
        self._by_address[address] = self._by_address.get(address, 0) + 1
        return Slot(self, address)

    def handshake_over(self, address: str) -> None:
        self.handshakes -= 1
        left = self._by_address[address] - 1
        if left:
            self._by_address[address] = left
        else:
            del self._by_address[address]


class Slot:
    """One connection's share of the bounds."""

    __slots__ = ("address", "bounds", "handshaking", "open")

    def __init__(self, bounds: ConnectionBounds, address: str) -> None:
        self.bounds = bounds
        self.address = address
        self.handshaking = True
        self.open = True

    def authenticated(self) -> None:
        """The handshake is over (the station is admitted): it no longer counts as one."""
        if self.handshaking:
            self.handshaking = False
            self.bounds.handshake_over(self.address)

    def close(self) -> None:
        self.authenticated()
        if self.open:
            self.open = False
            self.bounds.connections -= 1
