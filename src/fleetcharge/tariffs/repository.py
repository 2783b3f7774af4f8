"""Loading tariffs for pricing: which tariff (and which version of it) applies to a charge,
and its engine form.

Which tariff: a session paid by an organisation's card is REGULAR, one without a paying
organisation AD_HOC_PAYMENT (OCPI TariffType). The payer's override at the location applies
when the version in force at the session's start has no `type` or the session's; otherwise
the station's default tariff in force at the start, whatever its type (a type never makes
a station's charging free). PROFILE_* tariffs are kept and served but fit no session: we
take no charging preferences. A tariff with no version in force at the start (before its
start_date_time, after its end_date_time) does not apply; with none, the session is
recorded at no cost (UNPRICED).
"""

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.models import Station, StationTariffChange, Tariff, TariffOverride, TariffTerms
from fleetcharge.pricing.schemas import TariffSpec
from fleetcharge.tariffs.versions import in_force

# A station without a tariff still records its sessions, at no cost to anyone.
UNPRICED = TariffSpec(currency="AUD", tax_rate=Decimal("0.1000"), components=())


class AppliedTariff(NamedTuple):
    tariff_id: int | None
    spec: TariffSpec


def tariff_spec(terms: TariffTerms) -> TariffSpec:
    return TariffSpec.from_document(
        terms.elements,
        currency=terms.currency,
        tax_rate=terms.tax_rate,
        parking_grace_minutes=terms.parking_grace_minutes,
        min_price=_bound(terms.min_price, terms.min_price_excl_vat),
        max_price=_bound(terms.max_price, terms.max_price_excl_vat),
    )


def _bound(incl: Decimal | None, excl: Decimal | None) -> dict[str, Decimal] | None:
    if incl is None and excl is None:
        return None
    return {
        key: value for key, value in (("incl_vat", incl), ("excl_vat", excl)) if value is not None
    }


def session_type(payer_organisation_id: int | None) -> str:
    return "AD_HOC_PAYMENT" if payer_organisation_id is None else "REGULAR"


def applicable_tariff(
    db: Session, station: Station, payer_organisation_id: int | None, start: datetime
) -> AppliedTariff:
    """The tariff and version a session starting at `start` is priced by (module doc)."""
    if payer_organisation_id is not None:
        override = db.scalar(
            select(Tariff)
            .join(TariffOverride, TariffOverride.tariff_id == Tariff.id)
            .where(
                TariffOverride.organisation_id == payer_organisation_id,
                TariffOverride.location_id == station.location_id,
            )
        )
        terms = in_force(db, override, start) if override is not None else None
        if (
            override is not None
            and terms is not None
            and terms.type in (None, session_type(payer_organisation_id))
        ):
            return AppliedTariff(override.id, tariff_spec(terms))
    default_id = tariff_id_at(db, station, start)
    tariff = db.get(Tariff, default_id) if default_id is not None else None
    terms = in_force(db, tariff, start) if tariff is not None else None
    if tariff is None or terms is None:
        return AppliedTariff(None, UNPRICED)
    return AppliedTariff(tariff.id, tariff_spec(terms))


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
