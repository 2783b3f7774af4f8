"""The reference a customer quotes when paying a document: its number and a check digit.

The check digit is the Luhn (mod 10, weights 2-1 from the right) digit, which BPAY
billers commonly use for customer reference numbers (MOD10V01): it catches every single
mistyped digit and almost every swap of two adjacent digits before money goes astray.
"""


def check_digit(digits: str) -> int:
    """The Luhn check digit of a string of decimal digits."""
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"a check digit needs decimal digits, got {digits!r}")
    total = 0
    for position, character in enumerate(reversed(digits)):
        value = int(character)
        if position % 2 == 0:  # the digit next to the check digit is doubled
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return (10 - total % 10) % 10


def payment_reference(invoice_number: int) -> str:
    """The invoice number followed by its check digit: 10000001 -> 100000017."""
    if invoice_number < 1:
        raise ValueError(f"invoice numbers are positive, got {invoice_number}")
    digits = str(invoice_number)
    return f"{digits}{check_digit(digits)}"


def is_valid_reference(reference: str) -> bool:
    """Whether a reference as typed (spaces allowed) ends in its correct check digit."""
    compact = reference.replace(" ", "")
    if len(compact) < 2 or not compact.isascii() or not compact.isdigit():
        return False
    return check_digit(compact[:-1]) == int(compact[-1])
