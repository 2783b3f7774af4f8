from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fleetcharge.models.base import Base, CreatedAtMixin, PublicIdMixin, VersionedMixin
from fleetcharge.models.location import Station
from fleetcharge.models.ocpp import OcppTransaction
from fleetcharge.models.organisation import Organisation
from fleetcharge.models.session import BigId, ChargeSession, Energy, Money
from fleetcharge.models.types import JSONDocument, UTCDateTime
from fleetcharge.models.vehicle import Vehicle

REVIEW_STATES = ("held", "accepted", "corrected", "rejected")


class SessionReview(PublicIdMixin, VersionedMixin, CreatedAtMixin, Base):
    """A stopped transaction whose session could not have happened as reported (see
    fleetcharge.reviews.plausibility): held, with no charge session, so that nothing bills
    it, until an operator accepts it as reported, corrects it, or rejects it (never billed).

    Accepting or correcting records its charge session (`session_id`) once. The figures
    are as reported when it was held; `reasons` are [{code, detail}].
    """

    __tablename__ = "session_reviews"
    __table_args__ = (
        Index("ix_session_reviews_state_id", "state", "id"),
        Index("ix_session_reviews_payer_id", "payer_organisation_id", "id"),
    )

    transaction_id: Mapped[int] = mapped_column(ForeignKey("ocpp_transactions.id"), unique=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    host_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    # Whose card it was when it started (None: a card no organisation pays for).
    payer_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id"))
    state: Mapped[str] = mapped_column(String(10), default="held")
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime] = mapped_column(UTCDateTime)
    energy_kwh: Mapped[Decimal] = mapped_column(Energy)
    # The most energy the station's (and vehicle's) power allows over that time.
    deliverable_kwh: Mapped[Decimal] = mapped_column(Energy)
    # What the driver would pay as reported (GST-inclusive).
    cost_to_driver: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    session_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("charge_sessions.id"), unique=True
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    corrected_energy_kwh: Mapped[Decimal | None] = mapped_column(Energy)
    corrected_stop_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    transaction: Mapped[OcppTransaction] = relationship()
    station: Mapped[Station] = relationship()
    payer_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[payer_organisation_id]
    )
    vehicle: Mapped[Vehicle | None] = relationship()
    session: Mapped[ChargeSession | None] = relationship()
