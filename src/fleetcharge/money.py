"""Money and energy rounding, in one place. Decimal only; floats appear only at the JSON edge."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
WH = Decimal("0.001")
ZERO = Decimal("0.00")


def round_money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def round_kwh(value: Decimal) -> Decimal:
    return value.quantize(WH, rounding=ROUND_HALF_UP)


def gst_included(amount: Decimal, rate: Decimal) -> Decimal:
    """The GST inside a GST-inclusive amount: amount x rate / (1 + rate), to the cent."""
    return round_money(amount * rate / (1 + rate))


def shown(amount: Decimal) -> str:
    """Money as invoices and the console show it: `$1,234.56`, `-$0.50`."""
    rounded = round_money(amount)
    sign = "-" if rounded < 0 else ""
    return f"{sign}${abs(rounded):,.2f}"


def shown_kwh(energy: Decimal, places: int = 3) -> str:
    """Energy as documents show it: `1,234.567` (kWh, thousands separated)."""
    rounded = energy.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{places}f}"
