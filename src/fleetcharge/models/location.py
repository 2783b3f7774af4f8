from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fleetcharge.models.base import Base, CreatedAtMixin, PublicIdMixin, VersionedMixin
from fleetcharge.models.organisation import Organisation
from fleetcharge.models.tariff import Tariff
from fleetcharge.models.types import ExactDecimal, UTCDateTime

if TYPE_CHECKING:
    from fleetcharge.models.site import SiteCircuit


class Registration(StrEnum):
    """A station's registration_status: created by an operator (accepted), or by
    auto-registration (pending: its sessions are held, not billed, until an operator
    approves it)."""

    ACCEPTED = "accepted"
    PENDING = "pending"


class Location(PublicIdMixin, VersionedMixin, CreatedAtMixin, Base):
    """A charging site, hosted by an organisation (the API's `sub_operator`)."""

    __tablename__ = "locations"

    host_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    timezone: Mapped[str] = mapped_column(String(64))

    host_organisation: Mapped[Organisation] = relationship()
    stations: Mapped[list["Station"]] = relationship(back_populates="location")


class Station(PublicIdMixin, VersionedMixin, CreatedAtMixin, Base):
    """A charge station (EVSE) as seen by OCPP and the API."""

    __tablename__ = "stations"

    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    evse_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    ocpp_identity: Mapped[str] = mapped_column(String(64), unique=True)
    current_type: Mapped[str] = mapped_column(String(2), default="AC")  # AC | DC
    max_power_kw: Mapped[Decimal] = mapped_column(ExactDecimal(8, 1), default=Decimal("22.0"))
    tariff_id: Mapped[int | None] = mapped_column(ForeignKey("tariffs.id"))
    # OCPP security profile 1 (HTTP Basic); see fleetcharge.network.password_hashing.
    # None = no password.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # As reported by the station (BootNotification, Firmware/DiagnosticsStatusNotification).
    vendor: Mapped[str | None] = mapped_column(String(50))
    model: Mapped[str | None] = mapped_column(String(50))
    serial_number: Mapped[str | None] = mapped_column(String(50))
    firmware_version: Mapped[str | None] = mapped_column(String(50))
    last_boot_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    firmware_status: Mapped[str | None] = mapped_column(String(24))
    diagnostics_status: Mapped[str | None] = mapped_column(String(16))
    registration_status: Mapped[str] = mapped_column(
        String(8), default=Registration.ACCEPTED, server_default=Registration.ACCEPTED.value
    )
    # Decommissioned stations keep their sessions and are refused on connect.
    decommissioned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Smart charging (fleetcharge.sites): how many supply phases it draws on (1 or 3), and
    # the site circuit it hangs from (None: straight from the site's connection).
    phases: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    circuit_id: Mapped[int | None] = mapped_column(ForeignKey("site_circuits.id"), index=True)

    location: Mapped[Location] = relationship(back_populates="stations")
    tariff: Mapped[Tariff | None] = relationship()
    connectors: Mapped[list["Connector"]] = relationship(
        back_populates="station", order_by="Connector.connector_id"
    )
    circuit: Mapped["SiteCircuit | None"] = relationship()


class Connector(Base):
    __tablename__ = "connectors"
    __table_args__ = (UniqueConstraint("station_id", "connector_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    connector_id: Mapped[int]  # the OCPP connectorId, 1-based
    name: Mapped[str] = mapped_column(String(64))

    station: Mapped[Station] = relationship(back_populates="connectors")


class StationTariffChange(Base):
    """From `valid_from` on, the station's default tariff is `tariff_id` (None: unpriced),
    until its next change. Sessions are priced by the tariff in force at their start. A
    station's first change also records its tariff until then (from 1970); a station never
    changed has its current tariff."""

    __tablename__ = "station_tariff_changes"
    __table_args__ = (Index("ix_station_tariff_changes_station_from", "station_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    tariff_id: Mapped[int | None] = mapped_column(ForeignKey("tariffs.id"))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
