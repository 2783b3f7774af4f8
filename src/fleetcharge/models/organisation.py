from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fleetcharge.models.base import Base, CreatedAtMixin, PublicIdMixin, VersionedMixin
from fleetcharge.models.types import ExactDecimal, JSONDocument

DEFAULT_PAYMENT_TERMS_DAYS = 14
MAX_PAYMENT_TERMS_DAYS = 365


class Organisation(PublicIdMixin, VersionedMixin, CreatedAtMixin, Base):
    """An API customer: runs fleets, hosts charge stations, or both."""

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint(
            f"payment_terms_days >= 0 AND payment_terms_days <= {MAX_PAYMENT_TERMS_DAYS}",
            name="payment_terms_range",
        ),
    )

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
    # Invoice details: the name on the documents (default `name`), where invoices are
    # emailed, the customer's purchase order, and days from issue to due.
    legal_name: Mapped[str | None] = mapped_column(String(200))
    billing_emails: Mapped[list[str]] = mapped_column(
        JSONDocument, default=list, server_default=text("'[]'")
    )
    purchase_order: Mapped[str | None] = mapped_column(String(200))
    payment_terms_days: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_PAYMENT_TERMS_DAYS, server_default=str(DEFAULT_PAYMENT_TERMS_DAYS)
    )

    fleets: Mapped[list["Fleet"]] = relationship(back_populates="organisation")


class Fleet(PublicIdMixin, VersionedMixin, CreatedAtMixin, Base):
    """A group of vehicles inside an organisation; the API calls it `customer`."""

    __tablename__ = "fleets"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # Smart charging: added to its vehicles' own priority (-1000..1000; higher first).
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    organisation: Mapped[Organisation] = relationship(back_populates="fleets")
