"""Reservation pricing (OCPI 2.2.1): elements restricted to RESERVATION or RESERVATION_EXPIRES.

A reservation runs from when it was made to when the driver starts charging on it (USED),
cancels it (CANCELLED) or it expires (EXPIRED). Its price:
- time: the reservation's duration, rounded up to the TIME component's step_size, at that
  component's hourly price. The component is the first RESERVATION element's with a TIME
  component; for an expired reservation, the first RESERVATION_EXPIRES element's when there
  is one (the spec's note on elements of both kinds), else the RESERVATION one's.
- fees: the first RESERVATION element's FLAT (a reservation fee) whatever the outcome, plus,
  for an expired reservation, the first RESERVATION_EXPIRES element's FLAT (an expiry fee).
- An element's time-of-day, date and day-of-week restrictions are read on the location's
  clock at the reservation's start; energy, power, current and duration restrictions do not
  apply to a reservation.
The charging session that uses a reservation is priced on its own (pricing.engine), which
never applies reservation elements; its min/max_price bound the session only.
"""

from datetime import datetime
from decimal import ROUND_CEILING, Decimal
from typing import Literal

from fleetcharge.pricing.engine import flat_draft, time_matches
from fleetcharge.pricing.rounding import Draft, rounded
from fleetcharge.pricing.schemas import (
    DEFAULT_TIMEZONE,
    Dimension,
    PriceComponent,
    PricedSession,
    Reservation,
    Restrictions,
    TariffSpec,
)
from fleetcharge.timezones import zone

ReservationEnd = Literal["USED", "CANCELLED", "EXPIRED"]
SECONDS_PER_HOUR = Decimal(3600)
NO_KWH = Decimal("0.000")


def price_reservation(
    tariff: TariffSpec,
    start: datetime,
    end: datetime,
    outcome: ReservationEnd,
    timezone: str = DEFAULT_TIMEZONE,
) -> PricedSession:
    """The periods a reservation costs: RESERVATION_TIME, then its fees (FLAT)."""
    if end < start:
        raise ValueError("a reservation cannot end before it starts")
    local = start.astimezone(zone(timezone))
    expired = outcome == "EXPIRED"
    time_c = (_first(tariff, local, "RESERVATION_EXPIRES", "TIME") if expired else None) or (
        _first(tariff, local, "RESERVATION", "TIME")
    )
    drafts: list[Draft] = []
    if time_c is not None:
        seconds = Decimal(int((end - start).total_seconds()))
        step = max(time_c.step_size, 1)
        billed = (seconds / step).to_integral_value(rounding=ROUND_CEILING) * step
        raw = time_c.price * billed / SECONDS_PER_HOUR
        drafts.append(
            Draft(
                start,
                int(seconds),
                NO_KWH,
                "RESERVATION_TIME",
                time_c.price,
                raw,
                time_c.rate(tariff.tax_rate),
            )
        )
    fees = [_first(tariff, local, "RESERVATION", "FLAT")]
    if expired:
        fees.append(_first(tariff, local, "RESERVATION_EXPIRES", "FLAT"))
    for fee in fees:
        if fee is not None and fee.price:
            drafts.append(flat_draft(start, fee, tariff.tax_rate))
    return PricedSession(tariff.currency, rounded(drafts))


def _first(
    tariff: TariffSpec, local: datetime, kind: Reservation, dimension: Dimension
) -> PriceComponent | None:
    for element in tariff.elements:
        r = element.restrictions
        if r is not None and r.reservation == kind and _holds(r, local):
            component = element.component(dimension)
            if component is not None:
                return component
    return None


def _holds(r: Restrictions, local: datetime) -> bool:
    day = local.date()
    return (
        time_matches(r, local.time())
        and (r.start_date is None or day >= r.start_date)
        and (r.end_date is None or day < r.end_date)
        and (r.day_of_week is None or day.weekday() in r.day_of_week)
    )
