"""First version of the pricing engine: energy, charging time, parking after a grace period,
and a flat fee. Restrictions and OCPI step sizes arrive with the full tariff engine.
"""

from datetime import datetime
from decimal import Decimal

from fleetcharge.money import gst_included, round_kwh, round_money
from fleetcharge.pricing.schemas import Dimension, PricedPeriod, PricedSession, TariffSpec, Timeline

SECONDS_PER_HOUR = Decimal(3600)


def price(tariff: TariffSpec, timeline: Timeline) -> PricedSession:
    if not timeline.start <= timeline.charging_end <= timeline.stop:
        raise ValueError("timeline must satisfy start <= charging_end <= stop")
    charging_s = int((timeline.charging_end - timeline.start).total_seconds())
    parking_s = int((timeline.stop - timeline.charging_end).total_seconds())
    energy = round_kwh(timeline.energy_kwh)
    periods: list[PricedPeriod] = []

    def add(
        start: datetime,
        duration_s: int,
        kwh: Decimal,
        dimension: Dimension,
        unit_price: Decimal,
        raw_amount: Decimal,
    ) -> None:
        amount = round_money(raw_amount)
        gst = gst_included(amount, tariff.tax_rate)
        periods.append(PricedPeriod(start, duration_s, kwh, dimension, unit_price, amount, gst))

    energy_price = tariff.price_of("ENERGY")
    time_price = tariff.price_of("TIME")
    if time_price and not energy_price:
        add(
            timeline.start,
            charging_s,
            energy,
            "TIME",
            time_price,
            time_price * charging_s / SECONDS_PER_HOUR,
        )
    else:
        add(timeline.start, charging_s, energy, "ENERGY", energy_price, energy_price * energy)
        if time_price:
            add(
                timeline.start,
                charging_s,
                Decimal("0.000"),
                "TIME",
                time_price,
                time_price * charging_s / SECONDS_PER_HOUR,
            )

    if parking_s > 0:
        grace_s = tariff.parking_grace_minutes * 60
        billable_s = max(0, parking_s - grace_s)
        parking_price = tariff.price_of("PARKING_TIME")
        add(
            timeline.charging_end,
            parking_s,
            Decimal("0.000"),
            "PARKING_TIME",
            parking_price,
            parking_price * billable_s / SECONDS_PER_HOUR,
        )

    flat = tariff.price_of("FLAT")
    if flat:
        add(timeline.start, 0, Decimal("0.000"), "FLAT", flat, flat)
    return PricedSession(tariff.currency, tuple(periods))
