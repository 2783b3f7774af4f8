"""Which sessions get a new profile: tolerance, pause and resume, nothing accepted yet."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetcharge.site_control.changes import Sent, needs_profile, to_send, tolerance_w
from fleetcharge.smart_charging.allocator import allocate
from fleetcharge.smart_charging.problem import Circuit, Problem, Rate, Session, Strategy

NOW = datetime(2026, 6, 1, 18, 0, tzinfo=UTC)
THREE_PHASE = Session(id="1", station_id="CP1", station_max=Rate.kw(22))
ONE_PHASE = Session(id="2", station_id="CP2", station_max=Rate.kw(7.4), phases=(0,))


def test_the_tolerance_is_half_an_amp_per_phase_or_two_percent() -> None:
    assert tolerance_w(THREE_PHASE, 10_000) == pytest.approx(345)  # 0.5 A x 230 V x 3
    assert tolerance_w(ONE_PHASE, 3_000) == pytest.approx(115)
    assert tolerance_w(THREE_PHASE, 22_000) == pytest.approx(440)  # 2 % is more


def test_small_rises_are_not_sent_larger_ones_and_every_fall_are() -> None:
    sent = Sent(10_000)
    assert not needs_profile(THREE_PHASE, 10_300, sent)
    assert needs_profile(THREE_PHASE, 10_400, sent)
    assert needs_profile(THREE_PHASE, 9_990, sent)  # kept at 10 kW, the site could go over
    assert not needs_profile(THREE_PHASE, 9_999.5, sent)


def test_pause_and_resume_are_always_sent() -> None:
    assert needs_profile(THREE_PHASE, 0.0, Sent(100.0))
    assert needs_profile(THREE_PHASE, 100.0, Sent(0.0))
    assert not needs_profile(THREE_PHASE, 0.0, Sent(0.0))


def test_a_session_with_nothing_accepted_is_sent() -> None:
    assert needs_profile(THREE_PHASE, 10_000, None)


def test_to_send_skips_uncontrollable_sessions_and_unchanged_limits() -> None:
    sessions = (
        Session(id="1", station_id="CP1", station_max=Rate.kw(11)),
        Session(id="2", station_id="CP2", station_max=Rate.kw(11)),
        Session(id="3", station_id="CP3", station_max=Rate.kw(11), controllable=False),
    )
    problem = Problem(
        now=NOW, sessions=sessions, site=Circuit("site", limit_kw=30), strategy=Strategy.EQUAL_SHARE
    )
    allocation = allocate(problem)  # 1 and 2 get (30 - 11) / 2 kW each
    by_id = {s.id: s for s in sessions}
    assert allocation.sessions["1"].limit_w == pytest.approx(9500, rel=1e-3)
    assert to_send(allocation, by_id, {"1": Sent(9_450), "2": Sent(9_300)}) == []  # small rises
    assert to_send(allocation, by_id, {"1": Sent(9_450), "2": Sent(9_550)}) == ["2"]  # a fall
    assert to_send(allocation, by_id, {}) == ["1", "2"]


@given(
    sent=st.floats(min_value=0, max_value=50_000),
    limit=st.floats(min_value=0, max_value=50_000),
)
def test_a_fall_a_rise_beyond_the_tolerance_or_a_move_across_zero_is_sent(
    sent: float, limit: float
) -> None:
    needed = needs_profile(THREE_PHASE, limit, Sent(sent))
    across_zero = (limit == 0) != (sent == 0)
    if across_zero or limit < sent - 1.0 or limit - sent > max(345.0, 0.02 * limit):
        assert needed
    else:
        assert not needed
