"""What the site control loop (fleetcharge.site_control) keeps: the latest allocation of
every open transaction at a controlled site, and per site who controls it (a lease) with
its last figures. Written by site_control only."""

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fleetcharge.models.base import Base
from fleetcharge.models.types import UTCDateTime


class SiteAllocation(Base):
    """One open transaction's limit, as last computed, and the profile last sent for it."""

    __tablename__ = "site_allocations"

    # The OCPP transactionId (ocpp_transactions.id; no foreign key: rows go with the
    # transaction's end, and a transaction may be renumbered after an outage).
    transaction_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    station_identity: Mapped[str] = mapped_column(String(64))
    connector_number: Mapped[int] = mapped_column(Integer)
    limit_w: Mapped[float] = mapped_column(Float)
    limit_a: Mapped[float] = mapped_column(Float)
    paused: Mapped[bool]
    controllable: Mapped[bool]
    reason: Mapped[str] = mapped_column(String(200))
    drawn_w: Mapped[float | None] = mapped_column(Float)  # last measured, when known
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The last allocator profile sent for it: its limit, the station's answer (Accepted,
    # Rejected, NotSupported, Offline, Timeout, Failed) and when.
    sent_limit_w: Mapped[float | None] = mapped_column(Float)
    profile_status: Mapped[str | None] = mapped_column(String(16))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last limit its station accepted: what it obeys while it cannot be reached.
    accepted_limit_w: Mapped[float | None] = mapped_column(Float)


class SiteControlState(Base):
    """A controlled site: which process controls it until when, and its last figures."""

    __tablename__ = "site_control_state"

    location_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id"), primary_key=True, autoincrement=False
    )
    holder: Mapped[str] = mapped_column(String(120))  # the controlling process (node id)
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    limit_w: Mapped[float | None] = mapped_column(Float)  # the site limit in force
    load_w: Mapped[float | None] = mapped_column(Float)  # sum of the measured draws
    allocated_w: Mapped[float | None] = mapped_column(Float)  # sum of the limits given
