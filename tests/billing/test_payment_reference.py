"""Payment references: the invoice number with a Luhn check digit that catches typos."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetcharge.billing.payment_reference import (
    check_digit,
    is_valid_reference,
    payment_reference,
)

numbers = st.integers(min_value=1, max_value=10**15)


def test_known_check_digits() -> None:
    assert check_digit("7992739871") == 3  # the textbook Luhn example
    assert payment_reference(10000001) == "100000017"
    assert is_valid_reference("1000 0001 7")


@given(numbers)
def test_a_reference_is_the_number_and_one_valid_digit(number: int) -> None:
    reference = payment_reference(number)
    assert reference[:-1] == str(number)
    assert is_valid_reference(reference)


@given(numbers, st.data())
def test_every_single_digit_mistake_is_caught(number: int, data: st.DataObject) -> None:
    reference = payment_reference(number)
    position = data.draw(st.integers(0, len(reference) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != reference[position]]))
    typo = reference[:position] + wrong + reference[position + 1 :]
    assert not is_valid_reference(typo)


@given(numbers, st.data())
def test_adjacent_swaps_are_caught_but_09(number: int, data: st.DataObject) -> None:
    reference = payment_reference(number)
    position = data.draw(st.integers(0, len(reference) - 2))
    a, b = reference[position], reference[position + 1]
    swapped = reference[:position] + b + a + reference[position + 2 :]
    if a != b and {a, b} != {"0", "9"}:
        assert not is_valid_reference(swapped)


@pytest.mark.parametrize("bad", ["", "12a", "١٢٣", "-5"])
def test_non_digits_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        check_digit(bad)
    assert not is_valid_reference(bad)


def test_invoice_numbers_are_positive() -> None:
    with pytest.raises(ValueError):
        payment_reference(0)
