"""Loading tariffs for pricing: which tariff applies to a charge, and its engine form."""

from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.models import Station, Tariff, TariffOverride
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
    db: Session, station: Station, payer_organisation_id: int | None
) -> AppliedTariff:
    """The payer organisation's override at the station's location, else the station's
    default tariff, else UNPRICED."""
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
    if tariff is None and station.tariff_id is not None:
        tariff = db.get(Tariff, station.tariff_id)
    if tariff is None:
        return AppliedTariff(None, UNPRICED)
    return AppliedTariff(tariff.id, tariff_spec(tariff))
