"""What the console's sessions table is asked for, parsed strictly from query parameters:
its filters, its sort order and the cursor of the page. Pure; each bad value is an
InvalidParameter naming its parameter.

A cursor names the row a page continues after (or, going back, comes before) by its sort
value and id, so any page costs what the first does; it also carries the page's number
for display. It is opaque to users but not secret: every query is limited to the
viewer's organisation whatever it says.
"""

import base64
import binascii
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from fleetcharge.errors import InvalidParameter
from fleetcharge.kit.paging import parse_date_bound

# The orders a page may be sorted by; "-" first means descending.
SORT_KEYS = ("stop", "energy", "cost")
DEFAULT_SORT = "-stop"
# The longest text a filter accepts (a UUID, a VIN, a registration, an id tag).
MAX_FILTER_LENGTH = 64


class Direction(StrEnum):
    AFTER = "after"  # the next page: rows after the cursor's, in the sort order
    BEFORE = "before"  # the previous page: rows before it


@dataclass(frozen=True)
class Sort:
    key: str  # one of SORT_KEYS
    descending: bool

    @classmethod
    def parse(cls, raw: str | None) -> "Sort":
        text = (raw or "").strip() or DEFAULT_SORT
        key = text.removeprefix("-")
        if key not in SORT_KEYS:
            choices = ", ".join(f"{k}, -{k}" for k in SORT_KEYS)
            raise InvalidParameter(f"sort must be one of {choices}; got {raw!r}", parameter="sort")
        return cls(key, text.startswith("-"))

    def __str__(self) -> str:
        return ("-" if self.descending else "") + self.key

    def reversed(self) -> "Sort":
        return Sort(self.key, not self.descending)


@dataclass(frozen=True)
class Cursor:
    sort: Sort
    value: datetime | Decimal
    id: int
    direction: Direction
    page: int  # the number of the page it leads to

    def encode(self) -> str:
        parts = [str(self.sort), str(self.value), self.id, str(self.direction), self.page]
        text = json.dumps(parts, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(text).decode().rstrip("=")

    @classmethod
    def parse(cls, raw: str, sort: Sort) -> "Cursor":
        try:
            padded = raw + "=" * (-len(raw) % 4)
            sort_text, value_text, id_, direction, page = json.loads(
                base64.urlsafe_b64decode(padded.encode())
            )
            value: datetime | Decimal = (
                datetime.fromisoformat(value_text) if sort.key == "stop" else Decimal(value_text)
            )
            if isinstance(value, datetime) and value.tzinfo is None:
                raise ValueError("naive")
            if isinstance(value, Decimal) and not value.is_finite():
                raise ValueError("not finite")
            valid = (
                isinstance(id_, int)
                and 0 < id_ < 2**63
                and isinstance(page, int)
                and 1 <= page < 2**31
                and sort_text == str(sort)
            )
            if not valid:
                raise ValueError("out of range")
            return cls(sort, value, id_, Direction(direction), page)
        except (ValueError, TypeError, binascii.Error, InvalidOperation, UnicodeDecodeError):
            raise InvalidParameter(
                "cursor is not one this page gave for this sort order: "
                "follow the page's next and previous links",
                parameter="cursor",
            ) from None


@dataclass(frozen=True)
class SessionFilters:
    """Local completion dates (inclusive, as /usage's date filters) and who or where:
    each of fleet, vehicle, card and location a reference the service resolves."""

    date_from: date | None = None
    date_to: date | None = None
    fleet: str | None = None  # a fleet's UUID
    vehicle: str | None = None  # a vehicle's UUID, VIN or registration
    card: str | None = None  # a card's UUID or id tag
    location: str | None = None  # a location's UUID

    def query(self) -> dict[str, str]:
        """The filters as query parameters (only those set)."""
        return {
            field.name: str(value)
            for field in fields(self)
            if (value := getattr(self, field.name)) is not None
        }


# Filters that are about the payer's own fleets: the site host view has no such filters.
PAYER_FILTERS = ("fleet", "vehicle", "card")


@dataclass(frozen=True)
class TableQuery:
    filters: SessionFilters
    sort: Sort
    cursor: Cursor | None = None


def parse_table_query(params: Mapping[str, str | None], *, payer_view: bool) -> TableQuery:
    """The filters, sort and cursor of a request; empty values are absent."""
    filters = SessionFilters(
        date_from=_day("date_from", params.get("date_from")),
        date_to=_day("date_to", params.get("date_to")),
        fleet=_uuid_text("fleet", params.get("fleet")),
        vehicle=_text("vehicle", params.get("vehicle")),
        card=_text("card", params.get("card")),
        location=_uuid_text("location", params.get("location")),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InvalidParameter(
            f"date_from ({filters.date_from}) is after date_to ({filters.date_to})",
            parameter="date_from",
        )
    if not payer_view:
        for name in PAYER_FILTERS:
            if getattr(filters, name) is not None:
                raise InvalidParameter(
                    f"{name} filters sessions your own fleets paid for; "
                    "sessions at your stations filter by date and location",
                    parameter=name,
                )
    sort = Sort.parse(params.get("sort"))
    raw_cursor = (params.get("cursor") or "").strip()
    cursor = Cursor.parse(raw_cursor, sort) if raw_cursor else None
    return TableQuery(filters, sort, cursor)


def _day(name: str, raw: str | None) -> date | None:
    bound = parse_date_bound(name, raw)
    if bound is None:
        return None
    if bound.day is None:
        raise InvalidParameter(f"{name} must be a date as YYYY-MM-DD, got {raw!r}", parameter=name)
    return bound.day


def _text(name: str, raw: str | None) -> str | None:
    text = (raw or "").strip()
    if not text:
        return None
    if len(text) > MAX_FILTER_LENGTH or not text.isprintable():
        raise InvalidParameter(
            f"{name} must be printable text of at most {MAX_FILTER_LENGTH} characters",
            parameter=name,
        )
    return text


def _uuid_text(name: str, raw: str | None) -> str | None:
    text = _text(name, raw)
    if text is None:
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise InvalidParameter(f"{name} must be a UUID, got {raw!r}", parameter=name) from None
