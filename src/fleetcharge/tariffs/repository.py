"""Loading tariffs for pricing: which tariff applies to a charge, and its engine form."""

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.models import Station, StationTariffChange, Tariff, TariffOverride
from fleetcharge.pricing.schemas import TariffSpec

# A station without a tariff still records its sessions, at no cost to anyone.
UNPRICED = TariffSpec(currency="AUD", tax_rate=Decimal("0.1000"), components=())


class AppliedTariff(NamedTuple):
    tariff_id: int | None
    spec: TariffSpec


def tariff_spec(tariff: Tariff) -> TariffSpec:
    return TariffSpec.from_document(
        tariff.elements,
        currency=tariff.currency,
        tax_rate=tariff.tax_rate,
        parking_grace_minutes=tariff.parking_grace_minutes,
        min_price=tariff.min_price,
        max_price=tariff.max_price,
    )


def applicable_tariff(
    db: Session, station: Station, payer_organisation_id: int | None, start: datetime
) -> AppliedTariff:
    """The payer organisation's override at the station's location, else the station's
    default tariff in force when the session started, else UNPRICED."""
    tariff: Tariff | None = None
    if payer_organisation_id is not None:
        tariff = db.scalar(
            select(Tariff)
            .join(TariffOverride, TariffOverride.tariff_id == Tariff.id)
            .where(
                TariffOverride.organisation_id == payer_organisation_id,
                TariffOverride.location_id == station.location_id,
            )
        )
    if tariff is None:
        default_id = tariff_id_at(db, station, start)
        tariff = db.get(Tariff, default_id) if default_id is not None else None
    if tariff is None:
        return AppliedTariff(None, UNPRICED)
    return AppliedTariff(tariff.id, tariff_spec(tariff))


def tariff_id_at(db: Session, station: Station, start: datetime) -> int | None:
    """The station's default tariff for a session starting at `start`: the latest change
    at or before it, else (no change recorded) its current one."""
    change = db.scalar(
        select(StationTariffChange)
        .where(
            StationTariffChange.station_id == station.id, StationTariffChange.valid_from <= start
        )
        .order_by(StationTariffChange.valid_from.desc(), StationTariffChange.id.desc())
        .limit(1)
    )
    return change.tariff_id if change is not None else station.tariff_id
