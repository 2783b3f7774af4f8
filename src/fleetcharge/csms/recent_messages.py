"""The last OCPP frames exchanged with each station, kept for the operator's station page.

On the message path a frame costs one append to a list (its text cut to MAX_CHARS); a
background task writes what gathered every FLUSH_SECONDS, in one transaction on a worker
thread, into `ocpp_recent_messages`: a ring of `slots` rows per station overwritten in
place (upserts, no deletes), so any process serving the page reads it and the table never
grows beyond stations x slots. A station sending more than PER_FLUSH frames in one period
keeps its latest PER_FLUSH (real stations send a few a minute; a flood must not make the
writer a second central system). What cannot be written (the database is away) is dropped:
this is a diagnostic view, not a record.
"""

import contextlib
import logging
import re
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio.to_thread
from sqlalchemy import Engine, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from fleetcharge.csms.periodic import Periodic
from fleetcharge.db import unit_of_work
from fleetcharge.models import OcppRecentMessage

logger = logging.getLogger(__name__)

DEFAULT_SLOTS = 50
MAX_CHARS = 2000
FLUSH_SECONDS = 1.0
PER_FLUSH = 10
# Frames waiting at most (beyond, new ones are dropped until the next write).
MAX_WAITING = 50_000
# Stations whose next sequence number is remembered; forgotten all at once beyond.
MAX_KNOWN_STATIONS = 100_000

# [type, "unique id", "Action"... at the start of a frame: read without parsing it all.
_HEAD = re.compile(r'^\s*\[\s*([234])\s*,\s*"((?:[^"\\]|\\.){0,36})"\s*(?:,\s*"([A-Za-z]{1,40})")?')

Frame = tuple[int, str, float, str]  # station id, direction, Unix time, text


@dataclass(frozen=True)
class RecentMessage:
    seq: int
    direction: str  # "in" from the station, "out" to it
    message_type: int | None
    unique_id: str | None
    action: str | None  # a Call's; for an answer, that of the Call it answers, if kept
    frame: str
    at: datetime


class RecentMessages:
    def __init__(self, engine: Engine, slots: int = DEFAULT_SLOTS) -> None:
        self.engine = engine
        self.slots = slots
        self._waiting: list[Frame] = []
        self._next_seq: dict[int, int] = {}
        self.writes = Periodic(
            FLUSH_SECONDS if self.slots > 0 else 0,
            self._write_any,
            "writing the stations' recent OCPP messages failed",
        )
        self._failing = False

    @property
    def enabled(self) -> bool:
        return self.slots > 0

    def record(self, station_id: int, direction: str, text: str) -> None:
        """Keep a frame for the next write (the only work done on the message path)."""
        if self.slots > 0 and len(self._waiting) < MAX_WAITING:
            self._waiting.append((station_id, direction, time.time(), text[:MAX_CHARS]))

    async def start(self) -> None:
        self.writes.start()

    async def stop(self) -> None:
        """Stop writing, after writing what is waiting (best effort)."""
        await self.writes.stop()
        with contextlib.suppress(Exception):
            await anyio.to_thread.run_sync(self.write_waiting)

    async def _write_any(self) -> None:
        if self._waiting:
            await anyio.to_thread.run_sync(self.write_waiting)

    def write_waiting(self) -> None:
        """Write the frames gathered since the last write; never raises."""
        frames, self._waiting = self._waiting, []
        if not frames:
            return
        try:
            with unit_of_work(self.engine) as db:
                self._write(db, frames)
        except Exception as error:
            self._next_seq = {}  # the write may or may not have happened
            if not self._failing:
                logger.warning("cannot keep the stations' recent OCPP messages: %s", error)
            self._failing = True
            return
        if self._failing:
            logger.info("keeping the stations' recent OCPP messages again")
        self._failing = False

    def _write(self, db: Session, frames: list[Frame]) -> None:
        by_station: dict[int, list[Frame]] = defaultdict(list)
        for frame in frames:
            by_station[frame[0]].append(frame)
        if len(self._next_seq) > MAX_KNOWN_STATIONS:
            self._next_seq = {}
        unknown = [station_id for station_id in by_station if station_id not in self._next_seq]
        if unknown:
            self._next_seq.update(next_sequence_numbers(db, unknown))
        rows: list[dict[str, Any]] = []
        for station_id, kept in by_station.items():
            seq = self._next_seq.get(station_id, 0)
            for _, direction, at, text in kept[-min(PER_FLUSH, self.slots) :]:
                rows.append(_row(station_id, seq, seq % self.slots, direction, at, text))
                seq += 1
            self._next_seq[station_id] = seq
        upsert_rows(db, rows)


def _row(station_id: int, seq: int, slot: int, direction: str, at: float, text: str) -> dict:
    head = _HEAD.match(text)
    return {
        "station_id": station_id,
        "slot": slot,
        "seq": seq,
        "direction": direction,
        "message_type": int(head.group(1)) if head else None,
        "unique_id": head.group(2) if head else None,
        "action": head.group(3) if head and head.group(1) == "2" else None,
        "frame": text,
        "at": datetime.fromtimestamp(at, UTC),
    }


def next_sequence_numbers(db: Session, station_ids: Sequence[int]) -> dict[int, int]:
    """Each station's next sequence number: one above its newest kept message (0 if none),
    so a process taking a station over continues its ring."""
    found = db.execute(
        select(OcppRecentMessage.station_id, func.max(OcppRecentMessage.seq))
        .where(OcppRecentMessage.station_id.in_(station_ids))
        .group_by(OcppRecentMessage.station_id)
    )
    return {station_id: int(top) + 1 for station_id, top in found}


def upsert_rows(db: Session, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(OcppRecentMessage)
    replaced = {
        name: statement.excluded[name]
        for name in ("seq", "direction", "message_type", "unique_id", "action", "frame", "at")
    }
    db.execute(
        statement.on_conflict_do_update(index_elements=["station_id", "slot"], set_=replaced),
        rows,
    )


def recent_messages(
    db: Session, station_id: int, limit: int = DEFAULT_SLOTS
) -> list[RecentMessage]:
    """The station's kept messages, newest first; an answer names the action of the Call it
    answers when that Call is kept too."""
    rows = db.scalars(
        select(OcppRecentMessage)
        .where(OcppRecentMessage.station_id == station_id)
        .order_by(OcppRecentMessage.seq.desc())
        .limit(limit)
    ).all()
    calls = {(row.direction, row.unique_id): row.action for row in rows if row.message_type == 2}
    answered = {"in": "out", "out": "in"}
    return [
        RecentMessage(
            seq=row.seq,
            direction=row.direction,
            message_type=row.message_type,
            unique_id=row.unique_id,
            action=row.action
            if row.message_type == 2
            else calls.get((answered.get(row.direction, ""), row.unique_id)),
            frame=row.frame,
            at=row.at,
        )
        for row in rows
    ]
