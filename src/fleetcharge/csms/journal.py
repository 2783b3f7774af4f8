"""Transaction messages answered while the database is unavailable, applied once it is back.

StartTransaction, StopTransaction and MeterValues naming a transaction are applied to the
database before they are answered. When the database is unavailable, the message is written
to this process's outage journal on local disk (`journal_file`, fsync'd) and answered as
usual: StartTransaction with an id from the block reserved in advance (`transaction_ids`),
idTagInfo Accepted (the card is checked when the message is applied). From then on every
transaction message of this process goes to the journal, so that each station's messages
are applied in the order it sent them, until a background task has applied the whole
journal (`journal_replay`); then messages go to the database again.

While the database is up nothing here runs per message: no file is written and no fsync
made (a message is committed to the database before it is answered).
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from sqlalchemy import Engine, select

from fleetcharge.csms.clock import ClockPolicy
from fleetcharge.csms.journal_file import JournalFile, claim
from fleetcharge.csms.journal_replay import MESSAGES, replay
from fleetcharge.csms.protocol import unavailable
from fleetcharge.csms.schemas import KeptMessage, StationRef
from fleetcharge.csms.transaction_ids import ReservedIds
from fleetcharge.db import DATABASE_UNAVAILABLE
from fleetcharge.metrics import OCPP_JOURNAL_ENTRIES

logger = logging.getLogger(__name__)

T = TypeVar("T")
RETRY_S = 1.0  # how often the database is tried while the journal holds entries
# How long a station's other messages wait, once the database is back, for its transaction
# messages in the journal to be applied before them.
SETTLE_S = 10.0
SETTLE_POLL_S = 0.05
IDLE_S = 30.0  # how often a failed reservation of transactionIds is tried again


@dataclass(frozen=True)
class Kept:
    """The message is in the journal; a StartTransaction's id."""

    transaction_id: int | None = None


