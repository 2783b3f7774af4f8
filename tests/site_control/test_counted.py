"""How sessions are counted: offline stations at their last accepted limit, refusing ones at
their rated power, capped vehicles at their cap."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetcharge.site_control.counted import as_counted, counted
from fleetcharge.smart_charging.allocator import allocate
from fleetcharge.smart_charging.problem import Circuit, Problem, Rate, Session, Strategy

NOW = datetime(2026, 6, 1, 18, 0, tzinfo=UTC)


def session(id: str, **kwargs: object) -> Session:
    kwargs.setdefault("station_max", Rate.kw(11))
    return Session(id=id, station_id=f"CP{id}", **kwargs)  # type: ignore[arg-type]


def test_an_offline_station_keeps_its_last_accepted_limit() -> None:
    s = counted(
        session("1", drawn=Rate(3000, "W")), online=False, refused=False, accepted_limit_w=5000
    )
    assert s.controllable is False
    assert s.drawn == Rate(5000, "W")


def test_an_offline_station_without_an_accepted_limit_keeps_its_measurement() -> None:
    s = counted(
        session("1", drawn=Rate(3000, "W")), online=False, refused=False, accepted_limit_w=None
    )
    assert (s.controllable, s.drawn) == (False, Rate(3000, "W"))


def test_a_refusing_station_is_counted_at_its_rated_power() -> None:
    s = counted(
        session("1", drawn=Rate(3000, "W")), online=True, refused=True, accepted_limit_w=5000
    )
    assert (s.controllable, s.drawn) == (False, None)


def test_a_cap_lowers_the_vehicle_maximum_never_raises_it() -> None:
    s = counted(session("1"), online=True, refused=False, accepted_limit_w=None, cap_w=4000)
    assert s.vehicle_max == Rate(4000, "W")
    lower = session("1", vehicle_max=Rate.kw(3))
    assert counted(lower, online=True, refused=False, accepted_limit_w=None, cap_w=4000) == lower


def test_the_others_share_what_offline_and_refusing_stations_leave() -> None:
    problem = Problem(
        now=NOW,
        sessions=(session("1"), session("2"), session("3"), session("4")),
        site=Circuit("site", limit_kw=30),
        strategy=Strategy.EQUAL_SHARE,
    )
    result = allocate(
        as_counted(problem, online={"CP1", "CP2", "CP4"}, refused={"CP4"}, accepted_w={"3": 6000})
    )
    # CP3 offline at its 6 kW, CP4 refusing at 11 kW: 13 kW left for 1 and 2.
    assert result.sessions["1"].limit_w == pytest.approx(6500, rel=1e-3)
    assert result.sessions["2"].limit_w == pytest.approx(6500, rel=1e-3)
    assert result.sessions["3"].reason == "not controllable: counted at 6.0 kW"


@given(
    kws=st.lists(st.sampled_from([7.4, 11.0, 22.0]), min_size=1, max_size=12),
    offline=st.sets(st.integers(0, 11)),
    refusing=st.sets(st.integers(0, 11)),
    accepted_kw=st.floats(0, 22),
    limit_kw=st.floats(10, 300),
)
def test_the_site_limit_holds_with_what_cannot_be_controlled_counted(
    kws: list[float], offline: set[int], refusing: set[int], accepted_kw: float, limit_kw: float
) -> None:
    sessions = tuple(session(str(i), station_max=Rate.kw(kw)) for i, kw in enumerate(kws))
    problem = Problem(
        now=NOW,
        sessions=sessions,
        site=Circuit("site", limit_kw=limit_kw),
        strategy=Strategy.DEADLINE,
    )
    counted_problem = as_counted(
        problem,
        online={f"CP{i}" for i in range(len(kws)) if i not in offline},
        refused={f"CP{i}" for i in refusing},
        accepted_w={str(i): accepted_kw * 1000 for i in offline},
    )
    result = allocate(counted_problem)
    fixed = sum(
        s.watts(s.drawn) if s.drawn is not None else s.max_w
        for s in counted_problem.sessions
        if not s.controllable
    )
    controlled = [s for s in counted_problem.sessions if s.controllable]
    given_w = sum(result.sessions[s.id].limit_w for s in controlled)
    for s in counted_problem.sessions:
        if f"CP{s.id}" in {f"CP{i}" for i in refusing}:
            assert not s.controllable and s.drawn is None  # at its rated power
        elif int(s.id) in offline:
            assert not s.controllable and s.drawn == Rate(accepted_kw * 1000, "W")
    if fixed <= limit_kw * 1000:
        # What the controllable sessions are given fits beside what cannot be controlled
        # (each charging one at least its minimum, counted at it).
        assert given_w + fixed <= limit_kw * 1000 * (1 + 1e-9) + 1e-6
