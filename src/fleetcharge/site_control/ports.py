"""What the control loop needs from the other parts of smart charging, as small protocols:
the sites' problems (`fleetcharge.sites.problem_source`), sending profiles
(`fleetcharge.charging_profiles`) and which stations are connected (the csms router). The
production implementations are wired in `site_control.wiring`; tests pass fakes."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

from sqlalchemy.orm import Session

from fleetcharge.smart_charging.problem import Problem

Unit = Literal["A", "W"]


class SiteProblemLike(Protocol):
    @property
    def location_id(self) -> int: ...
    @property
    def problem(self) -> Problem: ...
    @property
    def connector_of(self) -> Mapping[str, int]: ...  # session id -> connectorId
    @property
    def phases_of(self) -> Mapping[str, int]: ...  # session id -> 1 or 3


class ProblemSource(Protocol):
    def load_problems(
        self, db: Session, now: datetime, location_ids: list[int] | None = None
    ) -> Sequence[SiteProblemLike]: ...


class ProfileSender(Protocol):
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
    ) -> dict[str, Any]: ...

    def default_profile(
        self, *, profile_id: int, stack_level: int, limit_w: float, unit: Unit
    ) -> dict[str, Any]:
        """A TxDefaultProfile holding every new transaction at `limit_w` (for connector 0)."""
        ...

    async def rate_unit(self, identity: str) -> Unit: ...

    async def send_profile(
        self, *, identity: str, connector_id: int, profile: dict[str, Any]
    ) -> str:
        """The station's answer: Accepted, Rejected, NotSupported, Offline or Timeout."""
        ...

    async def clear_profile(self, *, identity: str, profile_id: int) -> str:
        """ClearChargingProfile of one of our profiles; the station's answer."""
        ...


class Presences(Protocol):
    async def connected_identities(self) -> set[str]: ...
