"""Totals of charge sessions and the average price per kWh they make. Pure."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# A price per kWh to a hundredth of a cent, as tariffs state unit prices (4 places).
PRICE_PER_KWH = Decimal("0.0001")


@dataclass(frozen=True)
class Totals:
    """What a set of sessions adds up to: how many, their energy (kWh) and their cost
    (GST-inclusive)."""

    sessions: int = 0
    energy_kwh: Decimal = Decimal("0.000")
    cost: Decimal = Decimal("0.00")

    def __add__(self, other: "Totals") -> "Totals":
        return Totals(
            self.sessions + other.sessions,
            self.energy_kwh + other.energy_kwh,
            self.cost + other.cost,
        )

    @property
    def average_price(self) -> Decimal | None:
        return average_price(self.cost, self.energy_kwh)


def average_price(cost: Decimal, energy_kwh: Decimal) -> Decimal | None:
    """Cost per kWh, to a hundredth of a cent; None when no energy was delivered (a price
    per kWh of nothing is no figure, not zero)."""
    if energy_kwh == 0:
        return None
    return (cost / energy_kwh).quantize(PRICE_PER_KWH, rounding=ROUND_HALF_UP)
