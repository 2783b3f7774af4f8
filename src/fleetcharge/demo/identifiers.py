"""Plausible, valid-looking identifiers: VINs with check digits, state number plates, ABNs."""

import random
import string
import uuid as uuid_module

from fleetcharge.abn import abn_is_valid

VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # no I, O or Q
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_MODEL_YEAR_CODES = {2018: "J", 2019: "K", 2020: "L", 2021: "M", 2022: "N", 2023: "P", 2024: "R",
                     2025: "S", 2026: "T", 2027: "V"}  # fmt: skip
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # plates avoid I, O and Q too


def random_uuid(rng: random.Random) -> uuid_module.UUID:
    return uuid_module.UUID(int=rng.getrandbits(128), version=4)


def vin_check_digit(vin: str) -> str:
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def make_vin(rng: random.Random, wmi: str, vds: str, model_year: int) -> str:
    plant = rng.choice(VIN_ALPHABET[:-10])
    serial = "".join(rng.choice(string.digits) for _ in range(6))
    draft = f"{wmi}{vds}0{_MODEL_YEAR_CODES[model_year]}{plant}{serial}"
    return draft[:8] + vin_check_digit(draft) + draft[9:]


def _letters(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(LETTERS) for _ in range(n))


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def registration_number(rng: random.Random, timezone: str) -> str:
    """A number plate in the format of the state the time zone belongs to."""
    match timezone:
        case "Australia/Melbourne":
            return f"{_digits(rng, 1)}{_letters(rng, 2)}{_digits(rng, 1)}{_letters(rng, 2)}"
        case "Australia/Brisbane":
            return f"{_digits(rng, 3)}{_letters(rng, 3)}"
        case "Australia/Adelaide":
            return f"S{_digits(rng, 3)}{_letters(rng, 3)}"
        case "Australia/Darwin":
            return f"CA{_digits(rng, 2)}{_letters(rng, 2)}"
        case "Australia/Perth":
            return f"1{_letters(rng, 3)}{_digits(rng, 3)}"
        case "Australia/Hobart":
            return f"{_letters(rng, 1)}{_digits(rng, 2)}{_letters(rng, 2)}"
        case _:
            return f"{_letters(rng, 3)}{_digits(rng, 2)}{_letters(rng, 1)}"


def make_abn(rng: random.Random) -> str:
    """An 11-digit Australian Business Number that passes the ATO checksum."""
    while True:
        tail = _digits(rng, 9)
        for prefix in range(10, 100):
            if abn_is_valid(f"{prefix}{tail}"):
                return f"{prefix}{tail}"


def rfid_uid(rng: random.Random) -> str:
    """A 7-byte NFC card UID as readers report it (NXP cards start with 04)."""
    return "04" + "".join(rng.choice("0123456789ABCDEF") for _ in range(12))


def app_session_tag(rng: random.Random) -> str:
    """The id tag a charging app or a credit-card reader presents for a public driver."""
    return "APP-" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(10))
