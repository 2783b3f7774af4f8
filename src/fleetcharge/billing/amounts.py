"""Amounts typed by an operator: exact, finite, to the cent."""

from decimal import Decimal, InvalidOperation

from fleetcharge.errors import InvalidParameter
from fleetcharge.money import CENT


def parse_amount(text: str, *, name: str = "amount") -> Decimal:
    """A decimal amount with at most two places, e.g. 12.5 or -12.50."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise InvalidParameter(f"{name} must be an amount such as 12.50, got {text!r}") from None
    if not value.is_finite():
        raise InvalidParameter(f"{name} must be an amount such as 12.50, got {text!r}")
    if value != value.quantize(CENT):
        raise InvalidParameter(f"{name} has at most 2 decimal places, got {text!r}")
    return value.quantize(CENT)
