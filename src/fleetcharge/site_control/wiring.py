"""The control loop as a serving process runs it: the sites' problems
(`sites.problem_source`), profiles sent and recorded (`charging_profiles`), the stations the
router knows connected, and the triggers subscribed (`csms.transaction_signals`,
`sites.signals`)."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fleetcharge.charging_profiles import builders
from fleetcharge.charging_profiles import service as profiles
from fleetcharge.csms import transaction_signals
from fleetcharge.csms.routing import StationRouter
from fleetcharge.db import unit_of_work
from fleetcharge.settings import Settings
from fleetcharge.site_control.loop import ControlSettings, SiteControl
from fleetcharge.site_control.ports import Unit
from fleetcharge.sites import signals
from fleetcharge.sites.problem_source import SiteProblem, load_problems


class RouterPresences:
    """The stations connected to any process (the router knows them all with Redis)."""

    def __init__(self, router: StationRouter) -> None:
        self.router = router

    async def connected_identities(self) -> set[str]:
        return {presence.identity for presence in await self.router.connected()}


class SiteProblems:
    def load_problems(
        self, db: Session, now: datetime, location_ids: list[int] | None = None
    ) -> list[SiteProblem]:
        return load_problems(db, now, location_ids)


class ChargingProfiles:
    """Profiles through `charging_profiles` (stored with source `allocator`)."""

    def __init__(self, router: StationRouter, engine: Engine) -> None:
        self.router = router
        self.sessions: Callable[[], AbstractContextManager[Session]] = lambda: unit_of_work(engine)

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
        return builders.tx_profile(
            profile_id=profile_id,
            transaction_id=transaction_id,
            stack_level=stack_level,
            periods_w=periods_w,
            unit=unit,
            phases=phases,
            voltage=voltage,
        )

    def default_profile(
        self, *, profile_id: int, stack_level: int, limit_w: float, unit: Unit
    ) -> dict[str, Any]:
        return builders.default_profile(
            profile_id=profile_id,
            stack_level=stack_level,
            periods_w=[(0, limit_w)],
            unit=unit,
            phases=3,
        )

    async def rate_unit(self, identity: str) -> Unit:
        return await profiles.rate_unit(self.router, self.sessions, identity)

    async def send_profile(
        self, *, identity: str, connector_id: int, profile: dict[str, Any]
    ) -> str:
        outcome = await profiles.send_profile(
            self.router,
            self.sessions,
            identity=identity,
            connector_id=connector_id,
            profile=profile,
            source="allocator",
        )
        return outcome.status

    async def clear_profile(self, *, identity: str, profile_id: int) -> str:
        outcome = await profiles.clear_profile(
            self.router, self.sessions, identity=identity, profile_id=profile_id
        )
        return outcome.status


class RunningControl:
    """The loop of a serving process, subscribed to its triggers while it runs."""

    def __init__(self, control: SiteControl) -> None:
        self.control = control
        self._unsubscribe: list[Callable[[], None]] = []

    def start(self) -> None:
        self.control.start()
        self._unsubscribe = [
            transaction_signals.subscribe(self.control.on_transaction),
            signals.subscribe(self.control.trigger),
        ]

    async def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        await self.control.stop()


def site_control_for(
    engine: Engine,
    router: StationRouter,
    settings: Settings,
    now: Callable[[], datetime],
) -> RunningControl:
    control = SiteControl(
        engine,
        SiteProblems(),
        ChargingProfiles(router, engine),
        RouterPresences(router),
        node=router.node,
        settings=ControlSettings(interval_s=settings.smart_charging_interval_s),
        now=now,
    )
    return RunningControl(control)
