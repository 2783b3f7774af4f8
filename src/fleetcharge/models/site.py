"""A site's power settings for smart charging (fleetcharge.sites): its limit, strategy,
circuit tree and weekly limit schedule, and what an open transaction needs by when."""

from datetime import datetime, time
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fleetcharge.models.base import Base, CreatedAtMixin, PublicIdMixin, VersionedMixin
from fleetcharge.models.types import ExactDecimal, UTCDateTime


class SitePower(VersionedMixin, Base):
    """A location's power settings. No row, or `limit_kw` None: not smart charged."""

    __tablename__ = "site_power"

    location_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id"), primary_key=True, autoincrement=False
    )
    limit_kw: Mapped[Decimal | None] = mapped_column(ExactDecimal(9, 1))
    strategy: Mapped[str] = mapped_column(String(16), default="deadline")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SiteLimitWindow(Base):
    """On the weekdays of `weekdays` (bit 0 = Monday ... bit 6 = Sunday), from `starts` to
    `ends` local time at the site (`ends` <= `starts`: until `ends` the next day), the site
    draws at most `limit_kw`."""

    __tablename__ = "site_limit_windows"
    __table_args__ = (Index("ix_site_limit_windows_location", "location_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    weekdays: Mapped[int] = mapped_column(Integer)
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    limit_kw: Mapped[Decimal] = mapped_column(ExactDecimal(9, 1))


class SiteCircuit(PublicIdMixin, CreatedAtMixin, Base):
    """A feeder or sub-panel of a site: its stations (Station.circuit_id) and child circuits
    draw through it. Limits: total kW and/or A on each phase; neither: it only groups."""

    __tablename__ = "site_circuits"
    __table_args__ = (UniqueConstraint("location_id", "name"),)

    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("site_circuits.id"))
    limit_kw: Mapped[Decimal | None] = mapped_column(ExactDecimal(9, 1))
    limit_a: Mapped[Decimal | None] = mapped_column(ExactDecimal(7, 1))
    phases: Mapped[int] = mapped_column(Integer, default=3)


class SessionChargingNeed(Base):
    """What an open transaction needs, overriding its vehicle's usual departure and target.
    No foreign key: like reservations, a transaction id may be renumbered after an outage."""

    __tablename__ = "session_charging_needs"

    transaction_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    departure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    energy_kwh: Mapped[Decimal | None] = mapped_column(ExactDecimal(9, 2))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
