"""Paging and the query parameters shared by the list endpoints, parsed strictly.

FastAPI's own validation would answer 422 with its own body; the contract wants 400
with our error shape naming the parameter, and empty values meaning "absent".
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from fleetcharge.errors import InvalidParameter

PAGE_SIZE = 100
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})$"
)
# An unencoded '+' in a query string arrives as a space: "...T10:00:00 10:00".
_SPACE_OFFSET = re.compile(r" (\d{2}:\d{2})$")


@dataclass(frozen=True)
class DateBound:
    """A date filter bound: a calendar date (matched against local dates) or an instant."""

    day: date | None = None
    instant: datetime | None = None

    def __str__(self) -> str:
        return str(self.instant.isoformat() if self.instant else self.day)


@dataclass(frozen=True)
class ListParams:
    page: int = 1
    date_from: DateBound | None = None
    date_to: DateBound | None = None

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE


def parse_page(raw: str | None) -> int:
    if raw is None or raw.strip() == "":
        return 1
    text = raw.strip()
    if not text.isdigit() or not text.isascii():
        raise InvalidParameter(
            f"page must be a whole number starting at 1, got {raw!r}", parameter="page"
        )
    if len(text) > 12 or int(text) < 1:
        raise InvalidParameter(
            f"page must be between 1 and 999999999999, got {raw!r}", parameter="page"
        )
    return int(text)


def parse_date_bound(name: str, raw: str | None) -> DateBound | None:
    if raw is None or raw.strip() == "":
        return None
    text = _SPACE_OFFSET.sub(r"+\1", raw.strip())
    try:
        if _DATE.match(text):
            return DateBound(day=date.fromisoformat(text))
        if _DATETIME.match(text):
            instant = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
            # Queries compare in UTC: an instant with no UTC date (0001-01-01T00:00+01:00,
            # 9999-12-31T23:00-05:00) would overflow there.
            instant.astimezone(UTC)
            return DateBound(instant=instant)
    except (ValueError, OverflowError):
        raise InvalidParameter(
            f"{name} {raw!r} is not a valid calendar date", parameter=name
        ) from None
    raise InvalidParameter(
        f"{name} must be a date as YYYY-MM-DD (or an RFC 3339 date-time), got {raw!r}",
        parameter=name,
    )


def parse_list_params(
    page: str | None, date_from: str | None = None, date_to: str | None = None
) -> ListParams:
    params = ListParams(
        page=parse_page(page),
        date_from=parse_date_bound("date_from", date_from),
        date_to=parse_date_bound("date_to", date_to),
    )
    low, high = params.date_from, params.date_to
    if low and high:
        both_days = low.day is not None and high.day is not None
        both_instants = low.instant is not None and high.instant is not None
        if (both_days and low.day > high.day) or (  # type: ignore[operator]
            both_instants and low.instant > high.instant  # type: ignore[operator]
        ):
            raise InvalidParameter(
                f"date_from ({low}) is after date_to ({high})", parameter="date_from"
            )
    return params
