"""What each station's Local Authorization List holds (per the answers it gave us), and
which cards a location's stations get (see fleetcharge.local_lists)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fleetcharge.models.base import Base
from fleetcharge.models.types import UTCDateTime


class LocalListScope(StrEnum):
    """Which cards the stations of a location hold in their local list."""

    HOST = "host"  # the cards of the location's host organisation (the default)
    ALL = "all"  # every card of the network
    NONE = "none"  # none: the stations keep an empty list


class LocationLocalList(Base):
    """A location's choice of local list; a location without a row has HOST."""

    __tablename__ = "location_local_lists"

    location_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id"), primary_key=True, autoincrement=False
    )
    scope: Mapped[str] = mapped_column(String(8))


class LocalListState(Base):
    """A station's local list as we know it: the version it accepted last, and how the
    latest exchange went."""

    __tablename__ = "local_list_states"

    station_id: Mapped[int] = mapped_column(
        ForeignKey("stations.id"), primary_key=True, autoincrement=False
    )
    version: Mapped[int] = mapped_column(Integer, default=0)  # accepted by the station
    last_update_type: Mapped[str | None] = mapped_column(String(12))  # Full | Differential
    # Accepted, Failed, NotSupported, VersionMismatch, or station_timeout / station_error...
    last_result: Mapped[str | None] = mapped_column(String(32))
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the latest attempt
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the latest Accepted
    # What the station answered GetLocalListVersion last (-1: no local list support).
    reported_version: Mapped[int | None] = mapped_column(Integer)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LocalListEntry(Base):
    """One idTag of a station's local list, with the idTagInfo the station accepted."""

    __tablename__ = "local_list_entries"
    __table_args__ = (UniqueConstraint("station_id", "id_tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)  # the admin API pages by it
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    id_tag: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16))
    expiry_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    parent_id_tag: Mapped[str | None] = mapped_column(String(20))
