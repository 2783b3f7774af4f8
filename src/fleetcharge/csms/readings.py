"""OCPP 1.6 sampled values: defaults, units and numbers, normalised. Pure.

Every sampled value is kept with its raw text; `value` is the number in a normalised unit
(energy in kWh, power in kW) or None when the text is not a usable number.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from fleetcharge.csms.clock import StationTime

ENERGY_REGISTER = "Energy.Active.Import.Register"
POWER_IMPORT = "Power.Active.Import"
# Larger magnitudes fit neither column type (and no meter reads them).
_LIMIT = Decimal("1e12")

# unit -> (normalised unit, factor)
_SCALES: dict[str, tuple[str, Decimal]] = {
    "Wh": ("kWh", Decimal("0.001")),
    "kWh": ("kWh", Decimal(1)),
    "varh": ("kvarh", Decimal("0.001")),
    "kvarh": ("kvarh", Decimal(1)),
    "W": ("kW", Decimal("0.001")),
    "kW": ("kW", Decimal(1)),
    "VA": ("kVA", Decimal("0.001")),
    "kVA": ("kVA", Decimal(1)),
    "var": ("kvar", Decimal("0.001")),
    "kvar": ("kvar", Decimal(1)),
    "Celcius": ("Celsius", Decimal(1)),  # the 1.6 schema's own misspelling
}

# The unit a measurand is in when the station leaves it out (the spec defines Wh for
# energy; the rest are what every meter means).
_DEFAULT_UNITS: tuple[tuple[str, str], ...] = (
    ("Energy.Active", "Wh"),
    ("Energy.Reactive", "varh"),
    ("Power.Active", "W"),
    ("Power.Offered", "W"),
    ("Power.Reactive", "var"),
    ("Current", "A"),
    ("Voltage", "V"),
    ("SoC", "Percent"),
)


@dataclass(frozen=True)
class Reading:
    reported_at: datetime
    sampled_at: datetime
    measurand: str
    phase: str | None
    unit: str | None
    context: str | None
    location: str | None
    value_format: str | None
    value_raw: str
    value: Decimal | None
    normalised_unit: str | None


def normalise(
    raw: str, measurand: str, unit: str | None, value_format: str | None
) -> tuple[Decimal | None, str | None]:
    """(value, unit) after scaling; value None for signed data or anything not a number."""
    if unit is None:
        unit = next((u for prefix, u in _DEFAULT_UNITS if measurand.startswith(prefix)), None)
    target, factor = _SCALES.get(unit, (unit, Decimal(1))) if unit else (None, Decimal(1))
    if value_format == "SignedData":
        return None, target
    try:
        number = Decimal(raw.strip())
    except InvalidOperation:
        return None, target
    if not number.is_finite() or abs(number) >= _LIMIT:
        return None, target
    return number * factor, target


def parse_meter_values(
    meter_values: Iterable[dict[str, Any]], timestamp: Callable[[str], StationTime]
) -> list[Reading]:
    """Every sampled value of OCPP MeterValue objects (the library's snake_case form), at
    the time `timestamp` makes of its MeterValue's timestamp."""
    out: list[Reading] = []
    for meter_value in meter_values:
        moment = timestamp(meter_value["timestamp"])
        for sampled in meter_value["sampled_value"]:
            measurand = sampled.get("measurand") or ENERGY_REGISTER
            unit = sampled.get("unit")
            value_format = sampled.get("format")
            raw = sampled["value"]
            value, normalised_unit = normalise(raw, measurand, unit, value_format)
            reading = Reading(
                reported_at=moment.reported,
                sampled_at=moment.used,
                measurand=measurand,
                phase=sampled.get("phase"),
                unit=unit,
                context=sampled.get("context"),
                location=sampled.get("location"),
                value_format=value_format,
                value_raw=raw,
                value=value,
                normalised_unit=normalised_unit,
            )
            out.append(reading)
    return out
