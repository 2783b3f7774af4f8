"""Australian Business Numbers: the ATO's checksum, parsing what people type, display."""

from fleetcharge.errors import InvalidParameter

_WEIGHTS = (10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19)


def abn_is_valid(abn: str) -> bool:
    """11 digits whose weighted sum, after taking 1 from the first digit, divides by 89."""
    if len(abn) != 11 or not abn.isascii() or not abn.isdigit():
        return False
    digits = [int(c) for c in abn]
    digits[0] -= 1
    return sum(d * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 89 == 0


def parse_abn(text: str) -> str:
    """The 11 digits of an ABN written with or without spaces, e.g. "51 824 753 556"."""
    abn = "".join(text.split())
    if not abn_is_valid(abn):
        raise InvalidParameter(f"{text!r} is not a valid ABN (11 digits with the ATO checksum)")
    return abn


def format_abn(abn: str) -> str:
    """The usual grouping, 51 824 753 556."""
    return f"{abn[:2]} {abn[2:5]} {abn[5:8]} {abn[8:]}" if len(abn) == 11 else abn
