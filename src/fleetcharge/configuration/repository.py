"""Reading and writing stations' stored configuration keys (flush only)."""

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from fleetcharge.models import StationConfigurationKey


def stored_keys(db: Session, station_id: int) -> Sequence[StationConfigurationKey]:
    """The station's keys: those it knows by name, then those it named unknown."""
    return db.scalars(
        select(StationConfigurationKey)
        .where(StationConfigurationKey.station_id == station_id)
        .order_by(StationConfigurationKey.known.desc(), StationConfigurationKey.key)
    ).all()


def stored_key(db: Session, station_id: int, key: str) -> StationConfigurationKey | None:
    return db.scalar(
        select(StationConfigurationKey).where(
            StationConfigurationKey.station_id == station_id,
            StationConfigurationKey.key == key,
        )
    )


def stored_value(db: Session, station_id: int, key: str) -> str | None:
    """The value the station last reported (or accepted) for `key`; None when it never
    reported one, named the key unknown, or the key is write-only."""
    return db.scalar(
        select(StationConfigurationKey.value).where(
            StationConfigurationKey.station_id == station_id,
            StationConfigurationKey.key == key,
            StationConfigurationKey.known.is_(True),
        )
    )


def forget_keys_except(db: Session, station_id: int, keep: Sequence[str]) -> None:
    """Drop the station's keys it no longer reports (after a complete GetConfiguration)."""
    query = delete(StationConfigurationKey).where(StationConfigurationKey.station_id == station_id)
    if keep:
        query = query.where(StationConfigurationKey.key.not_in(list(keep)))
    db.execute(query)
