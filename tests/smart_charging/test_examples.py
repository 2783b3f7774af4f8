"""Worked examples of the allocator, figures checked by hand."""

from datetime import UTC, datetime, timedelta

import pytest

from fleetcharge.smart_charging.allocator import allocate, slot_grid
from fleetcharge.smart_charging.problem import (
    Circuit,
    LimitStep,
    Problem,
    ProblemError,
    Rate,
    Session,
    Strategy,
)

NOW = datetime(2026, 6, 1, 18, 0, tzinfo=UTC)


def session(id: str, kw: float = 11.0, **kwargs: object) -> Session:
    kwargs.setdefault("station_max", Rate.kw(kw))
    return Session(id=id, station_id=f"st-{id}", **kwargs)  # type: ignore[arg-type]


def problem(sessions: list[Session], site: Circuit, **kwargs: object) -> Problem:
    return Problem(now=NOW, sessions=tuple(sessions), site=site, **kwargs)  # type: ignore[arg-type]


def test_equal_share_splits_the_site_limit() -> None:
    result = allocate(
        problem(
            [session("a"), session("b"), session("c")],
            Circuit(id="site", limit_kw=22),
            strategy=Strategy.EQUAL_SHARE,
        )
    )
    for id in "abc":
        schedule = result.sessions[id]
        assert schedule.limit_w == pytest.approx(22000 / 3)
        assert schedule.limit_a == pytest.approx(22000 / 3 / 690)
        assert schedule.reason == "limited by the site limit"


def test_spare_power_goes_to_the_others() -> None:
    # a's vehicle takes at most 3.7 kW: b and c share the rest.
    result = allocate(
        problem(
            [
                session("a", vehicle_max=Rate.kw(3.7), minimum=Rate.kw(1)),
                session("b"),
                session("c"),
            ],
            Circuit(id="site", limit_kw=20),
            strategy=Strategy.EQUAL_SHARE,
        )
    )
    assert result.sessions["a"].limit_w == pytest.approx(3700)
    assert result.sessions["a"].reason == "limited by vehicle maximum"
    assert result.sessions["b"].limit_w == pytest.approx(8150)
    assert result.sessions["c"].limit_w == pytest.approx(8150)


def test_per_phase_circuit_limit() -> None:
    # Two single-phase sessions on L1 and one on L2, on a 32 A circuit.
    sessions = [
        session("a", phases=(0,), station_max=Rate.amps(32)),
        session("b", phases=(0,), station_max=Rate.amps(32)),
        session("c", phases=(1,), station_max=Rate.amps(32)),
    ]
    site = Circuit(
        id="site",
        children=(Circuit(id="panel", limit_a=32, stations=("st-a", "st-b", "st-c")),),
    )
    result = allocate(problem([s for s in sessions], site, strategy=Strategy.EQUAL_SHARE))
    assert result.sessions["a"].limit_a == pytest.approx(16)
    assert result.sessions["b"].limit_a == pytest.approx(16)
    assert result.sessions["a"].reason == "limited by circuit panel (L1)"
    assert result.sessions["c"].limit_a == pytest.approx(32)
    assert result.sessions["c"].reason == "limited by station maximum"
    loads = {load.name: load for load in result.loads}
    assert loads["circuit panel (L1)"].load == pytest.approx(32)
    assert loads["circuit panel (L2)"].load == pytest.approx(32)
    assert loads["circuit panel (L3)"].load == 0


def test_minimums_that_do_not_fit_pause_sessions() -> None:
    # 10 kW for three 3-phase sessions of minimum 6 A (4.14 kW): two charge, one waits.
    result = allocate(
        problem(
            [session("a"), session("b"), session("c")],
            Circuit(id="site", limit_kw=10),
            strategy=Strategy.EQUAL_SHARE,
        )
    )
    limits = {id: result.sessions[id].limit_w for id in "abc"}
    assert limits == {"a": pytest.approx(5000), "b": pytest.approx(5000), "c": 0.0}
    assert result.sessions["c"].reason == "paused: below minimum (the site limit is full)"
    assert result.sessions["c"].paused


def test_priority_is_served_first() -> None:
    result = allocate(
        problem(
            [session("low"), session("high", priority=5), session("mid", priority=1)],
            Circuit(id="site", limit_kw=20),
            strategy=Strategy.PRIORITY,
        )
    )
    assert result.sessions["high"].limit_w == pytest.approx(11000)
    assert result.sessions["mid"].limit_w == pytest.approx(9000)
    assert result.sessions["low"].limit_w == 0.0
    assert result.sessions["low"].reason.startswith("paused: below minimum")


