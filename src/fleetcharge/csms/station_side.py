"""What every part of a station's conversation shares: the central system's configuration,
the station's identity, units of work, station times and payload checks.

`StationHandlers` (handlers.py) answers the Core profile's messages; each other feature
profile's messages from stations are a subclass of `StationSide` in a module of its own,
which `StationHandlers` also derives from.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from limits import RateLimitItem
from ocpp.exceptions import FormatViolationError, PropertyConstraintViolationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fleetcharge.csms.authorize_limit import AuthorizeBudget
from fleetcharge.csms.clock import ClockPolicy, StationTime, station_time
from fleetcharge.csms.journal import TransactionJournal
from fleetcharge.csms.meter_writer import MeterValuesWriter
from fleetcharge.csms.protocol import RobustChargePoint
from fleetcharge.csms.readings import Reading, parse_meter_values
from fleetcharge.csms.schemas import StationRef
from fleetcharge.db import unit_of_work
from fleetcharge.station_security.policy import SecurityPolicy

T = TypeVar("T")
MAX_INT32 = 2**31 - 1
MAX_INT64 = 2**63 - 1


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CentralSystemConfig:
    engine: Engine
    policy: ClockPolicy
    heartbeat_interval: int
    # Seconds an operator command waits for the station's answer.
    command_timeout: float = 30.0
    # When a message was received (tests replace it to replay frames at given times).
    now: Callable[[], datetime] = utc_now
    # Token buckets bounding each connection's Authorize requests (see authorize_limit).
    authorize_limit: tuple[RateLimitItem, ...] = ()
    # Where transaction messages wait while the database is unavailable (None: nowhere).
    journal_dir: Path | None = None
    # transactionIds reserved for StartTransactions during an outage.
    reserved_transaction_ids: int = 0
    # GetConfiguration after each BootNotification, the answer stored (core_messages).
    read_configuration_on_boot: bool = False
    # The security extensions' settings (certificate signing, security events kept).
    security: SecurityPolicy = field(default_factory=SecurityPolicy)

    @cached_property
    def meter_writer(self) -> MeterValuesWriter:
        """Shared by every station of the central system (see `meter_writer`)."""
        return MeterValuesWriter(self.engine)

    @cached_property
    def journal(self) -> TransactionJournal:
        return TransactionJournal(
            self.engine, self.journal_dir, self.policy, self.reserved_transaction_ids
        )

    def close(self) -> None:
        """Close what serving opened of its own (the writer's connections, if it was made)."""
        writer = self.__dict__.get("meter_writer")
        if writer is not None:
            writer.close()


class StationSide(RobustChargePoint):
    """One connected station's side of the conversation: what its handlers share."""

    def __init__(self, station: StationRef, connection: Any, config: CentralSystemConfig) -> None:
        # Operator commands time out themselves (fleetcharge.csms.commands); the library's
        # own timeout is only a backstop.
        super().__init__(station.identity, connection, response_timeout=config.command_timeout + 1)
        self.station = station
        self.config = config
        # When this connection was opened: what a station sends without a timestamp on it
        # happened at its receipt only if that was after (fleetcharge.csms.transaction_timeline).
        self.connected_at = config.now()
        self._authorize: AuthorizeBudget | None = None

    async def _in_transaction(self, work: Callable[[Session], T]) -> T:
        await self.config.journal.settle(self.station)

        def run() -> T:
            with unit_of_work(self.config.engine) as db:
                return work(db)

        return await anyio.to_thread.run_sync(run)

    def _authorize_budget(self) -> AuthorizeBudget:
        if self._authorize is None:  # made on first use: most connections never send one
            self._authorize = AuthorizeBudget(self.station.identity, self.config.authorize_limit)
        return self._authorize

    def _time(self, text: str, received_at: datetime) -> StationTime:
        try:
            return station_time(text, received_at, self.station.timezone, self.config.policy)
        except ValueError:
            raise FormatViolationError(
                details={"cause": f"timestamp {text!r} is not an ISO 8601 date-time"}
            ) from None

    def _readings(
        self, meter_values: list[dict[str, Any]], received_at: datetime
    ) -> tuple[Reading, ...]:
        return tuple(parse_meter_values(meter_values, lambda text: self._time(text, received_at)))


def check_connector(connector_id: int, *, minimum: int) -> None:
    if not minimum <= connector_id <= MAX_INT32:
        raise PropertyConstraintViolationError(
            details={"cause": f"connectorId {connector_id} out of range (from {minimum})"}
        )


def check_meter(name: str, wh: int) -> None:
    if abs(wh) > MAX_INT64:
        raise PropertyConstraintViolationError(details={"cause": f"{name} out of range: {wh}"})


def storable(value: int | None, maximum: int = MAX_INT64) -> int | None:
    """An id we only keep for reference, if a column can hold it (the raw payload keeps it
    anyway where it matters)."""
    return value if value is not None and abs(value) <= maximum else None
