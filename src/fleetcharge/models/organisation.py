from decimal import Decimal

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fleetcharge.models.base import Base, CreatedAtMixin, PublicIdMixin, VersionedMixin
from fleetcharge.models.types import ExactDecimal, JSONDocument


class Organisation(PublicIdMixin, VersionedMixin, CreatedAtMixin, Base):
    """An API customer: runs fleets, hosts charge stations, or both."""

    __tablename__ = "organisations"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    abn: Mapped[str | None] = mapped_column(String(20))
    billing_timezone: Mapped[str] = mapped_column(String(64), default="Australia/Sydney")
    # Billing settings, GST-inclusive.
    vehicle_fee: Mapped[Decimal] = mapped_column(ExactDecimal(12, 2), default=Decimal("4.95"))
    station_subscription_fee: Mapped[Decimal] = mapped_column(
        ExactDecimal(12, 2), default=Decimal("0.00")
    )
    network_fee_per_kwh: Mapped[Decimal] = mapped_column(
        ExactDecimal(12, 4), default=Decimal("0.1750")
    )
    # Fleets API rate limits that differ from the deployment's: {"usage": "100/hour", ...}.
    rate_limits: Mapped[dict[str, str] | None] = mapped_column(JSONDocument)
    # Who invoices are addressed to.
    address: Mapped[str | None] = mapped_column(String(500))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))

    fleets: Mapped[list["Fleet"]] = relationship(back_populates="organisation")


class Fleet(PublicIdMixin, VersionedMixin, CreatedAtMixin, Base):
    """A group of vehicles inside an organisation; the API calls it `customer`."""

    __tablename__ = "fleets"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))

    organisation: Mapped[Organisation] = relationship(back_populates="fleets")
