from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fleetcharge.models.base import Base, PublicIdMixin
from fleetcharge.models.types import JSONDocument, UTCDateTime


class ChargingProfileRecord(PublicIdMixin, Base):
    """A SetChargingProfile sent to a station (OCPP 1.6 section 5.16) and its answer.

    `status` is the station's answer (Accepted, Rejected, NotSupported) or why there was none
    (Offline, Timeout); None while the request is on its way. `cleared_at`: when an accepted
    ClearChargingProfile matched it, or a later profile replaced it (same id, or same stack
    level and purpose on the connector)."""

    __tablename__ = "charging_profiles"
    __table_args__ = (Index("ix_charging_profiles_station_id", "station_id", "id"),)

    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    connector_id: Mapped[int] = mapped_column(Integer)  # 0: the whole station
    profile_id: Mapped[int] = mapped_column(Integer)  # chargingProfileId
    purpose: Mapped[str] = mapped_column(String(24))
    stack_level: Mapped[int] = mapped_column(Integer)
    # OCPP transaction id (no foreign key: a transaction may be renumbered).
    transaction_id: Mapped[int | None] = mapped_column(Integer)
    profile: Mapped[dict[str, Any]] = mapped_column(JSONDocument)  # csChargingProfiles as sent
    unit: Mapped[str] = mapped_column(String(1))  # A or W
    source: Mapped[str] = mapped_column(String(12))  # operator or allocator
    status: Mapped[str | None] = mapped_column(String(16))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
