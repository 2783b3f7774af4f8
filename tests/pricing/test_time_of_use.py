"""Time-of-use, DST, half-hour zones, kWh thresholds, grace, min/max price, snapshots."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from fleetcharge.pricing.engine import price
from fleetcharge.pricing.schemas import MeterSample, TariffSpec, Timeline
from tests.pricing.helpers import component, element, local, minutes, tariff, timeline

SYDNEY = "Australia/Sydney"
ADELAIDE = "Australia/Adelaide"

# Peak 16:00-21:00, off-peak 21:00-07:00 (wraps past midnight), shoulder otherwise;
# parking $12/h after 15 minutes of grace.
TOU = tariff(
    element(component("ENERGY", "0.55"), start_time="16:00", end_time="21:00"),
    element(component("ENERGY", "0.25"), start_time="21:00", end_time="07:00"),
    element(component("ENERGY", "0.35"), component("PARKING_TIME", "12.00", 60)),
    grace=15,
)


def summary(t: TariffSpec, tl: Timeline) -> list[tuple[str, str, int, str, str]]:
    return [
        (
            p.dimension,
            p.start.astimezone(UTC).strftime("%H:%M"),
            p.duration_s,
            str(p.consumption_kwh),
            str(p.amount),
        )
        for p in price(t, tl).periods
    ]


def test_peak_to_off_peak() -> None:
    # 20:30-23:30 local (AEDT, UTC+11), 30 kWh linear: 5 kWh peak, 25 kWh off-peak.
    tl = timeline(local(SYDNEY, 2026, 2, 10, 20, 30), charging=minutes(180), kwh="30")
    assert summary(TOU, tl) == [
        ("ENERGY", "09:30", 1800, "5.000", "2.75"),
        ("ENERGY", "10:00", 9000, "25.000", "6.25"),
    ]


def test_off_peak_wraps_past_midnight() -> None:
    # 05:00-09:00 local: 05:00-07:00 off-peak (tail of the 21:00-07:00 window), then shoulder.
    tl = timeline(local(SYDNEY, 2026, 2, 10, 5), charging=minutes(240), kwh="40")
    assert [p.amount for p in price(TOU, tl).periods] == [Decimal("5.00"), Decimal("7.00")]
    # 23:00-01:00 stays inside the off-peak window across midnight: one period.
    night = timeline(local(SYDNEY, 2026, 2, 10, 23), charging=minutes(120), kwh="20")
    assert summary(TOU, night) == [("ENERGY", "12:00", 7200, "20.000", "5.00")]


def test_parking_grace_and_charging_to_idle() -> None:
    # 10:00-11:00 charging (shoulder), then 45 min parked: 15 min grace, 30 min x $12/h.
    tl = timeline(
        local(SYDNEY, 2026, 2, 10, 10), charging=minutes(60), parked=minutes(45), kwh="10"
    )
    assert summary(TOU, tl) == [
        ("ENERGY", "23:00", 3600, "10.000", "3.50"),
        ("PARKING_TIME", "00:00", 2700, "0.000", "6.00"),
    ]
    within_grace = timeline(
        local(SYDNEY, 2026, 2, 10, 10), charging=minutes(60), parked=minutes(15), kwh="10"
    )
    assert price(TOU, within_grace).amount == Decimal("3.50")


def test_grace_runs_across_a_parking_price_change() -> None:
    # Parking $6/h before 18:00, $12/h after; 20 min grace starting at 17:50.
    t = tariff(
        element(component("PARKING_TIME", "6.00"), end_time="18:00"),
        element(component("ENERGY", "0.30"), component("PARKING_TIME", "12.00")),
        grace=20,
    )
    tl = timeline(local(SYDNEY, 2026, 2, 10, 17), charging=minutes(50), parked=minutes(60), kwh="5")
    # 17:50-18:00 at $6/h is all grace; 18:00-18:10 grace; 18:10-18:50 billed at $12/h.
    assert [(p.dimension, p.duration_s, p.amount) for p in price(t, tl).periods] == [
        ("ENERGY", 3000, Decimal("1.50")),
        ("PARKING_TIME", 600, Decimal("0.00")),
        ("PARKING_TIME", 3000, Decimal("8.00")),
    ]


NIGHT_TIME = tariff(
    element(component("TIME", "6.00"), start_time="02:30", end_time="04:00"),
    element(component("TIME", "1.20")),
)


def test_dst_starts_in_sydney() -> None:
    # 2026-10-04: clocks go 02:00 AEST -> 03:00 AEDT (16:00 UTC). 02:30 never happens, so the
    # 02:30-04:00 window opens at the jump (local 03:00) and lasts one real hour.
    tl = timeline(datetime(2026, 10, 3, 15, 0, tzinfo=UTC), charging=minutes(180), kwh="30")
    session = price(NIGHT_TIME, tl)
    assert [(p.start.astimezone(UTC).hour, p.duration_s, p.amount) for p in session.periods] == [
        (15, 3600, Decimal("1.20")),
        (16, 3600, Decimal("6.00")),
        (17, 3600, Decimal("1.20")),
    ]
    assert sum(p.consumption_kwh for p in session.periods) == Decimal("30.000")


def test_dst_ends_in_sydney() -> None:
    # 2026-04-05: clocks go 03:00 AEDT -> 02:00 AEST (16:00 UTC); 02:00-03:00 happens twice,
    # so a 02:00-03:00 window lasts two real hours (15:00-17:00 UTC).
    t = tariff(
        element(component("TIME", "6.00"), start_time="02:00", end_time="03:00"),
        element(component("TIME", "1.20")),
    )
    tl = timeline(datetime(2026, 4, 4, 14, 0, tzinfo=UTC), charging=minutes(240), kwh="8")
    session = price(t, tl)
    assert [(p.start.astimezone(UTC).hour, p.duration_s, p.amount) for p in session.periods] == [
        (14, 3600, Decimal("1.20")),
        (15, 7200, Decimal("12.00")),
        (17, 3600, Decimal("1.20")),
    ]


def test_adelaide_half_hour_offset() -> None:
    # The same UTC interval, 05:00-06:30 UTC in February: Adelaide (UTC+10:30) is 15:30-17:00,
    # so peak starts half-way; Sydney (UTC+11) is 16:00-17:30, peak all along.
    start = datetime(2026, 2, 10, 5, 0, tzinfo=UTC)
    adelaide = timeline(start, charging=minutes(90), kwh="15", tz=ADELAIDE)
    assert summary(TOU, adelaide) == [
        ("ENERGY", "05:00", 1800, "5.000", "1.75"),
        ("ENERGY", "05:30", 3600, "10.000", "5.50"),
    ]
    sydney = timeline(start, charging=minutes(90), kwh="15", tz=SYDNEY)
    assert summary(TOU, sydney) == [("ENERGY", "05:00", 5400, "15.000", "8.25")]
    # Adelaide winter (ACST, UTC+9:30): 16:00 local is 06:30 UTC.
    june = timeline(
        datetime(2026, 6, 10, 6, 0, tzinfo=UTC), charging=minutes(60), kwh="6", tz=ADELAIDE
    )
    assert [p.start.astimezone(UTC).strftime("%H:%M") for p in price(TOU, june).periods] == [
        "06:00",
        "06:30",
    ]


def test_day_of_week_and_dates_use_local_midnight() -> None:
    # Weekend rate on Saturday and Sunday, local time: Friday 23:00 -> Saturday 01:00 AEDT.
    t = tariff(
        element(component("ENERGY", "0.10"), day_of_week=["SATURDAY", "SUNDAY"]),
        element(component("ENERGY", "0.40"), start_date="2026-02-01", end_date="2026-03-01"),
        element(component("ENERGY", "0.50")),
    )
    tl = timeline(local(SYDNEY, 2026, 2, 13, 23), charging=minutes(120), kwh="20")
    assert [p.amount for p in price(t, tl).periods] == [Decimal("4.00"), Decimal("1.00")]
    # 2026-02-28 is a Saturday; Tuesday 3 March is after end_date (exclusive).
    march = timeline(local(SYDNEY, 2026, 3, 2, 23), charging=minutes(120), kwh="20")
    assert [p.amount for p in price(t, march).periods] == [Decimal("10.00")]


KWH_TIERS = tariff(
    element(component("ENERGY", "0.50"), max_kwh=10),
    element(component("ENERGY", "0.30"), min_kwh=10),
)


def test_kwh_threshold_linear() -> None:
    # 25 kWh over 2.5 h: the 10 kWh threshold is crossed after exactly 1 h.
    tl = timeline(local(SYDNEY, 2026, 2, 10, 9), charging=minutes(150), kwh="25")
    assert summary(KWH_TIERS, tl) == [
        ("ENERGY", "22:00", 3600, "10.000", "5.00"),
        ("ENERGY", "23:00", 5400, "15.000", "4.50"),
    ]


def test_kwh_threshold_from_meter_samples() -> None:
    # A fast first 20 minutes (8 kWh), then slow: 10 kWh is reached 40 min in (8 + 2 of 3 kWh
    # over 20 -> 50 min, i.e. 2 kWh takes 20 min at 6 kW).
    start = local(SYDNEY, 2026, 2, 10, 9)
    samples = (
        MeterSample(start + minutes(20), Decimal(8)),
        MeterSample(start + minutes(50), Decimal(11)),
    )
    tl = timeline(start, charging=minutes(60), kwh="12", samples=samples)
    assert [(p.duration_s, p.consumption_kwh, p.amount) for p in price(KWH_TIERS, tl).periods] == [
        (2400, Decimal("10.000"), Decimal("5.00")),
        (1200, Decimal("2.000"), Decimal("0.60")),
    ]


def test_min_and_max_price() -> None:
    t = tariff(element(component("ENERGY", "0.40")), min_price="2.00", max_price="20.00")
    start = local(SYDNEY, 2026, 2, 10, 9)
    assert price(t, timeline(start, charging=minutes(10), kwh="1")).amount == Decimal("2.00")
    assert price(t, timeline(start, charging=minutes(60), kwh="30")).amount == Decimal("12.00")
    capped = price(t, timeline(start, charging=minutes(120), kwh="80"))
    assert capped.amount == Decimal("20.00")
    assert (capped.periods[-1].dimension, capped.periods[-1].amount) == ("FLAT", Decimal("-12.00"))
    assert capped.periods[-1].gst == Decimal("-1.09")


def test_energy_step_uses_last_period() -> None:
    # 0.50 per kWh below 10 kWh, 0.30 above in 1 kWh steps: 10.2 kWh in total rounds up to
    # 11 kWh, and the extra 0.8 kWh is billed at the last period's 0.30. The threshold split
    # is exact (10.000 kWh) although it falls between two whole seconds.
    t = tariff(
        element(component("ENERGY", "0.50"), max_kwh=10),
        element(component("ENERGY", "0.30", 1000), min_kwh=10),
    )
    tl = timeline(local(SYDNEY, 2026, 2, 10, 9), charging=minutes(60), kwh="10.2")
    assert [(p.consumption_kwh, p.amount) for p in price(t, tl).periods] == [
        (Decimal("10.000"), Decimal("5.00")),
        (Decimal("0.200"), Decimal("0.30")),
    ]


def test_invalid_timeline_rejected() -> None:
    start = local(SYDNEY, 2026, 2, 10, 9)
    with pytest.raises(ValueError):
        price(TOU, Timeline(start, start - timedelta(seconds=1), start, Decimal(0)))


def test_snapshot_round_trip_keeps_restrictions_and_limits() -> None:
    t = tariff(
        element(
            component("ENERGY", "0.55", 100),
            start_time="16:00",
            end_time="21:00",
            day_of_week=["monday", "FRIDAY"],
            start_date="2026-01-01",
            end_date="2027-01-01",
            min_kwh=1.5,
            max_kwh="60",
            min_power=7,
            max_power=350,
            min_current=6,
            max_current=500,
            min_duration=60,
            max_duration=36000,
        ),
        element(component("ENERGY", "0.30"), component("PARKING_TIME", "6.00", 60)),
        grace=10,
        min_price="1.00",
        max_price="99.99",
    )
    snap = t.snapshot()
    assert TariffSpec.from_snapshot(snap) == t
    assert TariffSpec.from_snapshot(TariffSpec.from_snapshot(snap).snapshot()).snapshot() == snap
    legacy = TariffSpec.from_document(
        snap["elements"],
        currency=snap["currency"],
        tax_rate=Decimal(snap["tax_rate"]),
        parking_grace_minutes=snap["parking_grace_minutes"],
    )
    assert legacy.elements == t.elements
    assert t.price_of("PARKING_TIME") == Decimal("6.00")


def test_idle_stretch_during_charging_is_parking() -> None:
    # 10:00-12:00 plugged in and charging, except 10:30-11:00 (SuspendedEV); parked to 12:20.
    # 15 kWh spread over the 90 charging minutes. Grace (10 min) applies to each idle stretch.
    t = tariff(
        element(
            component("ENERGY", "0.30"),
            component("TIME", "1.20"),
            component("PARKING_TIME", "6.00"),
        ),
        grace=10,
    )
    start = local(SYDNEY, 2026, 2, 10, 10)
    tl = Timeline(
        start,
        start + minutes(120),
        start + minutes(140),
        Decimal(15),
        idle=((start + minutes(30), start + minutes(60)),),
    )
    assert [
        (p.dimension, p.duration_s, p.consumption_kwh, p.amount) for p in price(t, tl).periods
    ] == [
        ("ENERGY", 1800, Decimal("5.000"), Decimal("1.50")),
        ("TIME", 1800, Decimal("0.000"), Decimal("0.60")),
        ("PARKING_TIME", 1800, Decimal("0.000"), Decimal("2.00")),
        ("ENERGY", 3600, Decimal("10.000"), Decimal("3.00")),
        ("TIME", 3600, Decimal("0.000"), Decimal("1.20")),
        ("PARKING_TIME", 1200, Decimal("0.000"), Decimal("1.00")),
    ]


def test_idle_stretch_touching_charging_end_is_one_parking_period() -> None:
    t = tariff(element(component("ENERGY", "0.30"), component("PARKING_TIME", "6.00")), grace=10)
    start = local(SYDNEY, 2026, 2, 10, 10)
    tl = Timeline(
        start,
        start + minutes(60),
        start + minutes(80),
        Decimal(10),
        idle=((start + minutes(40), start + minutes(60)),),
    )
    # Charging really ended at 10:40: 10 kWh over 40 min, then 40 min idle (30 billed).
    assert [(p.dimension, p.duration_s, p.amount) for p in price(t, tl).periods] == [
        ("ENERGY", 2400, Decimal("3.00")),
        ("PARKING_TIME", 2400, Decimal("3.00")),
    ]


def test_unknown_day_of_week_is_rejected() -> None:
    with pytest.raises(ValueError, match="day_of_week"):
        tariff(element(component("ENERGY", "0.30"), day_of_week=["FUNDAY"]))
