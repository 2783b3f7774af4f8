"""The control loop's seam: building profiles (never above the watts asked), sending them as
the allocator, each outcome recorded, the last one readable; the station's rate unit."""

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from fleetcharge.charging_profiles import repository, service
from fleetcharge.charging_profiles.builders import limit_in, max_profile, tx_profile
from fleetcharge.csms.commands import (
    Command,
    CommandAnswer,
    StationFailed,
    StationNotConnected,
    StationTimeout,
)
from fleetcharge.db import unit_of_work
from fleetcharge.errors import DomainError
from tests import factories as f

AT = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


@dataclass
class FakeRouter:
    """Answers each command with the next of `answers` (an answer's payload or an error)."""

    answers: list[dict[str, Any] | DomainError]
    sent: list[Command] = field(default_factory=list)
    node: str = "test"

    async def send(self, identity: str, command: Command) -> CommandAnswer:
        self.sent.append(command)
        answer = self.answers.pop(0)
        if isinstance(answer, DomainError):
            raise answer
        return CommandAnswer(identity, command.action, answer.get("status"), self.node, answer)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=0, max_value=350_000, allow_nan=False),
    st.sampled_from([1, 2, 3]),
    st.sampled_from([230.0, 240.0]),
)
def test_a_limit_is_never_above_the_watts_asked_and_within_a_tenth(
    watts: float, phases: int, voltage: float
) -> None:
    amperes = limit_in("A", watts, phases, voltage)
    assert amperes * voltage * phases <= watts + 1e-6
    assert (amperes + 0.1) * voltage * phases > watts - 1e-6
    assert round(amperes, 1) == amperes
    assert limit_in("W", watts, phases) <= watts + 1e-6  # float noise only
    assert watts - limit_in("W", watts, phases) < 0.1 + 1e-9


def test_built_profiles_are_complete_ocpp_profiles() -> None:
    assert tx_profile(
        profile_id=3,
        transaction_id=9,
        stack_level=2,
        periods_w=[(0, 11_000)],
        unit="W",
        phases=3,
        start=AT,
    ) == {
        "chargingProfileId": 3,
        "transactionId": 9,
        "stackLevel": 2,
        "chargingProfilePurpose": "TxProfile",
        "chargingProfileKind": "Absolute",
        "chargingSchedule": {
            "startSchedule": "2026-12-04T10:00:00Z",
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000.0}],
        },
    }
    cap = max_profile(profile_id=1, stack_level=0, periods_w=[(0, 0)], unit="A", phases=3, start=AT)
    assert cap["chargingSchedule"]["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 0.0, "numberPhases": 3}
    ]
    with pytest.raises(ValueError):
        tx_profile(profile_id=1, transaction_id=1, stack_level=0, periods_w=[], unit="A", phases=3)


def _station(engine: Engine) -> tuple[str, int]:
    with unit_of_work(engine) as db:
        site = f.site(db, f.organisation(db))
        return site.station.ocpp_identity, site.station.id


PROFILE = tx_profile(
    profile_id=1, transaction_id=5, stack_level=1, periods_w=[(0, 5520)], unit="A", phases=3
)


def test_allocator_outcomes_are_recorded_and_the_latest_is_read(engine: Engine) -> None:
    identity, station_id = _station(engine)
    router = FakeRouter(
        [
            {"status": "Accepted"},
            StationFailed(
                f"charge station {identity} answered SetChargingProfile with NotImplemented: x"
            ),
            StationTimeout("no answer"),
            StationNotConnected("gone"),
            {"status": "Rejected"},
        ]
    )
    sessions = partial(unit_of_work, engine)
    with unit_of_work(engine) as db:
        assert repository.latest_status(db, station_id) is None
    seen = []
    for _ in range(5):
        outcome = asyncio.run(
            service.send_profile(
                router,
                sessions,
                identity=identity,
                connector_id=1,
                profile=PROFILE,
                source="allocator",
                at=AT,
            )
        )
        seen.append(outcome.status)
        with unit_of_work(engine) as db:
            assert repository.latest_status(db, station_id) == outcome.status
    assert seen == ["Accepted", "NotSupported", "Timeout", "Offline", "Rejected"]
    assert [c.payload for c in router.sent] == [
        {"connectorId": 1, "csChargingProfiles": PROFILE}
    ] * 5
    operator = FakeRouter([{"status": "Accepted"}])
    asyncio.run(
        service.send_profile(
            operator,
            sessions,
            identity=identity,
            connector_id=1,
            profile=PROFILE,
            source="operator",
            at=AT,
        )
    )
    with unit_of_work(engine) as db:
        assert repository.latest_status(db, station_id) == "Rejected"  # the allocator's


@pytest.mark.parametrize(
    ("value", "unit"),
    [("Current", "A"), ("Power", "W"), ("Current,Power", "W"), ("", "A"), (None, "A")],
)
def test_rate_unit_from_the_station_s_configuration(
    engine: Engine, value: str | None, unit: str
) -> None:
    identity, _ = _station(engine)
    service.forget_rate_unit()
    keys = (
        []
        if value is None
        else [{"key": "ChargingScheduleAllowedChargingRateUnit", "readonly": True, "value": value}]
    )
    router = FakeRouter([{"configurationKey": keys}])
    sessions = partial(unit_of_work, engine)
    assert asyncio.run(service.rate_unit(router, sessions, identity)) == unit
    assert asyncio.run(service.rate_unit(router, sessions, identity)) == unit  # cached
    assert [c.payload for c in router.sent] == [
        {"key": ["ChargingScheduleAllowedChargingRateUnit"]}
    ]


def test_an_unanswered_rate_unit_is_amperes_and_asked_again(engine: Engine) -> None:
    identity, _ = _station(engine)
    service.forget_rate_unit()
    router = FakeRouter(
        [
            StationTimeout("no"),
            {
                "configurationKey": [
                    {"key": "ChargingScheduleAllowedChargingRateUnit", "value": "Power"}
                ]
            },
        ]
    )
    sessions = partial(unit_of_work, engine)
    assert asyncio.run(service.rate_unit(router, sessions, identity)) == "A"
    assert asyncio.run(service.rate_unit(router, sessions, identity)) == "W"
    service.forget_rate_unit()
