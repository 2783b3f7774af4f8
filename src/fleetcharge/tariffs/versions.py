"""Tariff versions: new prices published ahead of time, history kept.

Version 1 is the tariff row itself; versions 2, 3, ... (TariffVersion) are published with a
start (`valid_from`, the document's start_date_time) that is not in the past and after the
latest version's. A session is priced by the version in force when it started, for its
whole length, even when it runs past the next version's start (OCPI: the driver accepts the
tariff valid when they start). The version in force at an instant is the latest-numbered
one that has started by then, unless its end_date_time has passed. Nothing published is
changed afterwards, and sessions keep the copy of the terms they were priced by.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.errors import InvalidField
from fleetcharge.models import Tariff, TariffTerms, TariffVersion
from fleetcharge.tariffs.schemas import TariffDocument


def set_terms(terms: TariffTerms, document: TariffDocument) -> None:
    """Fill a tariff's or version's terms from a validated document."""
    terms.currency = document.currency
    terms.tax_rate = document.rate
    terms.parking_grace_minutes = document.parking_grace_minutes
    terms.elements = document.stored_elements()
    terms.min_price = document.minimum
    terms.max_price = document.maximum
    terms.min_price_excl_vat = document.minimum_excl_vat
    terms.max_price_excl_vat = document.maximum_excl_vat
    terms.type = document.type
    terms.valid_from = document.start_date_time
    terms.valid_until = document.end_date_time
    terms.document = document.kept()


def versions(db: Session, tariff: Tariff) -> list[TariffTerms]:
    """Every version, oldest first: the tariff itself, then its published versions."""
    later = db.scalars(
        select(TariffVersion)
        .where(TariffVersion.tariff_id == tariff.id)
        .order_by(TariffVersion.number)
    )
    return [tariff, *later]


def number(terms: TariffTerms) -> int:
    return terms.number if isinstance(terms, TariffVersion) else 1


def in_force(db: Session, tariff: Tariff, at: datetime) -> TariffTerms | None:
    """The version a session starting at `at` is priced by, or None (module doc)."""
    started = [v for v in versions(db, tariff) if v.valid_from is None or v.valid_from <= at]
    if not started:
        return None
    current = started[-1]
    if current.valid_until is not None and at >= current.valid_until:
        return None
    return current


def publish(db: Session, tariff: Tariff, document: TariffDocument, now: datetime) -> TariffVersion:
    """Publish the document as the tariff's next version, from its start_date_time on."""
    if document.name is not None and document.name != tariff.name:
        raise InvalidField(
            f"name: a version keeps its tariff's name {tariff.name!r}, got {document.name!r}",
            field="name",
        )
    start = document.start_date_time
    if start is None:
        raise InvalidField(
            "start_date_time: required: when the new version takes effect",
            field="start_date_time",
        )
    if start < now:
        raise InvalidField(
            f"start_date_time: must not be in the past (sessions under way keep their "
            f"prices), got {start.isoformat()}",
            field="start_date_time",
        )
    existing = versions(db, tariff)
    latest = existing[-1]
    if latest.valid_from is not None and start <= latest.valid_from:
        raise InvalidField(
            f"start_date_time: must be after version {number(latest)}'s start "
            f"{latest.valid_from.isoformat()}, got {start.isoformat()}",
            field="start_date_time",
        )
    version = TariffVersion(tariff_id=tariff.id, number=number(latest) + 1)
    set_terms(version, document)
    db.add(version)
    db.flush()
    return version
