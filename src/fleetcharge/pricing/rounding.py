"""The one place a priced session's money is rounded to the cent.

Each period is first priced exactly (Decimal, no rounding), VAT-inclusive. Amounts are then
rounded by cumulative rounding, half up: a period's amount is round(sum of exact amounts up to
and including it) minus round(sum up to the one before). So every period is within a cent of
its exact amount and the session total is the exact total rounded once, as the OCPI 2.2.1
worked examples state it. The VAT (GST) in a period is amount x rate / (1 + rate) at its
component's rate, to the cent: what an Australian tax invoice shows. Excluding VAT is
amount - VAT. A min/max_price adjustment instead takes whatever VAT brings the session's
VAT-exclusive total to its bound.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from fleetcharge.money import gst_included, round_money
from fleetcharge.pricing.schemas import PeriodDimension, PricedPeriod

ZERO = Decimal(0)


@dataclass(frozen=True)
class Draft:
    """A period priced exactly, before rounding."""

    start: datetime
    duration_s: int
    consumption_kwh: Decimal
    dimension: PeriodDimension
    unit_price: Decimal  # VAT-inclusive
    incl_vat: Decimal  # exact
    rate: Decimal  # VAT share as a fraction
    # For a min/max adjustment: the session's exact VAT-exclusive total after it.
    excl_vat_total: Decimal | None = None
    adjustment: bool = False  # a min/max_price adjustment: its unit price is its amount


def excluding(amount: Decimal, rate: Decimal) -> Decimal:
    """An exact VAT-inclusive amount without its VAT at `rate` (a fraction)."""
    return amount / (1 + rate)


def rounded(drafts: list[Draft]) -> tuple[PricedPeriod, ...]:
    periods = []
    exact = ZERO
    shown = gst_so_far = round_money(ZERO)
    for d in drafts:
        exact += d.incl_vat
        amount = round_money(exact) - shown
        shown += amount
        if d.excl_vat_total is None:
            gst = gst_included(amount, d.rate)
        else:
            gst = shown - round_money(d.excl_vat_total) - gst_so_far
        gst_so_far += gst
        unit_price = amount if d.adjustment else d.unit_price
        periods.append(
            PricedPeriod(
                d.start, d.duration_s, d.consumption_kwh, d.dimension, unit_price, amount, gst
            )
        )
    return tuple(periods)
