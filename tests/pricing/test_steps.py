"""The pricing engine's steps, each on its own."""

from dataclasses import replace
from decimal import Decimal

from fleetcharge.pricing import engine
from fleetcharge.pricing.schemas import PriceComponent
from tests.pricing.helpers import component, element, local, minutes, tariff, timeline

SYDNEY = "Australia/Sydney"


def test_idle_stretches_merge_and_join_the_idle_time_after_charging() -> None:
    start = local(SYDNEY, 2026, 3, 2, 10)
    tl = replace(
        timeline(start, charging=minutes(60), parked=minutes(30)),
        idle=(
            (start + minutes(10), start + minutes(20)),
            (start + minutes(15), start + minutes(25)),
            (start + minutes(50), start + minutes(70)),  # runs into the idle time after charging
        ),
    )
    assert engine._idle_stretches(tl, 3600, 5400) == [(600, 1500), (3000, 5400)]


def test_segments_cut_at_the_local_time_of_day_a_restriction_names() -> None:
    t = tariff(
        element(component("ENERGY", "0.55"), start_time="16:00", end_time="21:00"),
        element(component("ENERGY", "0.35")),
    )
    tl = timeline(local(SYDNEY, 2026, 3, 2, 15, 30), charging=minutes(60), kwh="10")
    meter = engine._meter(t, tl)
    assert engine._segments(t, tl, meter) == [(0, 1800), (1800, 3600)]


def test_energy_is_rounded_up_once_to_the_last_priced_step() -> None:
    t = tariff(element(component("ENERGY", "0.40", 1000)))
    tl = timeline(local(SYDNEY, 2026, 3, 2, 10), charging=minutes(60), kwh="10.001")
    meter = engine._meter(t, tl)
    runs = engine._runs(t, tl.start, None, meter, engine._segments(t, tl, meter))
    engine._round_up_to_step_sizes(runs)
    assert [(r.dimension, r.kwh, r.extra) for r in runs] == [
        ("ENERGY", Decimal("10.001"), Decimal("0.999"))
    ]


def test_min_price_adds_what_the_periods_fall_short_by() -> None:
    t = tariff(element(component("ENERGY", "0.40")), min_price="5.00")
    start = local(SYDNEY, 2026, 3, 2, 10)
    drafts = [engine.flat_draft(start, PriceComponent("FLAT", Decimal("3.20")), t.tax_rate)]
    adjustment = engine._min_max_adjustment(t, drafts, start)
    assert adjustment is not None and adjustment.incl_vat == Decimal("1.80")
