"""Report rows (dataclasses) as a table of text cells, for CSV files and the terminal."""

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fleetcharge.client.flatten import render


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]


def table_of(row_type: type[Any], rows: Sequence[Any]) -> Table:
    """A table with one column per dataclass field, in declaration order."""
    names = [field.name for field in dataclasses.fields(row_type)]
    return Table(names, [[render(getattr(row, name)) for name in names] for row in rows])


def local_date(moment: datetime, timezone: str | None) -> date:
    """The calendar date of `moment` at the station: in its IANA zone when known, else in
    the UTC offset the server sent (which is the station's own)."""
    if timezone:
        try:
            return moment.astimezone(ZoneInfo(timezone)).date()
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return moment.date()


def within(day: date, date_from: date | None, date_to: date | None) -> bool:
    return (date_from is None or day >= date_from) and (date_to is None or day <= date_to)


ZERO = Decimal(0)


def pad(value: Decimal, places: int) -> Decimal:
    """`value` with at least `places` decimals (19.8 -> 19.80), never rounded."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -places:
        return value.quantize(Decimal(1).scaleb(-places))
    return value


def money(value: Decimal) -> Decimal:
    return pad(value, 2)


def energy(value: Decimal) -> Decimal:
    return pad(value, 3)
