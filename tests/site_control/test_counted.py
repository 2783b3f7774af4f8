"""How sessions are counted: offline stations at their last accepted limit, refusing ones at
their rated power, capped vehicles at their cap."""

from datetime import UTC, datetime

import pytest

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
