"""Tariff and timeline value objects used by the pricing engine (no I/O)."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

Dimension = Literal["ENERGY", "TIME", "PARKING_TIME", "FLAT"]
DIMENSIONS: tuple[Dimension, ...] = ("ENERGY", "TIME", "PARKING_TIME", "FLAT")


@dataclass(frozen=True)
class PriceComponent:
    type: Dimension
    price: Decimal  # GST-inclusive: per kWh, per hour, per hour, per session
    step_size: int = 1


@dataclass(frozen=True)
class TariffSpec:
    currency: str
    tax_rate: Decimal
    components: tuple[PriceComponent, ...]
    parking_grace_minutes: int = 0

    def price_of(self, dimension: Dimension) -> Decimal:
        for component in self.components:
            if component.type == dimension:
                return component.price
        return Decimal(0)

    def snapshot(self) -> dict[str, Any]:
        """JSON-safe copy stored on each session, so later tariff edits never change history."""
        return {
            "currency": self.currency,
            "tax_rate": str(self.tax_rate),
            "parking_grace_minutes": self.parking_grace_minutes,
            "elements": [
                {
                    "price_components": [
                        {"type": c.type, "price": str(c.price), "step_size": c.step_size}
                        for c in self.components
                    ]
                }
            ],
        }

    @classmethod
    def from_document(
        cls,
        elements: list[dict[str, Any]],
        *,
        currency: str,
        tax_rate: Decimal,
        parking_grace_minutes: int = 0,
    ) -> "TariffSpec":
        components = tuple(
            PriceComponent(
                type=c["type"], price=Decimal(str(c["price"])), step_size=int(c.get("step_size", 1))
            )
            for element in elements
            for c in element.get("price_components", [])
        )
        return cls(currency, tax_rate, components, parking_grace_minutes)


@dataclass(frozen=True)
class Timeline:
    """When the car plugged in, stopped drawing energy, and left; and the energy delivered."""

    start: datetime
    charging_end: datetime
    stop: datetime
    energy_kwh: Decimal


@dataclass(frozen=True)
class PricedPeriod:
    start: datetime
    duration_s: int
    consumption_kwh: Decimal
    dimension: Dimension
    unit_price: Decimal
    amount: Decimal
    gst: Decimal


@dataclass(frozen=True)
class PricedSession:
    currency: str
    periods: tuple[PricedPeriod, ...] = field(default_factory=tuple)

    @property
    def amount(self) -> Decimal:
        return sum((p.amount for p in self.periods), Decimal("0.00"))

    @property
    def gst(self) -> Decimal:
        return sum((p.gst for p in self.periods), Decimal("0.00"))
