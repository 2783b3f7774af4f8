from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fleetcharge.models.base import Base, CreatedAtMixin, PublicIdMixin, VersionedMixin
from fleetcharge.models.types import ExactDecimal, JSONDocument, UTCDateTime


class TariffTerms(CreatedAtMixin):
    """What a tariff charges, as one version of it states it.

    `elements` holds the price components (prices VAT-inclusive, exact, each with its VAT
    rate when it has its own; `tax_rate` for the others) and restrictions. min/max_price are
    VAT-inclusive bounds, the *_excl_vat ones VAT-exclusive bounds (OCPI: both apply).
    `valid_from`/`valid_until` are OCPI's start_date_time/end_date_time; `document` is the
    document as given (every OCPI field kept), None for tariffs created before version 0024.
    """

    currency: Mapped[str] = mapped_column(String(3), default="AUD")
    tax_rate: Mapped[Decimal] = mapped_column(ExactDecimal(6, 4), default=Decimal("0.1000"))
    parking_grace_minutes: Mapped[int] = mapped_column(default=0)
    elements: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    min_price: Mapped[Decimal | None] = mapped_column(ExactDecimal(12, 2))
    max_price: Mapped[Decimal | None] = mapped_column(ExactDecimal(12, 2))
    min_price_excl_vat: Mapped[Decimal | None] = mapped_column(ExactDecimal(12, 2))
    max_price_excl_vat: Mapped[Decimal | None] = mapped_column(ExactDecimal(12, 2))
    type: Mapped[str | None] = mapped_column(String(20))
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    document: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)


class Tariff(TariffTerms, PublicIdMixin, VersionedMixin, Base):
    """An OCPI 2.2.1 tariff: its name and owner, and its terms as first published (version
    1). Later versions (TariffVersion) take over from their valid_from on."""

    __tablename__ = "tariffs"

    owner_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(200))


class TariffVersion(TariffTerms, Base):
    """Version `number` (2, 3, ...) of a tariff, in force from its valid_from (set, never
    in the past when published) until the next version's. Never changed once published."""

    __tablename__ = "tariff_versions"
    __table_args__ = (UniqueConstraint("tariff_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tariff_id: Mapped[int] = mapped_column(ForeignKey("tariffs.id"), index=True)
    number: Mapped[int]


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
