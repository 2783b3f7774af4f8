"""A vehicle drawing clearly less than its limit: the rule, and the state kept for it."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from fleetcharge.site_control.draws import DrawWatch, draws_clearly_less, power_w


def test_two_readings_under_80_percent_are_clearly_less() -> None:
    assert draws_clearly_less([7_000, 7_900], 10_000)
    assert not draws_clearly_less([7_900], 10_000)  # one reading is not enough
    assert not draws_clearly_less([7_000, 8_000], 10_000)  # 80 % is not under 80 %
    assert not draws_clearly_less([0, 0], 0)  # paused: nothing to give away


@given(st.lists(st.floats(min_value=0, max_value=1e5), max_size=6), st.floats(0, 1e5))
def test_the_rule_looks_at_the_last_two_readings_only(readings: list[float], limit: float) -> None:
    expected = limit > 0 and len(readings) >= 2 and all(w < 0.8 * limit for w in readings[-2:])
    assert draws_clearly_less(readings, limit) == expected


def test_power_is_the_total_or_the_sum_of_the_phases() -> None:
    kw = "kW"
    total = [
        ("Power.Active.Import", None, Decimal("7.2"), kw),
        ("Energy.Active.Import.Register", None, Decimal(3), "kWh"),
    ]
    assert power_w(total) == 7200
    phases = [("Power.Active.Import", p, Decimal("2.3"), kw) for p in ("L1", "L2", "L3")]
    assert power_w(phases) == 6900
    assert power_w([("Current.Import", None, Decimal(16), "A")]) is None
    assert power_w([("Power.Active.Import", None, None, kw)]) is None  # not a number


def test_a_watch_caps_a_vehicle_drawing_less_and_releases_it_near_its_limit() -> None:
    watch = DrawWatch()
    assert not watch.reading("1", 1_000)  # not watched: nothing sent to it yet
    watch.limit_sent("1", 11_000)
    assert not watch.reading("1", 6_000)
    assert watch.reading("1", 6_500)  # second reading under 8.8 kW
    assert watch.cap_w("1") == 6_500 * 1.2
    watch.limit_sent("1", 7_800)  # the capped limit sent: readings start again, the cap stays
    assert not watch.reading("1", 6_500)
    assert not watch.reading("1", 6_600)  # 85 % of its limit: in the dead band
    assert watch.cap_w("1") == 6_500 * 1.2
    assert watch.reading("1", 7_500)  # near its limit: it may want more
    assert watch.cap_w("1") is None
    watch.forget(["1"])
    assert not watch.watching("1")


def test_a_paused_session_never_triggers() -> None:
    watch = DrawWatch()
    watch.limit_sent("1", 0.0)
    assert not watch.reading("1", 0.0)
    assert not watch.reading("1", 0.0)
