"""MeterValues of all stations stored in shared transactions (group commit).

MeterValues are most of what stations send. Stored one transaction each, every message costs
a worker thread, a database round trip per statement and a commit, and the threads contend
for the interpreter. Here messages that arrive while a batch is being written wait for the
next batch: one worker thread, one transaction, one INSERT per batch (and, on PostgreSQL,
a second batch may be written while the first commits). On PostgreSQL the messages naming a
transaction their station is known to own (nearly all) are one COPY of their own
(`copy_connections`); the others go through the full `service.meter_values_batch`. Each
station is still answered only after its own readings are committed. If a batch fails, its
messages are stored again one transaction each, so that one bad message fails alone, as it
would on its own.
"""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

import anyio.to_thread
from sqlalchemy import Engine

from fleetcharge.csms import service
from fleetcharge.csms.copy_connections import CopyConnections
from fleetcharge.csms.schemas import MeterValuesRequest, StationRef
from fleetcharge.db import DATABASE_UNAVAILABLE, unit_of_work

MAX_BATCH = 500  # messages per transaction
# Transactions whose station is remembered (a few bytes each); forgotten all at once beyond.
MAX_KNOWN_OWNERS = 100_000
# Batches written at once: a second hides the first's commit round trip. SQLite has one
# writer at a time anyway.
CONCURRENT_BATCHES = {"sqlite": 1}
DEFAULT_CONCURRENT_BATCHES = 2

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Pending:
    station: StationRef
    request: MeterValuesRequest
    received_at: datetime
    stored: "asyncio.Future[None]"


class MeterValuesWriter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pending: list[_Pending] = []
        self._writers: set[asyncio.Task[None]] = set()
        self._concurrency = CONCURRENT_BATCHES.get(engine.dialect.name, DEFAULT_CONCURRENT_BATCHES)
        # transactionId -> station id, so that a batch does not ask the database again.
        self._owners: dict[int, int] = {}
        self._copier = CopyConnections(engine.url) if engine.dialect.name == "postgresql" else None

    def close(self) -> None:
        """Close the writer's own database connections (a batch still running closes its own)."""
        if self._copier is not None:
            self._copier.close()

    async def store(
        self, station: StationRef, request: MeterValuesRequest, received_at: datetime
    ) -> None:
        """Return once the message's readings are committed; raise what storing it raised."""
        stored = asyncio.get_running_loop().create_future()
        self._pending.append(_Pending(station, request, received_at, stored))
        if len(self._writers) < self._concurrency:
            writer = asyncio.create_task(self._drain())
            self._writers.add(writer)
            writer.add_done_callback(self._writers.discard)
        await stored

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                try:
                    outcomes = await anyio.to_thread.run_sync(self._write, batch)
                except asyncio.CancelledError:  # the event loop is shutting down
                    for pending in batch + self._pending:
                        pending.stored.cancel()
                    self._pending = []
                    raise
                _settle(batch, outcomes)
        finally:
            # Now, not in a done callback: a message queued in between would wait for a
            # writer that has stopped and is still counted.
            task = asyncio.current_task()
            if task is not None:
                self._writers.discard(task)

    def _write(self, batch: list[_Pending]) -> list[BaseException | None]:
        """The outcome of each message of the batch, in order: None when it is stored."""
        if len(self._owners) > MAX_KNOWN_OWNERS:
            self._owners = {}
        copied = self._copy_known(batch)
        rest = [pending for pending in batch if id(pending) not in copied]
        outcomes = dict(zip(map(id, rest), self._write_in_session(rest), strict=True))
        return [outcomes.get(id(pending)) for pending in batch]

    def _copy_known(self, batch: list[_Pending]) -> set[int]:
        """Store the messages naming a transaction their station is known to own, with one
        COPY; the ids of the messages stored (none if that failed)."""
        if self._copier is None:
            return set()
        known = [
            p for p in batch if self._owners.get(p.request.transaction_id or 0) == p.station.id
        ]
        if not known:
            return set()
        rows = [
            row
            for p in known
            for row in service.owned_transaction_rows(p.station, p.request, p.received_at)
        ]
        try:
            self._copier.copy(rows)
        except Exception:
            logger.warning("a COPY of %d MeterValues failed; storing them again", len(known))
            return set()
        return {id(pending) for pending in known}

    def _write_in_session(self, batch: list[_Pending]) -> list[BaseException | None]:
        if not batch:
            return []
        try:
            with unit_of_work(self.engine) as db:
                service.meter_values_batch(
                    db, [(p.station, p.request, p.received_at) for p in batch], self._owners
                )
            return [None] * len(batch)
        except DATABASE_UNAVAILABLE as error:
            return [error] * len(batch)  # one by one they would fail alike
        except Exception as error:
            if len(batch) == 1:
                return [error]
            logger.warning("a batch of %d MeterValues failed; storing them one by one", len(batch))
        return [self._write_one(pending) for pending in batch]

    def _write_one(self, pending: _Pending) -> BaseException | None:
        try:
            with unit_of_work(self.engine) as db:
                service.meter_values(db, pending.station, pending.request, pending.received_at)
        except Exception as error:
            return error
        return None


def _settle(batch: list[_Pending], outcomes: list[BaseException | None]) -> None:
    for pending, outcome in zip(batch, outcomes, strict=True):
        if pending.stored.done():  # the station's handler was cancelled (it left)
            continue
        if outcome is None:
            pending.stored.set_result(None)
        else:
            pending.stored.set_exception(outcome)
