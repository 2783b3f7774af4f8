"""Keeping the local lists of the stations connected to this process in step with the cards.

Every `interval_s` a background task looks at up to PER_CYCLE of this process's stations
(in turn, so every station's turn comes): a station newly connected is asked its
GetLocalListVersion, and sent the full list when it differs from the version we recorded;
any other gets a Differential update when its list, computed from the cards tables, differs
from what it accepted. A card blocked, unblocked, expired or moved by any process (admin
API, console, CLI) is so sent to every connected station whose list changes, and to the
others when they reconnect. A station answering NotSupported (or listVersion -1) is left
alone until it reconnects; one failing is tried again after RETRY_CYCLES.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fleetcharge.csms.commands import Command, call_station
from fleetcharge.csms.local_list_push import ListLimits, LocalListPush, list_limits
from fleetcharge.csms.periodic import Periodic
from fleetcharge.csms.registry import ConnectionRegistry, LiveConnection
from fleetcharge.csms.station_side import CentralSystemConfig
from fleetcharge.errors import DomainError
from fleetcharge.local_lists.entries import ListTooLong

logger = logging.getLogger(__name__)

PER_CYCLE = 50
RETRY_CYCLES = 10
NOT_SUPPORTED = "NotSupported"


@dataclass(eq=False)
class _Tracked:
    live: LiveConnection
    checked: bool = False  # asked GetLocalListVersion on this connection
    unsupported: bool = False
    limits: ListLimits | None = None
    skip: int = 0  # cycles to wait before trying again
    failures: list[str] = field(default_factory=list)


class LocalListSync:
    def __init__(
        self,
        config: Callable[[], CentralSystemConfig],
        registry: ConnectionRegistry,
        interval_s: float,
    ) -> None:
        self._config = config  # read when used: tests replace the central system's clock
        self.registry = registry
        self._tracked: dict[str, _Tracked] = {}
        self._turn = 0
        self.rounds = Periodic(
            interval_s, self.cycle, "keeping the stations' local lists in step failed"
        )

    def start(self) -> None:
        self.rounds.start()

    async def stop(self) -> None:
        await self.rounds.stop()

    async def cycle(self) -> None:
        """One round: up to PER_CYCLE connected stations brought in step, concurrently."""
        live = [connection for connection in self.registry if not connection.closed]
        current = {connection.identity for connection in live}
        for identity in list(self._tracked):
            if identity not in current:
                del self._tracked[identity]
        if not live:
            return
        start = self._turn % len(live)
        batch = (live[start:] + live[:start])[:PER_CYCLE]
        self._turn = start + len(batch)
        outcomes = await asyncio.gather(
            *(self._in_step(connection) for connection in batch), return_exceptions=True
        )
        failures = [o for o in outcomes if isinstance(o, Exception)]
        if failures:  # the database unavailable, say: one line a round, the next one tries again
            logger.warning(
                "%d station(s) not brought in step with the cards: %r", len(failures), failures[0]
            )

    async def _in_step(self, live: LiveConnection) -> None:
        tracked = self._tracked.get(live.identity)
        if tracked is None or tracked.live is not live:
            tracked = self._tracked[live.identity] = _Tracked(live)
        if tracked.unsupported:
            return
        if tracked.skip > 0:
            tracked.skip -= 1
            return
        try:
            await self._bring_in_step(tracked)
        except ListTooLong as error:
            logger.warning("%s: %s", live.identity, error.message)
            tracked.skip = RETRY_CYCLES
        except DomainError as error:
            if " with NotSupported" in error.message or " with NotImplemented" in error.message:
                tracked.unsupported = True  # a CallError to our call: no local list here
            else:
                logger.info("%s: local list not sent: %s", live.identity, error.message)
                tracked.skip = RETRY_CYCLES

    async def _bring_in_step(self, tracked: _Tracked) -> None:
        live = tracked.live
        config = self._config()
        timeout = config.command_timeout

        async def send(command: Command) -> dict[str, Any]:
            return await call_station(live, command, timeout)

        pusher = LocalListPush(config.engine, live.station_id, send, config.now)

        async def limits() -> ListLimits:
            if tracked.limits is None:
                tracked.limits = await list_limits(send)
            return tracked.limits

        full, after_version = False, 0
        if not tracked.checked:
            theirs, ours = await pusher.ask_version()
            tracked.checked = True
            if theirs < 0:
                tracked.unsupported = True
                return
            full, after_version = theirs != ours, theirs
        outcome = await pusher.push(full=full, limits=limits, after_version=after_version)
        if outcome.result == NOT_SUPPORTED:
            tracked.unsupported = True
        elif outcome.result not in (None, "Accepted"):
            tracked.skip = RETRY_CYCLES
