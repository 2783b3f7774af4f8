"""A station's default tariff over time: each change is kept, so that a session is priced
by the tariff in force when it started, however late it is recorded."""

from datetime import UTC, datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from fleetcharge.models import Station, StationTariffChange, Tariff

# Before its first recorded change a station had the tariff it had then: kept from this
# time on, so the rule "the latest change at or before the start" covers every session.
SINCE_EVER = datetime(1970, 1, 1, tzinfo=UTC)


def change_tariff(db: Session, station: Station, tariff: Tariff | None, at: datetime) -> None:
    new_id = tariff.id if tariff is not None else None
    if new_id == station.tariff_id:
        return
    if station.id is not None and not db.scalar(
        select(exists().where(StationTariffChange.station_id == station.id))
    ):
        db.add(
            StationTariffChange(
                station_id=station.id, tariff_id=station.tariff_id, valid_from=SINCE_EVER
            )
        )
    station.tariff_id = new_id
    station.tariff = tariff
    if station.id is not None:
        db.add(StationTariffChange(station_id=station.id, tariff_id=new_id, valid_from=at))
