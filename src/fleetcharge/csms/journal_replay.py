"""Applying an outage journal's entries to the database, in order, each exactly once.

Entries are applied in batches, each in one transaction that also records how far the
journal is applied (`ocpp_journal_progress`): whenever a process stops, the database says
which entries it holds already. An entry the database refuses for what it contains (not
for being unavailable) would be refused for ever: it is set aside in the rejected file,
logged, and counted as applied, so that the entries after it are not held up.
"""

import logging
from datetime import UTC, datetime

from pydantic import TypeAdapter
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fleetcharge.csms import service
from fleetcharge.csms.clock import ClockPolicy
from fleetcharge.csms.journal_file import Entry, JournalFile
from fleetcharge.csms.schemas import KeptMessage
from fleetcharge.db import DATABASE_UNAVAILABLE, unit_of_work
from fleetcharge.models import OcppJournalProgress

logger = logging.getLogger(__name__)

BATCH = 200  # entries per transaction
MESSAGES = TypeAdapter(KeptMessage)


def replay(engine: Engine, journal: JournalFile, policy: ClockPolicy) -> int:
    """Apply every durable entry of the journal not applied yet; how many were applied.
    Raises what the database raised when it is unavailable (then the entries of the batch
    under way are not applied, and are applied by the next call)."""
    if journal.id is None:
        return 0
    if journal.applied_through == 0:
        with unit_of_work(engine) as db:
            progress = db.get(OcppJournalProgress, journal.id)
            journal.applied_through = progress.applied_through if progress is not None else 0
    applied = 0
    while entries := journal.unread(BATCH):
        try:
            _apply(engine, journal.id, entries, policy)
        except DATABASE_UNAVAILABLE:
            raise
        except Exception:  # one of them is refused: apply the others
            for entry in entries:
                _apply_or_set_aside(engine, journal, entry, policy)
        journal.applied(entries[-1])
        applied += len(entries)
    return applied


def _apply(engine: Engine, journal_id: str, entries: list[Entry], policy: ClockPolicy) -> None:
    with unit_of_work(engine) as db:
        for entry in entries:
            service.apply_kept(db, MESSAGES.validate_python(entry.message), policy)
        _record_progress(db, journal_id, entries[-1].number)


def _apply_or_set_aside(
    engine: Engine, journal: JournalFile, entry: Entry, policy: ClockPolicy
) -> None:
    assert journal.id is not None
    try:
        _apply(engine, journal.id, [entry], policy)
    except DATABASE_UNAVAILABLE:
        raise
    except Exception as error:
        reason = f"{type(error).__name__}: {str(error)[:500]}"
        path = journal.set_aside(entry, reason)
        logger.error(
            "journal %s: entry %d set aside in %s, the database refused it: %s",
            journal.path,
            entry.number,
            path,
            reason,
        )
        with unit_of_work(engine) as db:
            _record_progress(db, journal.id, entry.number)
    journal.applied(entry)


def _record_progress(db: Session, journal_id: str, applied_through: int) -> None:
    db.merge(
        OcppJournalProgress(
            journal=journal_id, applied_through=applied_through, updated_at=datetime.now(UTC)
        )
    )
