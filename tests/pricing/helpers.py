"""Builders shared by the pricing tests."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from fleetcharge.pricing.schemas import MeterSample, TariffSpec, Timeline


def component(kind: str, price: str, step: int = 1) -> dict[str, Any]:
    return {"type": kind, "price": price, "step_size": step}


def element(*components: dict[str, Any], **restrictions: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"price_components": list(components)}
    if restrictions:
        doc["restrictions"] = restrictions
    return doc


def tariff(
    *elements: dict[str, Any],
    grace: int = 0,
    tax: str = "0.10",
    min_price: str | None = None,
    max_price: str | None = None,
) -> TariffSpec:
    return TariffSpec.from_document(
        list(elements),
        currency="AUD",
        tax_rate=Decimal(tax),
        parking_grace_minutes=grace,
        min_price=min_price,
        max_price=max_price,
    )


def local(tz: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz))


def timeline(
    start: datetime,
    *,
    charging: timedelta,
    parked: timedelta = timedelta(0),
    kwh: str = "0",
    tz: str = "Australia/Sydney",
    samples: tuple[MeterSample, ...] = (),
) -> Timeline:
    return Timeline(start, start + charging, start + charging + parked, Decimal(kwh), samples, tz)


def minutes(m: float) -> timedelta:
    return timedelta(minutes=m)
