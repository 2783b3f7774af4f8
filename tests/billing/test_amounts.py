"""Amounts typed by an operator: any text gives the exact amount or a one-line error."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetcharge.billing.amounts import LIMIT, parse_amount
from fleetcharge.errors import InvalidParameter


@pytest.mark.parametrize(
    "text", ["1e28", "-1e400", "1e-400", "NaN", "-Infinity", "12.345", "\x00", "9" * 5000, ""]
)
def test_hostile_amounts_are_refused_with_a_message(text: str) -> None:
    with pytest.raises(InvalidParameter) as error:
        parse_amount(text)
    assert "amount" in str(error.value) and len(str(error.value)) < 200


@given(st.text(max_size=60))
def test_any_text_is_an_amount_or_an_invalid_parameter(text: str) -> None:
    try:
        value = parse_amount(text)
    except InvalidParameter:
        return
    assert value.is_finite() and abs(value) < LIMIT and value == value.quantize(Decimal("0.01"))


@given(st.decimals(min_value=-LIMIT + 1, max_value=LIMIT - 1, places=2))
def test_every_amount_to_the_cent_reads_back_exactly(amount: Decimal) -> None:
    assert parse_amount(f" {amount} ") == amount
