"""Fakes of what the control loop is given (site_control.ports), for unit tests."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fleetcharge.db import unit_of_work
from fleetcharge.site_control.loop import ControlSettings, SiteControl
from fleetcharge.site_control.ports import Unit
from fleetcharge.smart_charging.problem import Circuit, Problem, Rate, Strategy
from fleetcharge.smart_charging.problem import Session as Charging
from tests import factories as f


@dataclass(frozen=True)
class FakeSite:
    location_id: int
    problem: Problem
    connector_of: dict[str, int]
    phases_of: dict[str, int]


@dataclass
class FakeSource:
    """Sites by location id: a limit and sessions, changed by the tests."""

    limits_kw: dict[int, float] = field(default_factory=dict)
    sessions: dict[int, list[Charging]] = field(default_factory=dict)
    fail: bool = False
    asked: list[list[int] | None] = field(default_factory=list)
    stations: dict[int, tuple[str, ...]] = field(default_factory=dict)  # hung from the site

    def load_problems(
        self, db: Session, now: datetime, location_ids: list[int] | None = None
    ) -> Sequence[FakeSite]:
        self.asked.append(location_ids)
        if self.fail:
            raise RuntimeError("the database is away")
        return [
            FakeSite(
                location_id,
                Problem(
                    now=now,
                    sessions=tuple(self.sessions.get(location_id, [])),
                    site=Circuit(
                        "site", limit_kw=limit, stations=self.stations.get(location_id, ())
                    ),
                    strategy=Strategy.EQUAL_SHARE,
                ),
                {s.id: 1 for s in self.sessions.get(location_id, [])},
                {s.id: 3 for s in self.sessions.get(location_id, [])},
            )
            for location_id, limit in self.limits_kw.items()
            if location_ids is None or location_id in location_ids
        ]


@dataclass
class FakeSender:
    answers: dict[str, str] = field(default_factory=dict)  # identity -> status (else Accepted)
    units: dict[str, Unit] = field(default_factory=dict)
    sent: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)
    cleared: list[tuple[str, int]] = field(default_factory=list)

    def tx_profile(
        self,
        *,
        profile_id: int,
        transaction_id: int,
        stack_level: int,
        periods_w: list[tuple[int, float]],
        unit: Unit,
        phases: int,
        voltage: float = 230.0,
    ) -> dict[str, Any]:
        limits = [w if unit == "W" else round(w / voltage / phases, 1) for _, w in periods_w]
        return {
            "chargingProfileId": profile_id,
            "transactionId": transaction_id,
            "stackLevel": stack_level,
            "unit": unit,
            "limits": limits,
        }

    def default_profile(
        self, *, profile_id: int, stack_level: int, limit_w: float, unit: Unit
    ) -> dict[str, Any]:
        return {
            "chargingProfileId": profile_id,
            "chargingProfilePurpose": "TxDefaultProfile",
            "stackLevel": stack_level,
            "unit": unit,
            "limits": [limit_w],
        }

    async def rate_unit(self, identity: str) -> Unit:
        return self.units.get(identity, "W")

    async def send_profile(
        self, *, identity: str, connector_id: int, profile: dict[str, Any]
    ) -> str:
        self.sent.append((identity, connector_id, profile))
        return self.answers.get(identity, "Accepted")

    async def clear_profile(self, *, identity: str, profile_id: int) -> str:
        self.cleared.append((identity, profile_id))
        return "Accepted"

    def limits(self) -> dict[str, float]:
        """The last transaction limit sent per station."""
        return {
            identity: profile["limits"][0]
            for identity, _, profile in self.sent
            if "transactionId" in profile
        }

    def defaults(self) -> list[tuple[str, int, float]]:
        """The fail-safes sent: station, connector, limit."""
        return [
            (identity, connector, profile["limits"][0])
            for identity, connector, profile in self.sent
            if profile.get("chargingProfilePurpose") == "TxDefaultProfile"
        ]


@dataclass
class FakePresences:
    online: set[str] = field(default_factory=set)

    async def connected_identities(self) -> set[str]:
        return set(self.online)


def charging(tid: int, station: str, kw: float = 11.0, **kwargs: Any) -> Charging:
    return Charging(id=str(tid), station_id=station, station_max=Rate.kw(kw), **kwargs)


def locations(engine: Engine, count: int) -> list[int]:
    with unit_of_work(engine) as db:
        host = f.organisation(db)
        return [f.site(db, host).location.id for _ in range(count)]


def control(
    engine: Engine,
    source: FakeSource,
    sender: FakeSender,
    presences: FakePresences,
    node: str = "node-a",
    **settings: Any,
) -> SiteControl:
    settings.setdefault("settle_s", 0.0)
    return SiteControl(
        engine, source, sender, presences, node=node, settings=ControlSettings(**settings)
    )