class TransactionJournal:
    def __init__(
        self, engine: Engine, directory: Path | None, policy: ClockPolicy, reserved_ids: int
    ) -> None:
        self.engine = engine
        self.directory = directory
        self.policy = policy
        self.ids = ReservedIds(engine, reserved_ids)
        self.journaling = False  # transaction messages go to the journal
        self._file: JournalFile | None = None
        self._adopted: list[JournalFile] = []  # left by processes that stopped; first
        self._pending: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None  # of the event loop serving
        self._database_up = True  # as far as the last try of the worker tells
        # StartTransactions in the journal -> the id answered, for one sent again.
        self._starts: dict[tuple[Any, ...], int] = {}
        # Station id -> the number of its last message in this process's journal.
        self._last_kept: dict[int, int] = {}

    @property
    def depth(self) -> int:
        """Entries answered and not applied yet."""
        return sum(j.unapplied for j in self._journals())

    def _journals(self) -> list[JournalFile]:
        return [*self._adopted, *([self._file] if self._file is not None else [])]

    async def start(self) -> None:
        """Claim this process's journal; apply what earlier processes left (before stations
        connect, if the database is up); keep transactionIds reserved."""
        if self.directory is None:
            logger.warning(
                "no outage journal: transaction messages fail while the database is unavailable"
            )
            return
        database = self.engine.url.render_as_string(hide_password=True)
        try:
            self._file, self._adopted = await anyio.to_thread.run_sync(
                claim, self.directory, database
            )
        except OSError as error:
            logger.error(
                "cannot use the outage journal directory %s (%s): transaction messages "
                "fail while the database is unavailable",
                self.directory,
                error,
            )
            return
        self._wake = asyncio.Event()
        if self.depth:
            self.journaling = True
            logger.warning(
                "journal: up to %d messages left by a stopped process to apply", self.depth
            )
            await self._work_once()
        self._worker = asyncio.create_task(self._work())

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)
        if self.depth:
            logger.warning(
                "journal: %d messages not applied yet stay in %s for the next start",
                self.depth,
                self.directory,
            )
        for journal in self._journals():
            journal.release()
        self._file, self._adopted, self._worker, self._writer = None, [], None, None
        self.journaling = False
        self._starts.clear()
        self._last_kept.clear()

    async def deliver(self, message: KeptMessage, apply: Callable[[], Awaitable[T]]) -> T | Kept:
        """`apply()` the message to the database; while it is unavailable (or the journal
        holds messages), keep it in the journal instead."""
        if not self.journaling:
            try:
                return await apply()
            except DATABASE_UNAVAILABLE as error:
                if self._file is None:
                    raise
                if not self.journaling:
                    logger.warning(
                        "database unavailable (%s): transaction messages go to the journal "
                        "%s until it is back",
                        type(error).__name__,
                        self._file.path,
                    )
        return await self.keep(message)

    async def settle(self, station: StationRef) -> None:
        """Before a message that reads what a station's transactions are (Authorize says
        ConcurrentTx for an open one, an Available may extend a stopped one): while that
        station's earlier transaction messages wait in the journal, wait until they are
        applied, once the database is back (up to SETTLE_S); until then the message fails
        as it would with the database unavailable."""
        kept = self._last_kept.get(station.id)
        if kept is None:
            return
        deadline = asyncio.get_running_loop().time() + SETTLE_S
        while self._database_up and asyncio.get_running_loop().time() < deadline:
            own = self._file
            if station.id not in self._last_kept or (own and own.applied_through >= kept):
                return
            await asyncio.sleep(SETTLE_POLL_S)
        raise unavailable()

    async def keep(self, message: KeptMessage) -> Kept:
        """Write the message to the journal; return once it is durable. Raises an
        InternalError CallError when it cannot be (no id left, no journal, a disk error)."""
        if self._file is None:
            raise unavailable()
        if not self.journaling:
            self.journaling = True
            self._database_up = False
            if self._wake is not None:
                self._wake.set()  # from its long wait: try the database every RETRY_S
        transaction_id = None
        if message.start is not None:
            key = _start_key(message)
            transaction_id = self._starts.get(key) or self.ids.take()
            if transaction_id is None:
                raise unavailable()
            message = KeptMessage(
                message.station, message.received_at, message.start, transaction_id
            )
        written = asyncio.get_running_loop().create_future()
        self._pending.append((MESSAGES.dump_python(message, mode="json"), written))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        await written
        self._last_kept[message.station.id] = self._file.last_number
        if message.start is not None:
            self._starts[_start_key(message)] = transaction_id  # type: ignore[assignment]
        return Kept(transaction_id)

    async def _write(self) -> None:
        """Append what is pending, a batch at a time (one fsync for all of it)."""
        journal = self._file
        assert journal is not None
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await anyio.to_thread.run_sync(journal.append, [m for m, _ in batch])
            except Exception as error:  # a full or failing disk: those stations hear so
                logger.error("journal %s: cannot write (%s)", journal.path, error)
                for _, written in batch:
                    if not written.done():
                        written.set_exception(unavailable())
                continue
            OCPP_JOURNAL_ENTRIES.set(self.depth)
            for _, written in batch:
                if not written.done():
                    written.set_result(None)

    async def _work(self) -> None:
        """Apply the journal while it holds entries; keep transactionIds reserved."""
        wake = self._wake
        assert wake is not None
        while True:
            await self._work_once()
            delay = RETRY_S if self.journaling else IDLE_S
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await wake.wait()
            wake.clear()

    async def _work_once(self) -> None:
        try:
            if self.journaling:
                await anyio.to_thread.run_sync(self._try_database)
                self._database_up = True
                await self._apply()
            if not self.journaling and self.ids.low:
                await anyio.to_thread.run_sync(self.ids.refill)
        except DATABASE_UNAVAILABLE:
            self._database_up = False
        except Exception:
            logger.exception("journal: applying or reserving transactionIds failed")

    def _try_database(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(select(1))

    async def _apply(self) -> None:
        for journal in self._journals():
            applied = await anyio.to_thread.run_sync(replay, self.engine, journal, self.policy)
            if applied:
                OCPP_JOURNAL_ENTRIES.set(self.depth)
                logger.info("journal %s: %d messages applied", journal.path, applied)
        for journal in list(self._adopted):
            if await anyio.to_thread.run_sync(journal.remove_if_applied):
                journal.release()
                self._adopted.remove(journal)
        own = self._file
        if self._adopted or self._pending or (self._writer and not self._writer.done()):
            return
        if own is not None and own.unapplied:
            return
        # Everything answered is applied: the database takes messages again.
        self.journaling = False
        self._starts.clear()
        self._last_kept.clear()
        logger.warning("journal applied: transaction messages go to the database again")
        if own is not None:
            await anyio.to_thread.run_sync(own.remove_if_applied)


def _start_key(message: KeptMessage) -> tuple[Any, ...]:
    start = message.start
    assert start is not None
    return (
        message.station.id,
        start.connector_number,
        start.id_tag,
        start.timestamp.reported,
        start.meter_start_wh,
    )
