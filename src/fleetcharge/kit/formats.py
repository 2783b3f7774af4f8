"""How the Fleets API writes values on the wire, each rule once, in Python and in SQL.

A `Format` pairs a rule's Python form (values of a fetched row -> JSON value) with its SQL
form (column expressions -> a PostgreSQL expression of the same JSON value), so a page
rendered by PostgreSQL (`json_build_object`) equals one rendered in Python (on SQLite).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Text, case, cast, func, literal_column

from fleetcharge.timezones import zone


@dataclass(frozen=True)
class Format:
    python: Callable[..., Any]
    sql: Callable[..., ColumnElement[Any]]


def number(value: Decimal) -> float | int:
    """Decimal to a JSON number at the edge; whole values render without a fraction."""
    return int(value) if value == value.to_integral_value() else float(value)


def whole_minutes(seconds: int) -> int:
    """Durations on invoices' charge sessions: whole minutes (as published)."""
    return seconds // 60


def whole_minutes_in_seconds(seconds: Any) -> Any:
    """Durations on /usage and /sessions: seconds truncated to whole minutes (as published).
    The same arithmetic serves as SQL on an integer column."""
    return seconds // 60 * 60


def local_iso(instant: datetime, timezone: str, timespec: str = "seconds") -> str:
    """ISO 8601 with the location's UTC offset, e.g. 2024-02-10T05:21:36+10:00."""
    return instant.astimezone(zone(timezone)).isoformat(timespec=timespec)


def local_iso_sql(instant: Any, timezone: Any) -> ColumnElement[str]:
    """`local_iso` in PostgreSQL: `instant` (timestamptz) in the zone named by `timezone`."""
    local = func.timezone(timezone, instant)
    offset = local - func.timezone(_text("'UTC'"), instant)

    def hours_minutes(interval: Any) -> ColumnElement[str]:
        return func.to_char(interval, _text("'HH24:MI'"), type_=Text())

    sign_and_offset = case(
        (offset < literal_column("interval '0'"), _text("'-'") + hours_minutes(-offset)),
        else_=_text("'+'") + hours_minutes(offset),
    )
    date_time = func.to_char(local, _text("""'YYYY-MM-DD"T"HH24:MI:SS'"""), type_=Text())
    return date_time + sign_and_offset


def _text(sql_literal: str) -> ColumnElement[str]:
    return literal_column(sql_literal, type_=Text())


def as_text(value: Any) -> str | None:
    """A uuid or an integer as a JSON string (null stays null)."""
    return None if value is None else str(value)


def _same(value: Any) -> Any:
    return value


AS_IS = Format(_same, _same)
TEXT = Format(as_text, lambda column: cast(column, Text))
NUMBER = Format(number, func.trim_scale)
WHOLE_MINUTES_IN_SECONDS = Format(whole_minutes_in_seconds, whole_minutes_in_seconds)
LOCAL_ISO = Format(local_iso, local_iso_sql)
