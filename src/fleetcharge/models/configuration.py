"""Charge stations' configuration keys (OCPP 1.6 GetConfiguration / ChangeConfiguration), as
each station last reported them or as we last changed them."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fleetcharge.models.base import Base
from fleetcharge.models.types import UTCDateTime


class StationConfigurationKey(Base):
    """One key of one station. `known` is False for a key the station named unknown (in
    GetConfiguration's unknownKey); `value` is None for those, for keys the station reported
    without a value, and always for write-only keys (never stored in clear)."""

    __tablename__ = "station_configuration_keys"
    __table_args__ = (UniqueConstraint("station_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    key: Mapped[str] = mapped_column(String(50))
    value: Mapped[str | None] = mapped_column(Text)
    readonly: Mapped[bool | None] = mapped_column(Boolean)
    known: Mapped[bool] = mapped_column(Boolean, default=True)
    # When the station last reported it (GetConfiguration), or accepted our change.
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the station answered a change of it with RebootRequired: the new value applies
    # from its next boot (a BootNotification after this time).
    reboot_required_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
