"""The outage journal on disk: one append-only file per serving process.

A process claims a slot of the journal directory, `journal-N.lock` held with an exclusive
lock (flock) for its lifetime, and writes `journal-N.log`. Processes of one machine
(`serve --workers N`) never share a file, and the lock of a process that died (SIGKILL
included) is released by the kernel: the next process to start claims the slot and applies
what it left, and takes over other unclaimed slots that still hold entries.

Each line is `crc32 json`: a header (the journal's uuid and the database it is for), then
one line per append: the messages that arrived together, numbered on from 1. A line is
written and fsync'd before its stations are answered; one cut short by a crash (none of
its messages answered) fails its check and is cut off. A file is removed once every entry
in it is applied, and the next one has a new uuid.
"""

import fcntl
import json
import logging
import os
import threading
import time
import uuid
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

REJECTED = "journal-rejected.log"  # entries the database refused, set aside for operators


@dataclass(frozen=True)
class Entry:
    number: int
    message: dict[str, Any]
    resume_at: int  # where to read on once it is applied: its line's end, if it is the last


def encode(record: dict[str, Any]) -> bytes:
    data = json.dumps(record, separators=(",", ":")).encode()
    return b"%08x %s\n" % (zlib.crc32(data), data)


def decode(line: bytes) -> dict[str, Any] | None:
    """The record of a whole line, None when it is cut short or damaged."""
    if not line.endswith(b"\n") or len(line) < 10 or line[8:9] != b" ":
        return None
    data = line[9:-1]
    try:
        if int(line[:8], 16) != zlib.crc32(data):
            return None
        record = json.loads(data)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


