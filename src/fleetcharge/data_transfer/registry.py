"""Handlers of stations' DataTransfer messages, by vendorId and messageId.

A vendor is registered with a `Vendor`: its vendorId and a handler for each messageId it
knows (None: messages without a messageId), both compared case-insensitively (OCPP's
CiString).
Packages add vendors through the entry point group `fleetcharge.data_transfer`, each entry
point naming a `Vendor`:

    [project.entry-points."fleetcharge.data_transfer"]
    acme = "acme_fleetcharge:ACME"

A handler takes the `DataTransferRequest` and returns a `DataTransferReply` (or an awaitable
of one). It runs on the server's event loop: one that blocks (database, network) must be
async and do that work in a thread. An unknown vendor is answered UnknownVendorId, an
unknown messageId UnknownMessageId, a handler that fails (raises, or answers anything but
Accepted or Rejected) Rejected, and the failure is logged.
"""

import inspect
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import entry_points

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "fleetcharge.data_transfer"
ACCEPTED, REJECTED = "Accepted", "Rejected"
UNKNOWN_VENDOR, UNKNOWN_MESSAGE = "UnknownVendorId", "UnknownMessageId"


@dataclass(frozen=True)
class DataTransferRequest:
    station: str  # the station's identity
    vendor_id: str
    message_id: str | None
    data: str | None


@dataclass(frozen=True)
class DataTransferReply:
    status: str  # Accepted or Rejected (from a handler)
    data: str | None = None


Handler = Callable[[DataTransferRequest], DataTransferReply | Awaitable[DataTransferReply]]


@dataclass(frozen=True)
class Vendor:
    vendor_id: str
    handlers: Mapping[str | None, Handler] = field(default_factory=dict)

    def handler(self, message_id: str | None) -> Handler | None:
        wanted = None if message_id is None else message_id.casefold()
        for known, handler in self.handlers.items():
            if (None if known is None else known.casefold()) == wanted:
                return handler
        return None


class VendorRegistry:
    def __init__(self) -> None:
        self._vendors: dict[str, Vendor] = {}

    def register(self, vendor: Vendor) -> None:
        key = vendor.vendor_id.casefold()
        if key in self._vendors:
            raise ValueError(f"a DataTransfer vendor {vendor.vendor_id!r} is registered already")
        self._vendors[key] = vendor

    def unregister(self, vendor_id: str) -> None:
        self._vendors.pop(vendor_id.casefold(), None)

    @contextmanager
    def registered(self, vendor: Vendor) -> Iterator[Vendor]:
        """The vendor registered for the duration of the block (tests)."""
        self.register(vendor)
        try:
            yield vendor
        finally:
            self.unregister(vendor.vendor_id)

    def vendor_ids(self) -> list[str]:
        return sorted(vendor.vendor_id for vendor in self._vendors.values())

    async def handle(self, request: DataTransferRequest) -> DataTransferReply:
        vendor = self._vendors.get(request.vendor_id.casefold())
        if vendor is None:
            return DataTransferReply(UNKNOWN_VENDOR)
        handler = vendor.handler(request.message_id)
        if handler is None:
            return DataTransferReply(UNKNOWN_MESSAGE)
        try:
            reply = handler(request)
            if inspect.isawaitable(reply):
                reply = await reply
            if not isinstance(reply, DataTransferReply) or reply.status not in (
                ACCEPTED,
                REJECTED,
            ):
                raise TypeError(f"a handler answers Accepted or Rejected, not {reply!r:.100}")
        except Exception:
            logger.exception(
                "%s: DataTransfer handler of %s (messageId %r) failed",
                request.station,
                vendor.vendor_id,
                request.message_id,
            )
            return DataTransferReply(REJECTED)
        return reply

    def load_entry_points(self) -> None:
        """Register the vendors packages declare; one that cannot be loaded is logged and
        left out (the others still work)."""
        for point in entry_points(group=ENTRY_POINT_GROUP):
            try:
                vendor = point.load()
                if not isinstance(vendor, Vendor):
                    raise TypeError(f"{point.value} is not a fleetcharge Vendor")
                self.register(vendor)
            except Exception:
                logger.exception("DataTransfer vendor %r could not be loaded", point.name)


@lru_cache(maxsize=1)
def vendors() -> VendorRegistry:
    """The central system's registry, with the vendors of installed packages."""
    registry = VendorRegistry()
    registry.load_entry_points()
    return registry
