"""Reading what operators type: powers (`200kW`, `200 kW`, `200000W`, `32A`), weekday sets
(`mon-fri`, `sat,sun`, `daily`), local times (`05:30`), departures (`mon-fri=05:30`) and the
schedule file (CSV). Pure; errors are `ValueError`s whose text names what is wrong, or
`FileError`s that name the line and column."""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from fleetcharge.sites.timing import ALL_DAYS, WEEKDAYS, Window

_POWER = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(kW|W|MW|A)\s*", re.IGNORECASE)
_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
SCHEDULE_COLUMNS = ("days", "start", "end", "limit_kw")
MAX_WINDOWS = 100
T = TypeVar("T")


@dataclass(frozen=True)
class Power:
    value: Decimal
    unit: str  # "kW" or "A"


class FileError(ValueError):
    def __init__(self, line: int, column: str | None, message: str) -> None:
        where = f"line {line}" + (f", {column}" if column else "")
        super().__init__(f"{where}: {message}")
        self.line = line
        self.column = column


def power(text: str) -> Power:
    """`200kW`, `200 kW`, `0.2MW`, `200000W` -> kW; `32A` -> A (per phase)."""
    match = _POWER.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a power such as 200kW, 200 kW or 200000W")
    number, unit = Decimal(match.group(1)), match.group(2).lower()
    if unit == "a":
        return Power(number, "A")
    scale = {"w": Decimal("0.001"), "kw": Decimal(1), "mw": Decimal(1000)}[unit]
    return Power(number * scale, "kW")


def site_power_kw(text: str) -> Decimal:
    """A site's limit: a power, never a current (a site has no single phase count)."""
    found = power(text)
    if found.unit != "kW":
        raise ValueError(f"{text!r}: a site's limit is a power (kW or W), not a current")
    return found.value


def weekdays(text: str) -> int:
    """`mon-fri`, `sat,sun`, `mon,wed-fri`, `daily` -> bit mask (bit 0 Monday)."""
    cleaned = text.strip().lower()
    if cleaned in ("daily", "all", "*"):
        return ALL_DAYS
    mask = 0
    for part in cleaned.split(","):
        first, dash, last = part.strip().partition("-")
        if first not in WEEKDAYS or (dash and last not in WEEKDAYS):
            raise ValueError(f"{text!r} is not weekdays such as mon-fri, sat,sun or daily")
        a = WEEKDAYS.index(first)
        b = WEEKDAYS.index(last) if last else a
        day = a
        while True:
            mask |= 1 << day
            if day == b:
                break
            day = (day + 1) % 7
    return mask


def days_text(mask: int) -> str:
    """The mask as weekdays listed (`mon,tue,wed`), or `daily`."""
    if mask == ALL_DAYS:
        return "daily"
    return ",".join(WEEKDAYS[d] for d in range(7) if mask >> d & 1)


def local_time(text: str) -> time:
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a time of day such as 05:30 (HH:MM, 24 h)")
    return time(int(match.group(1)), int(match.group(2)))


def limit_kw(text: str | Decimal | int | float) -> Decimal:
    try:
        value = (
            site_power_kw(text)
            if isinstance(text, str) and text.strip()[-1:].isalpha()
            else Decimal(str(text).strip())
        )
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a power in kW") from None
    if not value.is_finite() or not Decimal(0) <= value < Decimal(100_000_000):
        raise ValueError(f"{text!r}: must be at least 0 and below 100000000 kW")
    if value != round(value, 1):
        raise ValueError(f"{text!r}: at most one decimal place")
    return value.quantize(Decimal("0.1"))


def window(days: str, start: str, end: str, limit: str | Decimal | int | float) -> Window:
    """One schedule window; raises ValueError naming the field (`days: ...`)."""
    mask = _field("days", lambda: weekdays(days))
    starts = _field("start", lambda: local_time(start))
    ends = _field("end", lambda: local_time(end))
    kw = _field("limit_kw", lambda: limit_kw(limit))
    if starts == ends:
        raise ValueError("end: must differ from start")
    return Window(weekdays=mask, starts=starts, ends=ends, limit_kw=float(kw))


def _field(name: str, parse: Callable[[], T]) -> T:
    try:
        return parse()
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None
    except (TypeError, AttributeError):
        raise ValueError(f"{name}: not valid") from None


def schedule_csv(text: str) -> list[Window]:
    """The schedule file: CSV with the header `days,start,end,limit_kw`, one window a line,
    e.g. `mon-fri,16:00,21:00,120`. Blank lines and lines starting with # are skipped."""
    rows = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not rows:
        raise FileError(1, None, f"empty: expected the header {','.join(SCHEDULE_COLUMNS)}")
    header_line, header = rows[0]
    columns = [c.strip().lower() for c in next(csv.reader([header]))]
    if tuple(columns) != SCHEDULE_COLUMNS:
        raise FileError(
            header_line, None, f"the header must be {','.join(SCHEDULE_COLUMNS)}, got {header!r}"
        )
    if len(rows) - 1 > MAX_WINDOWS:
        raise FileError(rows[MAX_WINDOWS + 1][0], None, f"at most {MAX_WINDOWS} windows")
    out: list[Window] = []
    for number, line in rows[1:]:
        cells = next(csv.reader(io.StringIO(line)))
        if len(cells) != len(SCHEDULE_COLUMNS):
            raise FileError(
                number, None, f"expected 4 values (days,start,end,limit_kw), got {len(cells)}"
            )
        try:
            out.append(window(*cells))
        except ValueError as error:
            column, _, message = str(error).partition(": ")
            raise FileError(number, column, message) from None
    return out


def departures(specs: list[str]) -> dict[str, str]:
    """`mon-fri=05:30`, `sat=08:00` -> {"mon": "05:30", ...}; a later spec wins a day;
    `none` alone: no usual departure."""
    if [s.strip().lower() for s in specs] == ["none"]:
        return {}
    out: dict[str, str] = {}
    for spec in specs:
        days, sep, at = spec.partition("=")
        if not sep:
            raise ValueError(f"{spec!r} is not a departure such as mon-fri=05:30")
        mask = weekdays(days)
        moment = local_time(at).strftime("%H:%M")
        for day in range(7):
            if mask >> day & 1:
                out[WEEKDAYS[day]] = moment
    return dict(sorted(out.items(), key=lambda item: WEEKDAYS.index(item[0])))