class JournalFile:
    """One slot's file. Appends may come from one thread while another reads and applies:
    a reader sees only what is fsync'd."""

    def __init__(self, directory: Path, slot: int, lock_fd: int, database: str) -> None:
        self.directory = directory
        self.slot = slot
        self.database = database
        self.path = directory / f"journal-{slot}.log"
        self._lock_fd = lock_fd
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.id: str | None = None  # the uuid of the file's header; None: no file
        self.last_number = 0  # of the last durable entry
        self.applied_through = 0  # entries applied to the database (kept by the replayer)
        self._end = 0  # bytes durable
        self._read_at = 0  # where the replayer reads next

    @property
    def unapplied(self) -> int:
        return self.last_number - self.applied_through

    def load(self) -> str | None:
        """Read what an earlier process left; cut off a torn last line. The database the
        file is for (None: no file)."""
        try:
            content = self.path.read_bytes()
        except FileNotFoundError:
            return None
        lines = content.splitlines(keepends=True)
        header = decode(lines[0]) if lines else None
        if header is None:  # torn while being created: nothing in it was acknowledged
            self.path.unlink()
            return None
        if header.get("database") != self.database:
            return str(header.get("database"))
        self.id = str(header["journal"])
        self._end = self._read_at = len(lines[0])
        for line in lines[1:]:
            record = decode(line)
            if record is None or record.get("n") != self.last_number + 1:
                self._cut(content, line)
                break
            self.last_number += len(record["messages"])
            self._end += len(line)
        return self.database

    def _cut(self, content: bytes, bad: bytes) -> None:
        if self._end + len(bad) < len(content):
            # Not just a torn last line: keep the damaged file for operators.
            aside = self.path.with_name(f"{self.path.name}.damaged-{int(time.time())}")
            aside.write_bytes(content)
            logger.error(
                "journal %s is damaged after entry %d; a copy is kept in %s",
                self.path,
                self.last_number,
                aside,
            )
        else:
            logger.warning(
                "journal %s: ignored a line cut short after entry %d (being written when "
                "a process stopped: none of it was answered)",
                self.path,
                self.last_number,
            )
        with open(self.path, "r+b") as file:
            file.truncate(self._end)
            os.fsync(file.fileno())

    def append(self, messages: Sequence[dict[str, Any]]) -> None:
        """Write the messages as the next entries and fsync them (raises OSError)."""
        with self._lock:
            header = b""
            if self.id is None:
                journal_id = str(uuid.uuid4())
                header = encode({"journal": journal_id, "database": self.database})
            data = header + encode({"n": self.last_number + 1, "messages": list(messages)})
            try:
                _write_synced(self.path, data)
                if header:
                    _sync_directory(self.directory)
            except OSError:
                self._undo_write(created=bool(header))
                raise
            if header:
                self.id = journal_id
                self._read_at = len(header)
            self.last_number += len(messages)
            self._end += len(data)

    def _undo_write(self, *, created: bool) -> None:
        """After a failed write, drop whatever part of it reached the file."""
        try:
            if created:
                self.path.unlink(missing_ok=True)
            else:
                os.truncate(self.path, self._end)
        except OSError:
            logger.exception("journal %s: could not undo a failed write", self.path)

    def unread(self, limit: int) -> list[Entry]:
        """The next durable entries not applied yet (at most `limit`)."""
        with self._lock:
            start, end = self._read_at, self._end
        entries: list[Entry] = []
        if start >= end:
            return entries
        with open(self.path, "rb") as file:
            file.seek(start)
            for line in _lines(file, end - start):
                if len(entries) >= limit:
                    break
                record = decode(line)
                assert record is not None, f"{self.path}: unreadable line at byte {start}"
                line_start, start = start, start + len(line)
                last = len(record["messages"]) - 1
                for i, message in enumerate(record["messages"]):
                    number = record["n"] + i
                    if number > self.applied_through:
                        entries.append(Entry(number, message, start if i == last else line_start))
                if not entries:
                    self._read_at = start  # applied before this process read the file
        return entries

    def applied(self, entry: Entry) -> None:
        """The entry, and every one before it, is in the database."""
        self.applied_through = entry.number
        self._read_at = entry.resume_at

    def remove_if_applied(self) -> bool:
        """Remove the file when every entry is applied (the next append starts a new one)."""
        with self._lock:
            if self.applied_through < self.last_number:
                return False
            if self.id is not None:
                self.path.unlink(missing_ok=True)
                _sync_directory(self.directory)
            self._reset()
            return True

    def set_aside(self, entry: Entry, reason: str) -> Path:
        """Keep an entry the database refused in the rejected file (fsync'd)."""
        path = self.directory / REJECTED
        record = {"journal": self.id, "n": entry.number, "reason": reason, "message": entry.message}
        _write_synced(path, encode(record))
        return path

    def release(self) -> None:
        """Give the slot up (its lock)."""
        os.close(self._lock_fd)


def _lines(file: Any, size: int) -> Iterator[bytes]:
    remaining = size
    while remaining > 0:
        line = file.readline(remaining)
        if not line:
            return
        remaining -= len(line)
        yield line


def _write_synced(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def claim(directory: Path, database: str) -> tuple[JournalFile, list[JournalFile]]:
    """This process's slot (the first free one for this database), and the free slots left
    with entries by processes that stopped, locked too: apply those, then release them."""
    directory.mkdir(parents=True, exist_ok=True)
    own: JournalFile | None = None
    orphans: list[JournalFile] = []
    slot = 0
    while True:
        lock_path = directory / f"journal-{slot}.lock"
        if own is not None and not lock_path.exists():
            return own, orphans
        journal = _lock(directory, slot, database)
        slot += 1
        if journal is None:
            continue
        found = journal.load()
        if found not in (None, database):
            logger.warning(
                "journal %s is for another database (%s): left alone", journal.path, found
            )
            journal.release()
        elif own is None:
            own = journal
        elif journal.last_number:
            orphans.append(journal)
        else:
            journal.release()


def _lock(directory: Path, slot: int, database: str) -> JournalFile | None:
    fd = os.open(directory / f"journal-{slot}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return JournalFile(directory, slot, fd, database)
