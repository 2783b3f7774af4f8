"""Checks of the values operators type: each returns the clean value or raises InvalidField
naming the field, so the admin API, the CLI and the CSV import report the same message."""

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfoNotFoundError

from fleetcharge.abn import abn_is_valid
from fleetcharge.errors import InvalidField
from fleetcharge.timezones import zone

# ISO 3779: 17 characters, letters and digits without I, O and Q (mistaken for 1 and 0).
_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")
# A station identity is the last segment of ws://host/ocpp/{identity}: characters that need
# no escaping in a URL path (RFC 3986 unreserved), as the OCPP security whitepaper advises.
_IDENTITY = re.compile(r"[A-Za-z0-9._~-]{1,48}")
_EVSE_ID = re.compile(r"[A-Za-z0-9*._-]{1,48}")
_ID_TAG = re.compile(r"[\x21-\x7e]{1,20}")  # OCPP 1.6 idToken: CiString20, printable ASCII
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{2,63}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def text(value: str, field: str, *, max_length: int, min_length: int = 1) -> str:
    """Trimmed text without control characters, of a length the column holds."""
    cleaned = value.strip()
    if _CONTROL.search(cleaned):
        raise InvalidField(f"{field} must not contain control characters", field=field)
    if not min_length <= len(cleaned) <= max_length:
        raise InvalidField(
            f"{field} must be {min_length} to {max_length} characters, got {len(cleaned)}",
            field=field,
        )
    return cleaned


def optional_text(value: str | None, field: str, *, max_length: int) -> str | None:
    if value is None or value.strip() == "":
        return None
    return text(value, field, max_length=max_length)


def vin(value: str, field: str = "vin") -> str:
    cleaned = value.strip().upper()
    if not _VIN.fullmatch(cleaned):
        raise InvalidField(
            f"{field} must be 17 letters and digits without I, O or Q, got {value!r}", field=field
        )
    return cleaned


def station_identity(value: str, field: str = "identity") -> str:
    if not _IDENTITY.fullmatch(value):
        raise InvalidField(
            f"{field} must be 1 to 48 letters, digits or . _ ~ - (it is part of the station's "
            f"OCPP URL), got {value!r}",
            field=field,
        )
    return value


def evse_id(value: str, field: str = "evse_id") -> str:
    cleaned = value.strip()
    if not _EVSE_ID.fullmatch(cleaned):
        raise InvalidField(
            f"{field} must be 1 to 48 letters, digits or * . _ -, e.g. AU*FCN*E1234, got {value!r}",
            field=field,
        )
    return cleaned


def id_tag(value: str, field: str = "id_tag") -> str:
    cleaned = value.strip()
    if not _ID_TAG.fullmatch(cleaned):
        raise InvalidField(
            f"{field} must be 1 to 20 printable ASCII characters without spaces (an OCPP "
            f"idTag), got {value!r}",
            field=field,
        )
    return cleaned


def timezone(value: str, field: str = "timezone") -> str:
    try:
        if len(value) > 64:  # longer than any zone's name, and than a file name may be
            raise ValueError(value)
        zone(value)
    except (ZoneInfoNotFoundError, ValueError, KeyError, OSError):
        raise InvalidField(
            f"{field} must be an IANA time zone such as Australia/Sydney, got {value!r}",
            field=field,
        ) from None
    return value


def abn(value: str, field: str = "abn") -> str:
    digits = "".join(value.split())
    if not abn_is_valid(digits):
        raise InvalidField(
            f"{field} {value!r} is not a valid ABN (11 digits with the ATO checksum)", field=field
        )
    return digits


def email(value: str, field: str = "email") -> str:
    cleaned = value.strip()
    if len(cleaned) > 254 or _CONTROL.search(cleaned) or not _EMAIL.fullmatch(cleaned):
        raise InvalidField(f"{field} must be an email address, got {value!r}", field=field)
    return cleaned


def decimal(
    value: Decimal | int | str,
    field: str,
    *,
    places: int,
    minimum: Decimal = Decimal(0),
    below: Decimal,
) -> Decimal:
    """An exact, finite amount within [minimum, below) with at most `places` decimals."""
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise InvalidField(f"{field} must be a number, got {value!r}", field=field) from None
    if not amount.is_finite():
        raise InvalidField(f"{field} must be a finite number, got {value}", field=field)
    if not minimum <= amount < below:
        raise InvalidField(
            f"{field} must be at least {minimum} and below {below}, got {amount}", field=field
        )
    if amount != round(amount, places):
        raise InvalidField(
            f"{field} has at most {places} decimal places, got {amount}", field=field
        )
    return amount.quantize(Decimal(1).scaleb(-places))


def power_kw(value: Decimal | int | str, field: str) -> Decimal:
    """A rated power in kW, 1 to 3999.9 with one decimal: a station's or a vehicle's."""
    return decimal(value, field, places=1, minimum=Decimal(1), below=Decimal(4000))


def moment(value: datetime, field: str) -> datetime:
    """A point in time with its UTC offset, in UTC, within years 1970 to 9998 (beyond,
    `9999-12-31T23:59:59-14:00` is not even a UTC time)."""
    if value.tzinfo is None:
        raise InvalidField(
            f"{field} needs a UTC offset, e.g. 2027-06-30T23:59:59+08:00", field=field
        )
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not 1970 <= utc.year <= 9998:
        raise InvalidField(f"{field} must be between 1970 and 9998, got {value}", field=field)
    return utc
