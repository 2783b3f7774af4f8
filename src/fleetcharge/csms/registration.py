"""Auto-registration (FLEETCHARGE_OCPP_AUTO_REGISTER_LOCATION): a station connecting with an
identity we do not know is created at that location, pending. Its BootNotification is
answered Pending and its sessions are recorded but held (not on the Fleets API, not billed)
until an operator approves it (`fleetcharge stations approve`, or the admin API).

New stations are rate-limited (FLEETCHARGE_OCPP_AUTO_REGISTER_LIMIT, counted in Redis when
configured, so across every process): beyond the limit the handshake is refused with 429,
and nothing is created.
"""

import logging
from dataclasses import dataclass
from uuid import UUID

from limits import RateLimitItem
from limits.errors import StorageError
from limits.storage import Storage
from sqlalchemy.orm import Session

from fleetcharge.csms import repository
from fleetcharge.csms.schemas import Rejection
from fleetcharge.models import Station
from fleetcharge.network.stations import register_pending
from fleetcharge.ratelimit.policy import parse_limits
from fleetcharge.ratelimit.service import RateLimited, RateLimiter

logger = logging.getLogger(__name__)

LIMIT_KEY = ("ocpp", "auto-register")


@dataclass(frozen=True)
class AutoRegistration:
    location_uuid: UUID
    limiter: RateLimiter
    windows: tuple[RateLimitItem, ...]

    @classmethod
    def configured(
        cls, location_uuid: UUID | None, limit: str, storage: Storage
    ) -> "AutoRegistration | None":
        """None when auto-registration is off (no location)."""
        if location_uuid is None:
            return None
        windows = parse_limits(limit, parameter="FLEETCHARGE_OCPP_AUTO_REGISTER_LIMIT")
        return cls(location_uuid, RateLimiter(storage), windows)

    def register(self, db: Session, identity: str, password: str | None) -> Station | Rejection:
        """The new station (flushed, pending, with `password`), or why there is none."""
        location = repository.location_by_uuid(db, self.location_uuid)
        if location is None:
            logger.error(
                "FLEETCHARGE_OCPP_AUTO_REGISTER_LOCATION names no location: %s", self.location_uuid
            )
            return Rejection(503, "auto-registration location not found")
        try:
            self.limiter.acquire(self.windows, *LIMIT_KEY)
        except RateLimited as refused:
            wait = refused.headers["Retry-After"]
            return Rejection(429, f"too many new charge stations: try again in {wait} s")
        except StorageError:
            return Rejection(503, "auto-registration unavailable: Redis does not answer")
        station = register_pending(db, location, identity, password)
        logger.info(
            "auto-registered charge station %s at location %s, pending approval",
            identity,
            location.uuid,
        )
        return station