def test_deadline_serves_the_least_laxity_first() -> None:
    # a must have 11 kWh in one hour (no slack); b has 11 kWh in three hours.
    sessions = [
        session("a", energy_needed_kwh=11, departure=NOW + timedelta(hours=1)),
        session("b", energy_needed_kwh=11, departure=NOW + timedelta(hours=3)),
    ]
    result = allocate(problem(sessions, Circuit(id="site", limit_kw=11)))
    assert result.sessions["a"].limit_w == pytest.approx(11000)
    assert result.sessions["b"].limit_w == 0.0
    # The plan: a for an hour, then b (charged full by 2 h, within its 3 h).
    a, b = result.sessions["a"].periods, result.sessions["b"].periods
    assert [(p.start, p.power_w) for p in a] == [(NOW, pytest.approx(11000))]
    assert a[-1].end == NOW + timedelta(hours=1)
    assert b[0].power_w == 0.0 and b[1].start == NOW + timedelta(hours=1)
    assert b[1].power_w == pytest.approx(11000)


def test_finishing_vehicle_frees_its_power_in_the_plan() -> None:
    sessions = [
        session("a", energy_needed_kwh=2.75),  # full after 30 min at 5.5 kW
        session("b"),
    ]
    result = allocate(
        problem(sessions, Circuit(id="site", limit_kw=11), strategy=Strategy.EQUAL_SHARE)
    )
    b = result.sessions["b"].periods
    assert b[0].power_w == pytest.approx(5500)
    assert b[0].end == NOW + timedelta(minutes=30)
    assert b[1].power_w == pytest.approx(11000)
    a = result.sessions["a"].periods
    assert a[-1].power_w == 0.0


def test_site_schedule_lowers_the_limit() -> None:
    schedule = (LimitStep(NOW + timedelta(minutes=15), 5.0),)
    result = allocate(
        problem([session("a")], Circuit(id="site", limit_kw=100), site_schedule=schedule)
    )
    periods = result.sessions["a"].periods
    assert periods[0].power_w == pytest.approx(11000)
    assert periods[1].power_w == pytest.approx(5000)


def test_uncontrollable_station_counts_at_its_draw() -> None:
    sessions = [
        session("a", controllable=False, drawn=Rate.kw(7)),
        session("b", controllable=False),  # nothing measured: its station maximum
        session("c", kw=50),
    ]
    result = allocate(problem(sessions, Circuit(id="site", limit_kw=30)))
    assert result.sessions["a"].reason == "not controllable: counted at 7.0 kW"
    assert result.sessions["b"].limit_w == pytest.approx(11000)
    assert result.sessions["c"].limit_w == pytest.approx(12000)


def test_slot_grid_grows_to_the_horizon() -> None:
    grid = slot_grid(problem([], Circuit(id="site")))
    lengths = [(end - start) / timedelta(minutes=1) for start, end in grid]
    assert lengths == [15, 15, 30, 60, 120, 120, 120, 120, 120]
    assert grid[-1][1] == NOW + timedelta(hours=12)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sessions": (Session("a", "s", Rate.kw(-1)),)}, "sessions[0].station_max"),
        ({"sessions": (Session("a", "s", Rate.kw(1), phases=(3,)),)}, "sessions[0].phases"),
        ({"sessions": (Session("a", "s", Rate(1, "V")),)}, "sessions[0].station_max"),  # type: ignore[arg-type]
        (
            {"sessions": (Session("a", "s", Rate.kw(1)), Session("a", "t", Rate.kw(1)))},
            "sessions[1].id",
        ),
        ({"site": Circuit(id="site", limit_kw=float("nan"))}, "site.limit_kw"),
        (
            {"site": Circuit(id="site", children=(Circuit(id="site"),))},
            "site.children[0].id",
        ),
        ({"sessions": (Session("a", "s", Rate.kw(1), priority=10**6),)}, "sessions[0].priority"),
        ({"slot": timedelta(0)}, "slot"),
        ({"now": datetime(2026, 1, 1)}, "now"),
        ({"site_schedule": (LimitStep(NOW, -1),)}, "site_schedule[0].limit_kw"),
    ],
)
def test_bad_input_names_the_field(changes: dict[str, object], field: str) -> None:
    base: dict[str, object] = {"now": NOW, "sessions": (), "site": Circuit(id="site")}
    with pytest.raises(ProblemError) as caught:
        allocate(Problem(**{**base, **changes}))  # type: ignore[arg-type]
    assert caught.value.field == field


def test_vehicle_taking_less_than_the_minimum_is_counted_at_what_it_takes() -> None:
    # b's vehicle tapers to 0.5 kW: it is sent the station minimum (6 A) but counted at
    # 0.5 kW, so a gets the rest of the 11 kW.
    sessions = [session("a"), session("b", vehicle_max=Rate.kw(0.5))]
    result = allocate(
        problem(sessions, Circuit(id="site", limit_kw=11), strategy=Strategy.EQUAL_SHARE)
    )
    assert result.sessions["b"].limit_a == pytest.approx(6)
    assert result.sessions["b"].reason == "limited by vehicle maximum"
    assert result.sessions["a"].limit_w == pytest.approx(10500)
    assert {load.name: load.load for load in result.loads}["the site limit"] == pytest.approx(11000)
