"""Amounts typed by an operator: exact, finite, to the cent."""

from decimal import Decimal, InvalidOperation

from fleetcharge.errors import InvalidParameter
from fleetcharge.money import CENT

# Far beyond any invoice, and within what the money columns hold (14 digits, 2 places).
LIMIT = Decimal(10) ** 10


def parse_amount(text: str, *, name: str = "amount") -> Decimal:
    """A decimal amount with at most two places, e.g. 12.5 or -12.50."""
    shown = text if len(text) <= 40 else text[:40] + "..."
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise InvalidParameter(f"{name} must be an amount such as 12.50, got {shown!r}") from None
    if not value.is_finite():
        raise InvalidParameter(f"{name} must be an amount such as 12.50, got {shown!r}")
    if abs(value) >= LIMIT:
        raise InvalidParameter(f"{name} must be below {LIMIT:,} in size, got {shown!r}")
    if value != value.quantize(CENT):
        raise InvalidParameter(f"{name} has at most 2 decimal places, got {shown!r}")
    return value.quantize(CENT)
