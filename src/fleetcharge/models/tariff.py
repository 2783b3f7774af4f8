from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fleetcharge.models.base import Base, CreatedAtMixin, PublicIdMixin, VersionedMixin
from fleetcharge.models.types import ExactDecimal, JSONDocument


class Tariff(PublicIdMixin, VersionedMixin, CreatedAtMixin, Base):
    """An OCPI 2.2.1 tariff; `elements` holds the price components and restrictions.

    Prices, min_price and max_price are GST-inclusive; `tax_rate` is the GST share.
    """

    __tablename__ = "tariffs"

    owner_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="AUD")
    tax_rate: Mapped[Decimal] = mapped_column(ExactDecimal(6, 4), default=Decimal("0.1000"))
    parking_grace_minutes: Mapped[int] = mapped_column(default=0)
    elements: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    min_price: Mapped[Decimal | None] = mapped_column(ExactDecimal(12, 2))
    max_price: Mapped[Decimal | None] = mapped_column(ExactDecimal(12, 2))


class TariffOverride(CreatedAtMixin, Base):
    """The tariff an organisation's own cards get at one location instead of the stations'
    default tariffs (for example free charging for a site host's own vehicles)."""

    __tablename__ = "tariff_overrides"
    __table_args__ = (UniqueConstraint("organisation_id", "location_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    tariff_id: Mapped[int] = mapped_column(ForeignKey("tariffs.id"))

    tariff: Mapped[Tariff] = relationship()
