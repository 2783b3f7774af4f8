from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fleetcharge.models.base import Base, CreatedAtMixin, PublicIdMixin, VersionedMixin
from fleetcharge.models.organisation import Fleet, Organisation
from fleetcharge.models.types import ExactDecimal, JSONDocument, UTCDateTime


class Vehicle(PublicIdMixin, VersionedMixin, CreatedAtMixin, Base):
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
        # The admin API pages an organisation's vehicles in creation order.
        Index("ix_vehicles_org_id", "organisation_id", "id"),
    )

    fleet_id: Mapped[int] = mapped_column(ForeignKey("fleets.id"), index=True)
    # Denormalised from the fleet so /vehicles pages with one index.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    vin: Mapped[str] = mapped_column(String(17))
    registration_number: Mapped[str] = mapped_column(String(20))
    contract_number: Mapped[str | None] = mapped_column(String(64))
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    # The most it draws, in kW: its on-board charger (AC) and fast charging (DC). A session
    # above what these allow is held for review (fleetcharge.reviews). None: not recorded.
    max_ac_power_kw: Mapped[Decimal | None] = mapped_column(ExactDecimal(8, 1))
    max_dc_power_kw: Mapped[Decimal | None] = mapped_column(ExactDecimal(8, 1))
    # Smart charging (fleetcharge.sites): the most a depot may give it (None: its station's
    # rating), its priority (-1000..1000, added to its fleet's), when it usually leaves
    # ({"mon": "05:30", ...}, local time at the site) and the energy it should have by then.
    max_charge_power_kw: Mapped[Decimal | None] = mapped_column(ExactDecimal(8, 1))
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    departure_times: Mapped[dict[str, str]] = mapped_column(
        JSONDocument, default=dict, server_default="{}"
    )
    target_energy_kwh: Mapped[Decimal | None] = mapped_column(ExactDecimal(9, 2))

    fleet: Mapped[Fleet] = relationship()
    cards: Mapped[list["Card"]] = relationship(back_populates="vehicle", order_by="Card.id")


class CardStatus(StrEnum):
    """A card's `status`, stored as its value: a blocked card is refused (so is an expired
    one, whatever its status: expiry is `expires_at`)."""

    ACTIVE = "active"
    BLOCKED = "blocked"


class Card(PublicIdMixin, VersionedMixin, CreatedAtMixin, Base):
    """An RFID card; its `id_tag` is what a session shows as `auth_id`."""

    __tablename__ = "cards"
    # The admin API pages an organisation's cards in creation order.
    __table_args__ = (Index("ix_cards_org_id", "organisation_id", "id"),)

    id_tag: Mapped[str] = mapped_column(String(64), unique=True)
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id"), index=True)
    # Its vehicle's organisation, kept while it is on no vehicle so that it stays that
    # organisation's card (None: a network card no organisation manages).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    status: Mapped[str] = mapped_column(String(16), default=CardStatus.ACTIVE)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    vehicle: Mapped[Vehicle | None] = relationship(back_populates="cards")
    organisation: Mapped[Organisation | None] = relationship()


class CardAssignment(Base):
    """From `valid_from` on, the card belongs to `vehicle_id` (None: to no vehicle), until
    the card's next assignment. Sessions are attributed by their start: moving a card never
    changes who pays for what it charged before. A card's first change also records where
    it was until then (from 1970); a card never changed belongs to its current vehicle."""

    __tablename__ = "card_assignments"
    __table_args__ = (Index("ix_card_assignments_card_from", "card_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id"))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)


class VehicleCount(Base):
    """How many vehicle records an organisation has (retired ones included): the
    `total_entries` of its unfiltered vehicle list without counting 100,000 rows a page.
    Kept by triggers on `vehicles` (migration 0011), whoever writes the rows."""

    __tablename__ = "vehicle_counts"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), primary_key=True, autoincrement=False
    )
    vehicles: Mapped[int] = mapped_column(BigInteger)
