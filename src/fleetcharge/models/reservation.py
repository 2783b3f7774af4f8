from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fleetcharge.models.base import Base, CreatedAtMixin, PublicIdMixin
from fleetcharge.models.types import UTCDateTime


class ReservationStatus(StrEnum):
    """A reservation's stored status; `reserved` past its expiry is shown as `expired`."""

    REQUESTED = "requested"  # ReserveNow sent, no answer recorded yet
    RESERVED = "reserved"
    USED = "used"  # consumed by the StartTransaction carrying its reservationId
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUSED = "refused"  # the station answered anything but Accepted, or did not answer


class Reservation(PublicIdMixin, CreatedAtMixin, Base):
    """A ReserveNow: `id` is the reservationId sent to the station. `created_at` (its start),
    `expires_at` and `ended_at` (used, cancelled, expired) are what pricing it will need."""

    __tablename__ = "reservations"
    __table_args__ = (Index("ix_reservations_station_id", "station_id", "id"),)

    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    connector_number: Mapped[int] = mapped_column(Integer)  # 0: any connector
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    id_tag: Mapped[str] = mapped_column(String(20))
    parent_id_tag: Mapped[str | None] = mapped_column(String(20))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default=ReservationStatus.REQUESTED)
    # The station's answer to ReserveNow (Accepted, Occupied...) or why there is none.
    station_answer: Mapped[str | None] = mapped_column(String(32))
    cancel_answer: Mapped[str | None] = mapped_column(String(32))
    # The transaction that used it (no foreign key: a transaction may be renumbered).
    transaction_id: Mapped[int | None] = mapped_column(Integer)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
