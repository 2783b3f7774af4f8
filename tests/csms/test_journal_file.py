"""The outage journal's files: entries in order, durable across a process stopping, a torn
last record cut off (never an acknowledged one), one file per process, left-overs taken over."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetcharge.csms.journal_file import REJECTED, Entry, JournalFile, claim, decode

DATABASE = "sqlite:////tmp/fleetcharge.db"


def messages(count: int, start: int = 0) -> list[dict[str, object]]:
    return [
        {"action": "MeterValues", "k": start + i, "text": "é\u0000\ud800"} for i in range(count)
    ]


def read_all(journal: JournalFile) -> list[Entry]:
    return journal.unread(1_000_000)


def reopened(directory: Path, journal: JournalFile) -> JournalFile:
    """The file as the next process to claim the slot finds it."""
    journal.release()
    own, orphans = claim(directory, DATABASE)
    assert own.slot == journal.slot and not orphans
    return own


def test_entries_come_back_in_order_after_the_process_is_gone(tmp_path: Path) -> None:
    journal, orphans = claim(tmp_path, DATABASE)
    assert orphans == [] and not journal.path.exists()  # nothing written until needed
    journal.append(messages(3))
    journal.append(messages(2, start=3))
    assert [e.number for e in read_all(journal)] == [1, 2, 3, 4, 5]

    again = reopened(tmp_path, journal)
    entries = read_all(again)
    assert [e.number for e in entries] == [1, 2, 3, 4, 5]
    assert [e.message for e in entries] == messages(5)
    assert again.id == journal.id and again.unapplied == 5


def test_applied_entries_are_not_read_again_and_the_file_goes_when_all_are(
    tmp_path: Path,
) -> None:
    journal, _ = claim(tmp_path, DATABASE)
    journal.append(messages(3))
    _first, second, _third = read_all(journal)
    journal.applied(second)
    assert [e.number for e in read_all(journal)] == [3]
    assert not journal.remove_if_applied() and journal.path.exists()
    journal.append(messages(1, start=3))  # arrives meanwhile
    journal.applied(read_all(journal)[-1])
    old_id = journal.id
    assert journal.remove_if_applied() and not journal.path.exists()
    journal.append(messages(1))
    assert journal.id != old_id  # a new journal, numbered from 1 again
    assert [e.number for e in read_all(journal)] == [1]


def test_a_torn_last_record_is_cut_off_and_numbering_goes_on(tmp_path: Path) -> None:
    journal, _ = claim(tmp_path, DATABASE)
    journal.append(messages(2))
    whole = journal.path.read_bytes()
    journal.append(messages(1, start=2))
    third = journal.path.read_bytes()[len(whole) :]
    journal.path.write_bytes(whole + third[: len(third) // 2])  # the crash, mid-write

    again = reopened(tmp_path, journal)
    assert [e.number for e in read_all(again)] == [1, 2]
    assert again.path.read_bytes() == whole
    again.append(messages(1, start=7))
    assert [(e.number, e.message["k"]) for e in read_all(reopened(tmp_path, again))] == [
        (1, 0),
        (2, 1),
        (3, 7),
    ]


def test_damage_before_the_end_keeps_a_copy(tmp_path: Path) -> None:
    journal, _ = claim(tmp_path, DATABASE)
    for k in range(3):
        journal.append(messages(1, start=k))
    content = bytearray(journal.path.read_bytes())
    second = content.index(b'"n":2')
    content[second + 20] ^= 0xFF  # the second append's line, with the third after it
    journal.path.write_bytes(bytes(content))

    again = reopened(tmp_path, journal)
    assert [e.number for e in read_all(again)] == [1]
    (copy,) = tmp_path.glob("journal-0.log.damaged-*")
    assert copy.read_bytes() == bytes(content)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batches=st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=6),
    cut=st.floats(min_value=0, max_value=1, exclude_max=True),
)
def test_a_crash_anywhere_in_a_write_loses_only_that_write(
    tmp_path_factory: pytest.TempPathFactory, batches: list[int], cut: float
) -> None:
    """Every entry of a completed append (answered) survives; none of the cut one does, even
    if some of its messages reached the disk whole."""
    directory = tmp_path_factory.mktemp("journal")
    journal, _ = claim(directory, DATABASE)
    for size in batches[:-1]:
        journal.append(messages(size))
    durable = journal.path.read_bytes() if journal.path.exists() else b""
    journal.append(messages(batches[-1]))
    last = journal.path.read_bytes()[len(durable) :]
    journal.path.write_bytes(durable + last[: int(len(last) * cut)])

    again = reopened(directory, journal)
    assert [e.number for e in read_all(again)] == list(range(1, sum(batches[:-1]) + 1))
    again.release()


def test_each_process_its_own_file_and_what_a_dead_one_left_is_taken_over(
    tmp_path: Path,
) -> None:
    first, _ = claim(tmp_path, DATABASE)
    second, _ = claim(tmp_path, DATABASE)
    third, _ = claim(tmp_path, DATABASE)
    assert [first.slot, second.slot, third.slot] == [0, 1, 2]
    second.append(messages(2))
    third.append(messages(1))
    second.release()  # both processes die
    third.release()

    own, orphans = claim(tmp_path, DATABASE)
    assert own.slot == 1 and own.unapplied == 2  # the first free slot, with its entries
    assert [(o.slot, o.unapplied) for o in orphans] == [(2, 1)]
    later, none = claim(tmp_path, DATABASE)
    assert later.slot == 3 and none == []  # locked slots are nobody else's


def test_a_killed_process_releases_its_slot(tmp_path: Path) -> None:
    """The lock is the kernel's: a process killed with SIGKILL gives its slot up."""
    script = (
        "import sys, time; from pathlib import Path;"
        "from fleetcharge.csms.journal_file import claim;"
        f"j, _ = claim(Path(sys.argv[1]), {DATABASE!r}); j.append([{{'k': 1}}]);"
        "print(j.slot, flush=True); time.sleep(60)"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "0"
        busy, _ = claim(tmp_path, DATABASE)
        assert busy.slot == 1
        child.kill()
        child.wait(10)
        own, _ = claim(tmp_path, DATABASE)
        assert own.slot == 0 and [e.message for e in read_all(own)] == [{"k": 1}]
    finally:
        child.kill()
        child.wait(10)


def test_another_databases_journal_is_left_alone(tmp_path: Path) -> None:
    other, _ = claim(tmp_path, "postgresql://elsewhere/db")
    other.append(messages(1))
    other.release()
    own, orphans = claim(tmp_path, DATABASE)
    assert own.slot == 1 and orphans == []
    assert (tmp_path / "journal-0.log").exists()


def test_an_entry_set_aside_is_kept_whole(tmp_path: Path) -> None:
    journal, _ = claim(tmp_path, DATABASE)
    journal.append(messages(1))
    (entry,) = read_all(journal)
    path = journal.set_aside(entry, "IntegrityError: no such station")
    assert path == tmp_path / REJECTED
    record = decode(path.read_bytes())
    assert record == {
        "journal": journal.id,
        "n": 1,
        "reason": "IntegrityError: no such station",
        "message": entry.message,
    }


def test_a_failed_write_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal, _ = claim(tmp_path, DATABASE)
    journal.append(messages(1))
    before = journal.path.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        journal.append(messages(2))
    monkeypatch.undo()
    assert journal.path.read_bytes() == before and journal.last_number == 1
    journal.append(messages(1))
    assert [e.number for e in read_all(reopened(tmp_path, journal))] == [1, 2]
