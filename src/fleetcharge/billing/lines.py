"""What the lines of the monthly documents say and how their amounts are rounded (no I/O)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fleetcharge.billing.period import Period
from fleetcharge.billing.repository import SessionTotals
from fleetcharge.models import InvoiceLineItem
from fleetcharge.money import round_money, shown_kwh
from fleetcharge.timezones import local_date

DOCUMENT_DESCRIPTIONS = {
    "fleet": "Fleet vehicle management and public charging fees for services provided",
    "site_host": "Charge station subscriptions and network fees for services provided",
    "rcti": "Recipient-created tax invoice for public charging revenue collected",
}
# What the charging line of each kind of document bills; "{span}" is filled in.
CHARGING_LINES = {
    "fleet": "Fees for public charging {span}",
    "site_host": "Network fees for public charging at your stations {span}",
    "rcti": "Public charging revenue collected on your behalf {span}",
}
PRIOR_PERIOD = "(prior period, received late)"


@dataclass(frozen=True)
class ChargingSplit:
    """Sessions billed on a document (for one fleet): those of the period and late arrivals."""

    current: SessionTotals | None
    prior: SessionTotals | None


def span(first: date, last: date) -> str:
    return f"from {first.isoformat()} to {last.isoformat()}"


def period_span(period: Period) -> str:
    return span(period.first_day, period.last_day)


def line(
    description: str, *, units: int, unit_price: Decimal, fleet_id: int | None = None
) -> InvoiceLineItem:
    return InvoiceLineItem(
        fleet_id=fleet_id,
        description=description,
        units=units,
        unit_price=unit_price,
        amount=round_money(unit_price * units),
    )


def charging_lines(
    kind: str,
    period: Period,
    split: ChargingSplit,
    timezone: str,
    *,
    prefix: str = "",
    fleet_id: int | None = None,
) -> list[InvoiceLineItem]:
    """One line for the sessions completed in the period and, when there are any, one for
    sessions completed earlier that no document of this kind had billed yet; each sums
    the billed amount of its sessions and shows their energy."""
    lines = []
    if split.current is not None:
        text = CHARGING_LINES[kind].format(span=period_span(period))
        lines.append(_charging_line(f"{prefix}{text}", split.current, fleet_id))
    if split.prior is not None:
        first = local_date(split.prior.first_stop, timezone)
        last = local_date(split.prior.last_stop, timezone)
        text = CHARGING_LINES[kind].format(span=f"{span(first, last)} {PRIOR_PERIOD}")
        lines.append(_charging_line(f"{prefix}{text}", split.prior, fleet_id))
    return lines


def _charging_line(
    description: str, totals: SessionTotals, fleet_id: int | None
) -> InvoiceLineItem:
    energy = shown_kwh(totals.energy_kwh, places=2)
    return line(
        f"{description} - Charge volume: {energy}kWh",
        units=1,
        unit_price=totals.amount,
        fleet_id=fleet_id,
    )
