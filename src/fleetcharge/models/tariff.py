from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fleetcharge.models.base import Base, CreatedAtMixin, PublicIdMixin
from fleetcharge.models.types import ExactDecimal

JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class Tariff(PublicIdMixin, CreatedAtMixin, Base):
    """An OCPI-style tariff; `elements` holds the price components and restrictions."""

    __tablename__ = "tariffs"

    owner_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="AUD")
    tax_rate: Mapped[Decimal] = mapped_column(ExactDecimal(6, 4), default=Decimal("0.1000"))
    parking_grace_minutes: Mapped[int] = mapped_column(default=0)
    elements: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
