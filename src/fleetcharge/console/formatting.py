"""How the console shows numbers, money and times: as the invoices and the API do."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fleetcharge.billing.due import Payable, amount_due, is_overdue
from fleetcharge.money import round_kwh, shown
from fleetcharge.timezones import zone


def money(amount: Decimal | None) -> str:
    """`$1,234.56` (GST-inclusive AUD, as on invoices); an em dash for no figure."""
    return "—" if amount is None else shown(amount)


def kwh(energy: Decimal | None) -> str:
    return "—" if energy is None else f"{round_kwh(energy):,.3f} kWh"


def per_kwh(price: Decimal | None) -> str:
    """An average price per kWh to a hundredth of a cent: `$0.4125/kWh`."""
    return "—" if price is None else f"${price:,.4f}/kWh"


def duration(seconds: int | None) -> str:
    """`1 h 05 min`, `17 min`: whole minutes, as the API truncates them."""
    if seconds is None:
        return "—"
    hours, minutes = divmod(seconds // 60, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def number(value: int | Decimal | None) -> str:
    return "—" if value is None else f"{value:,}"


def percent(share: Decimal | float | None, places: int = 1) -> str:
    """A share between 0 and 1 as `42.5 %`."""
    return "—" if share is None else f"{Decimal(str(share)) * 100:,.{places}f} %"


def local_datetime(instant: datetime | None, timezone: str) -> str:
    """A UTC instant in a station's (or organisation's) zone, with the zone's abbreviation:
    `2026-10-05 14:03 AEDT`."""
    if instant is None:
        return "—"
    return instant.astimezone(zone(timezone)).strftime("%Y-%m-%d %H:%M %Z")


def local_date(value: date | datetime | None, timezone: str | None = None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime) and timezone is not None:
        value = value.astimezone(zone(timezone))
    return value.strftime("%-d %b %Y")


def month_name(month: date) -> str:
    return month.strftime("%B %Y")


def change(current: Decimal | int | None, previous: Decimal | int | None) -> str:
    """The change from the previous figure, `+12.5 %` / `-3.0 %`; `new` when there was none."""
    if current is None or previous is None:
        return "—"
    if previous == 0:
        return "new" if current else "no change"
    ratio = (Decimal(current) - Decimal(previous)) / Decimal(previous) * 100
    return f"{ratio:+,.1f} %"


def payment_status(invoice: Payable) -> str:
    """Its status, `overdue` once its due date has passed with money owed (derived)."""
    return "overdue" if is_overdue(invoice, date.today()) else invoice.status


FILTERS: dict[str, Any] = {
    "amount_due": amount_due,
    "payment_status": payment_status,
    "money": money,
    "kwh": kwh,
    "per_kwh": per_kwh,
    "duration": duration,
    "number": number,
    "percent": percent,
    "local_datetime": local_datetime,
    "local_date": local_date,
    "month_name": month_name,
    "change": change,
}
