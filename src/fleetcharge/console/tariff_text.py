"""A tariff document in words, for people: each element's prices and when they apply.
The document itself (docs/tariffs.md) stays the reference; this only reads it."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

_UNITS = {
    "ENERGY": ("Energy", "per kWh", "Wh"),
    "TIME": ("Charging time", "per hour", "s"),
    "PARKING_TIME": ("Parking", "per hour", "s"),
    "FLAT": ("Flat fee", "per session", None),
}
_DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
_LIMITS = (
    ("kwh", "kWh"),
    ("power", "kW"),
    ("current", "A"),
    ("duration", "s"),
)


@dataclass(frozen=True)
class ReadableElement:
    when: str
    prices: list[str]


def readable_elements(document: dict[str, Any]) -> list[ReadableElement]:
    return [
        ReadableElement(
            _when(element.get("restrictions") or {}),
            [_price(component, document) for component in element["price_components"]],
        )
        for element in document.get("elements", [])
    ]


def price_bounds(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, bound) for the least and the most a session costs, when the tariff has them."""
    bounds = []
    for key, label in (("min_price", "Minimum"), ("max_price", "Maximum")):
        value = document.get(key)
        if isinstance(value, dict):
            texts = [f"{_dollars(value['incl_vat'])} a session"] if "incl_vat" in value else []
            if "excl_vat" in value:
                texts.append(f"{_dollars(value['excl_vat'])} excl. GST")
            bounds.append((label, ", ".join(texts)))
        elif value is not None:
            bounds.append((label, f"{_dollars(value)} a session"))
    return bounds


def _price(component: dict[str, Any], document: dict[str, Any]) -> str:
    label, per, step_unit = _UNITS[component["type"]]
    text = f"{label}: {_dollars(component['price'])} {per}"
    if (
        "vat" in component
        and Decimal(str(component["vat"])) != Decimal(str(document.get("tax_rate", "0.10"))) * 100
    ):
        text += f" (GST {Decimal(str(component['vat'])).normalize():f}%)"
    step = component.get("step_size", 1)
    if step_unit and step != 1:
        text += f", billed in steps of {step} {step_unit}"
    grace = document.get("parking_grace_minutes") or 0
    if component["type"] == "PARKING_TIME" and grace:
        text += f", after {grace} minutes of grace"
    return text


def _when(restrictions: dict[str, Any]) -> str:
    parts = []
    reservation = restrictions.get("reservation")
    if reservation:
        parts.append(
            "Reservations that expire" if reservation == "RESERVATION_EXPIRES" else "Reservations"
        )
    days = restrictions.get("day_of_week")
    if days:
        parts.append(_days(days))
    start, end = restrictions.get("start_time"), restrictions.get("end_time")
    if start or end:
        parts.append(f"{start or '00:00'} to {end or '24:00'} local time")
    start_date, end_date = restrictions.get("start_date"), restrictions.get("end_date")
    if start_date:
        parts.append(f"from {start_date}")
    if end_date:
        parts.append(f"before {end_date}")
    for name, unit in _LIMITS:
        low, high = restrictions.get(f"min_{name}"), restrictions.get(f"max_{name}")
        if low is not None:
            parts.append(f"from {low} {unit}")
        if high is not None:
            parts.append(f"below {high} {unit}")
    return ", ".join(parts) if parts else "Always"


def _days(days: list[str]) -> str:
    indexes = sorted(_DAYS.index(day) for day in days)
    names = [_DAYS[i].capitalize()[:3] for i in indexes]
    consecutive = indexes == list(range(indexes[0], indexes[-1] + 1))
    if len(indexes) > 2 and consecutive:
        return f"{names[0]} to {names[-1]}"
    return ", ".join(names)


def _dollars(value: Any) -> str:
    """A unit price as written, at least to the cent: $0.45, $0.3375."""
    amount = Decimal(str(value))
    places = min(4, max(2, -int(amount.normalize().as_tuple().exponent)))
    return f"${amount:,.{places}f}"
