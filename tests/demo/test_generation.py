"""The network and session generators on their own, without a database."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from fleetcharge.demo.identifiers import abn_is_valid, vin_check_digit
from fleetcharge.demo.network import build_network
from fleetcharge.demo.physics import DemoSession
from fleetcharge.demo.places import AUSTRALIAN_TIMEZONES, CYBERTRON
from fleetcharge.demo.sessions import SessionPlan, generate_sessions
from fleetcharge.demo.timing import Month, demo_window, offset_changes
from fleetcharge.timezones import zone
from tests.demo.conftest import DEMO_NOW
from tests.demo.helpers import world_without_database


def test_known_identifiers_validate() -> None:
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"
    assert abn_is_valid("51824753556")
    assert not abn_is_valid("51824753557")


def test_network_is_deterministic_and_plausible() -> None:
    network = build_network(7, today=DEMO_NOW.date())
    assert network == build_network(7, today=DEMO_NOW.date())
    assert network != build_network(8, today=DEMO_NOW.date())
    for vehicle in network.vehicles:
        assert len(vehicle.vin) == 17 and vehicle.vin[8] == vin_check_digit(vehicle.vin)
        assert not set("IOQ") & set(vehicle.vin)
    active_vins = [v.vin for v in network.vehicles if v.effective_to is None]
    assert len(active_vins) == len(set(active_vins))
    assert all(abn_is_valid(org.abn) for org in network.organisations)
    tags = [card.id_tag for vehicle in network.vehicles for card in vehicle.cards]
    assert len(tags) == len(set(tags))
    assert not set(tags) & set(network.public_id_tags)


def test_window_is_six_completed_months_and_the_current_one() -> None:
    window = demo_window(DEMO_NOW)
    assert window.completed_months == tuple(
        Month(y, m)
        for y, m in ((2024, 10), (2024, 11), (2024, 12), (2025, 1), (2025, 2), (2025, 3))
    )
    assert window.start == datetime(2024, 9, 30, 16, 0, tzinfo=UTC)  # 1 October, Perth
    assert window.end == DEMO_NOW
    assert offset_changes("Australia/Sydney", window.start, window.end) == [
        date(2024, 10, 6),
        date(2025, 4, 6),
    ]


def test_same_seed_same_sessions() -> None:
    _, world = world_without_database(DEMO_NOW)
    first = list(generate_sessions(world, 800, now=DEMO_NOW, seed=3))
    assert first == list(generate_sessions(world, 800, now=DEMO_NOW, seed=3))
    assert first != list(generate_sessions(world, 800, now=DEMO_NOW, seed=4))


def test_chunks_cover_the_stream_exactly() -> None:
    _, world = world_without_database(DEMO_NOW)
    plan = SessionPlan.create(world, 2_000_000, now=DEMO_NOW, seed=1)
    chunks = plan.chunks()
    assert sum(chunk.size for chunk in chunks) == 2_000_000
    assert [chunk.first for chunk in chunks[1:]] == [c.first + c.size for c in chunks[:-1]]
    assert len(chunks) - 1 <= plan.window.seconds // 86400  # at least a day per chunk


@pytest.fixture(scope="module")
def many_sessions() -> list[DemoSession]:
    _, world = world_without_database(DEMO_NOW)
    return list(generate_sessions(world, 20_000, now=DEMO_NOW, seed=11))


def test_the_two_fleet_organisation_pays_for_about_half(many_sessions: list[DemoSession]) -> None:
    network, _ = world_without_database(DEMO_NOW)
    cybertron_id = 1 + [org.key for org in network.organisations].index(CYBERTRON)
    payers = Counter(s.attribution.payer_organisation_id for s in many_sessions)
    assert 0.46 < payers[cybertron_id] / len(many_sessions) < 0.54
    assert payers[None] > 0.1 * len(many_sessions)  # public drivers


def test_sessions_are_inside_the_window_with_whole_seconds(
    many_sessions: list[DemoSession],
) -> None:
    window = demo_window(DEMO_NOW)
    for session in many_sessions:
        timeline = session.timeline
        assert window.start <= timeline.start <= timeline.charging_end <= timeline.stop
        assert timeline.stop < window.end
        assert timeline.start.microsecond == 0 and timeline.stop.microsecond == 0


def test_every_timezone_gets_sessions(many_sessions: list[DemoSession]) -> None:
    zones = {s.attribution.timezone for s in many_sessions}
    assert zones == set(AUSTRALIAN_TIMEZONES)


def test_scripted_cases_are_generated() -> None:
    _, world = world_without_database(DEMO_NOW)
    sessions = list(generate_sessions(world, 100, now=DEMO_NOW, seed=5))

    def local(instant: datetime, timezone: str) -> datetime:
        return instant.astimezone(zone(timezone))

    def crosses_dst(s: DemoSession) -> bool:
        tz = s.attribution.timezone
        return local(s.timeline.start, tz).utcoffset() != local(s.timeline.stop, tz).utcoffset()

    assert any(crosses_dst(s) and s.attribution.timezone == "Australia/Sydney" for s in sessions)
    assert any(
        local(s.timeline.start, s.attribution.timezone).date()
        != local(s.timeline.stop, s.attribution.timezone).date()
        for s in sessions
    )
    assert any(s.timeline.stop - s.timeline.start > timedelta(days=2) for s in sessions)
    perth_month_ends = [
        local(s.timeline.stop, "Australia/Perth")
        for s in sessions
        if s.attribution.timezone == "Australia/Perth"
    ]
    assert datetime(2025, 1, 31, 23, 30, tzinfo=zone("Australia/Perth")) in perth_month_ends
