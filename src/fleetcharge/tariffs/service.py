"""Operator tasks on tariffs: create from a document, list, show, override, quote."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fleetcharge.errors import InvalidField, InvalidParameter
from fleetcharge.kit import fields
from fleetcharge.lookup import by_name_or_uuid
from fleetcharge.models import (
    Location,
    Organisation,
    Station,
    Tariff,
    TariffOverride,
    TariffTerms,
)
from fleetcharge.organisations.service import find_organisation
from fleetcharge.pricing.engine import price
from fleetcharge.pricing.schemas import PricedSession, TariffSpec, Timeline
from fleetcharge.tariffs.repository import tariff_spec
from fleetcharge.tariffs.schemas import TariffDocument, document_of
from fleetcharge.tariffs.versions import in_force, number, set_terms, versions

# Bounds of a plausible session: quotes outside them are mistakes, not charges.
MAX_QUOTE_KWH = Decimal(10_000)
MAX_QUOTE_MINUTES = 7 * 24 * 60


@dataclass(frozen=True)
class TariffSummary:
    tariff: Tariff
    owner: str | None
    stations: int
    overrides: int


def find_tariff(db: Session, reference: str) -> Tariff:
    return by_name_or_uuid(db, Tariff, reference, "tariff")


def find_location(db: Session, reference: str) -> Location:
    return by_name_or_uuid(db, Location, reference, "location")


def create_tariff(db: Session, document: TariffDocument) -> Tariff:
    owner = find_organisation(db, document.owner) if document.owner else None
    tariff = Tariff(name=document.title, owner_organisation_id=owner.id if owner else None)
    set_terms(tariff, document)
    db.add(tariff)
    db.flush()
    return tariff


def list_tariffs(db: Session) -> list[TariffSummary]:
    stations = (
        select(Station.tariff_id, func.count().label("n")).group_by(Station.tariff_id).subquery()
    )
    overrides = (
        select(TariffOverride.tariff_id, func.count().label("n"))
        .group_by(TariffOverride.tariff_id)
        .subquery()
    )
    rows = db.execute(
        select(Tariff, Organisation.name, stations.c.n, overrides.c.n)
        .outerjoin(Organisation, Organisation.id == Tariff.owner_organisation_id)
        .outerjoin(stations, stations.c.tariff_id == Tariff.id)
        .outerjoin(overrides, overrides.c.tariff_id == Tariff.id)
        .order_by(Tariff.name, Tariff.id)
    )
    return [
        TariffSummary(t, owner, n_stations or 0, n_over or 0)
        for t, owner, n_stations, n_over in rows
    ]


def tariff_document(db: Session, tariff: Tariff, at: datetime | None = None) -> dict[str, Any]:
    """The tariff's document as given (every OCPI field), for the version in force `at`
    (default now; the latest published when none is), with its uuid."""
    owner = (
        db.get(Organisation, tariff.owner_organisation_id) if tariff.owner_organisation_id else None
    )
    terms = current_terms(db, tariff, at)
    return {"uuid": str(tariff.uuid), **terms_document(tariff, owner, terms)}


def tariff_history(db: Session, tariff: Tariff) -> list[dict[str, Any]]:
    """Every version, oldest first, with when it applies and whether it is in force now."""
    now = in_force(db, tariff, datetime.now(UTC))
    rows = []
    for terms in versions(db, tariff):
        rows.append(
            {
                "version": number(terms),
                "valid_from": terms.valid_from.isoformat() if terms.valid_from else None,
                "valid_until": terms.valid_until.isoformat() if terms.valid_until else None,
                "type": terms.type,
                "published_at": terms.created_at.isoformat(),
                "in_force": terms is now,
            }
        )
    return rows


def current_terms(db: Session, tariff: Tariff, at: datetime | None = None) -> TariffTerms:
    """The version in force `at` (default now), else the latest one."""
    moment = at if at is not None else datetime.now(UTC)
    return in_force(db, tariff, moment) or versions(db, tariff)[-1]


def terms_document(
    tariff: Tariff, owner: Organisation | None, terms: TariffTerms
) -> dict[str, Any]:
    if terms.document is None:  # created before documents were kept
        return document_of(tariff.name, owner.name if owner else None, tariff_spec(terms))
    document = {
        "name": tariff.name,
        "currency": terms.currency,
        "parking_grace_minutes": terms.parking_grace_minutes,
        **terms.document,
    }
    document["name"] = tariff.name
    if owner is not None:
        document["owner"] = owner.name
    return document


def _override(
    db: Session, organisation_ref: str, location_ref: str
) -> tuple[Organisation, Location, TariffOverride | None]:
    organisation = find_organisation(db, organisation_ref)
    location = find_location(db, location_ref)
    override = db.scalar(
        select(TariffOverride).where(
            TariffOverride.organisation_id == organisation.id,
            TariffOverride.location_id == location.id,
        )
    )
    return organisation, location, override


def set_override(
    db: Session, organisation_ref: str, location_ref: str, tariff_ref: str
) -> TariffOverride:
    """From now on the organisation's own cards pay `tariff` at the location."""
    organisation, location, override = _override(db, organisation_ref, location_ref)
    tariff = find_tariff(db, tariff_ref)
    if override is None:
        override = TariffOverride(organisation_id=organisation.id, location_id=location.id)
        db.add(override)
    override.tariff_id = tariff.id
    db.flush()
    return override


def clear_override(db: Session, organisation_ref: str, location_ref: str) -> bool:
    _, _, override = _override(db, organisation_ref, location_ref)
    if override is None:
        return False
    db.delete(override)
    db.flush()
    return True


def quote(
    spec: TariffSpec,
    start: datetime,
    *,
    kwh: Decimal,
    charging_minutes: int,
    parked_minutes: int = 0,
    timezone: str,
) -> PricedSession:
    """What a charge of `kwh` over `charging_minutes`, then `parked_minutes` idle, costs.
    Errors name the parameter at fault (`kwh`, `minutes`, `parked-minutes`, `start`)."""
    try:
        start = fields.moment(start, "start")  # with its offset, 1970 to 9998
    except InvalidField as error:
        raise InvalidParameter(error.message, parameter="start") from None
    if not kwh.is_finite() or not 0 <= kwh <= MAX_QUOTE_KWH:
        raise InvalidParameter(
            f"energy must be between 0 and {MAX_QUOTE_KWH} kWh, got {kwh}", parameter="kwh"
        )
    for name, minutes in (("minutes", charging_minutes), ("parked-minutes", parked_minutes)):
        if not 0 <= minutes <= MAX_QUOTE_MINUTES:
            raise InvalidParameter(
                f"minutes must be between 0 and {MAX_QUOTE_MINUTES} (a week)", parameter=name
            )
    if kwh > 0 and charging_minutes == 0:
        raise InvalidParameter("energy needs charging time above 0 minutes", parameter="minutes")
    charging_end = start + timedelta(minutes=charging_minutes)  # at most a week past 9998
    stop = charging_end + timedelta(minutes=parked_minutes)
    timeline = Timeline(start, charging_end, stop, kwh, timezone=timezone)
    return price(spec, timeline)
