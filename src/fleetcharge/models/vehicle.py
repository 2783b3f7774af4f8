from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fleetcharge.models.base import Base, CreatedAtMixin, PublicIdMixin
from fleetcharge.models.organisation import Fleet
from fleetcharge.models.types import UTCDateTime


class Vehicle(PublicIdMixin, CreatedAtMixin, Base):
    __tablename__ = "vehicles"
    __table_args__ = (
        # A VIN is unique among active vehicles; a retired vehicle may reappear in another fleet.
        Index(
            "uq_vehicles_active_vin",
            "vin",
            unique=True,
            sqlite_where=text("effective_to IS NULL"),
            postgresql_where=text("effective_to IS NULL"),
        ),
        Index("ix_vehicles_org_order", "organisation_id", "effective_from", "uuid"),
    )

    fleet_id: Mapped[int] = mapped_column(ForeignKey("fleets.id"), index=True)
    # Denormalised from the fleet so /vehicles pages with one index.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    vin: Mapped[str] = mapped_column(String(17))
    registration_number: Mapped[str] = mapped_column(String(20))
    contract_number: Mapped[str | None] = mapped_column(String(64))
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)

    fleet: Mapped[Fleet] = relationship()
    cards: Mapped[list["Card"]] = relationship(back_populates="vehicle", order_by="Card.id")


class Card(PublicIdMixin, CreatedAtMixin, Base):
    """An RFID card; its `id_tag` is what a session shows as `auth_id`."""

    __tablename__ = "cards"

    id_tag: Mapped[str] = mapped_column(String(64), unique=True)
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | blocked
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    vehicle: Mapped[Vehicle | None] = relationship(back_populates="cards")
