"""Sending a station its local list (SendLocalList) and asking its version
(GetLocalListVersion), through any way of reaching it: the router (an operator's request,
from any process) or its socket here (`local_list_sync`).

Each answer is recorded in its own unit of work as it comes: an update the station accepted
is what it holds even when a later one fails.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import anyio.to_thread
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fleetcharge.csms.commands import Command
from fleetcharge.db import unit_of_work
from fleetcharge.errors import DomainError
from fleetcharge.local_lists import service
from fleetcharge.local_lists.entries import Update, updates

# Sends a command to the station; its whole answer (camelCase).
Send = Callable[[Command], Awaitable[dict[str, Any]]]
VERSION_MISMATCH = "VersionMismatch"
LIMIT_KEYS = ("LocalAuthListMaxLength", "SendLocalListMaxLength")


@dataclass(frozen=True)
class ListLimits:
    max_length: int | None = None  # LocalAuthListMaxLength
    per_message: int | None = None  # SendLocalListMaxLength


async def list_limits(send: Send) -> ListLimits:
    """The station's list size limits, asked with GetConfiguration just before sending (none
    when it does not say): the stored configuration may predate a firmware update."""
    answer = await send(Command("GetConfiguration", {"key": list(LIMIT_KEYS)}))
    values = {
        item.get("key"): item.get("value")
        for item in answer.get("configurationKey") or []
        if isinstance(item, dict)
    }
    return ListLimits(*(_positive(values.get(key)) for key in LIMIT_KEYS))


def _positive(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if number > 0 else None


@dataclass
class PushOutcome:
    """The updates sent and the station's answers; `result` the last answer (None: in step,
    nothing sent)."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    result: str | None = None
    version: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"result": self.result, "version": self.version, "updates": self.sent}


class LocalListPush:
    def __init__(self, engine: Engine, station_id: int, send: Send, now: Callable[[], datetime]):
        self.engine = engine
        self.station_id = station_id
        self.send = send
        self.now = now

    async def _db(self, work: Callable[[Session], Any]) -> Any:
        def run() -> Any:
            with unit_of_work(self.engine) as db:
                return work(db)

        return await anyio.to_thread.run_sync(run)

    async def ask_version(self) -> tuple[int, int]:
        """GetLocalListVersion: (the station's version, ours); recorded."""
        answer = await self.send(Command("GetLocalListVersion", {}))
        version = int(answer["listVersion"])
        at = self.now()
        ours: int = await self._db(
            lambda db: service.record_version(db, self.station_id, version, at)
        )
        return version, ours

    async def push(
        self,
        *,
        full: bool,
        limits: ListLimits | Callable[[], Awaitable[ListLimits]],
        after_version: int = 0,
    ) -> PushOutcome:
        """Send what the station's list lacks (all of it when `full`); a Differential update
        answered VersionMismatch is followed by the full list."""
        at = self.now()
        pending: service.Pending = await self._db(
            lambda db: service.pending(
                db, self.station_id, at, full=full, after_version=after_version
            )
        )
        outcome = PushOutcome(version=pending.version)
        if not pending.changes and not full:
            return outcome
        if not isinstance(limits, ListLimits):
            limits = await limits()
        planned = updates(
            pending.version,
            pending.changes,
            full=full,
            list_size=pending.list_size,
            max_length=limits.max_length,
            per_message=limits.per_message,
        )
        for update in planned:
            status = await self._send_update(update)
            outcome.sent.append(
                {
                    "listVersion": update.list_version,
                    "updateType": update.update_type,
                    "entries": len(update.changes),
                    "status": status,
                }
            )
            outcome.result = status
            if status != service.ACCEPTED:
                if status == VERSION_MISMATCH and not full:
                    again = await self.push(full=True, limits=limits)
                    again.sent[:0] = outcome.sent
                    return again
                return outcome
            outcome.version = update.list_version
        return outcome

    async def _send_update(self, update: Update) -> str:
        try:
            answer = await self.send(Command("SendLocalList", update.payload()))
        except DomainError as error:
            await self._record(update, error.code)
            raise
        status = str(answer.get("status"))
        await self._record(update, status)
        return status

    async def _record(self, update: Update, result: str) -> None:
        at = self.now()
        await self._db(lambda db: service.record_answer(db, self.station_id, update, result, at))
