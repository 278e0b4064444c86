"""The history when its SQLite file fails: broken, locked, full, read-only (the job store's own
faults, under the same ``dbfile`` policy, are in test_jobstore_faults.py).

A broken file (not a database, damaged) is moved aside as
``<name>.broken-<time>`` once and a fresh one started, and the history merges
what it can still read back at the next start; a file locked by another
program or that cannot be written keeps the data in memory until it can
(locked is not broken: it is never moved). Each problem is said
once, and nothing raises into the scheduler's thread. The disk filling up is
``PRAGMA max_page_count`` on the store's own connection (SQLite then fails
exactly as on a full disk, SQLITE_FULL); the real full disk, on a tiny tmpfs,
is in tests/desktop/test_faults_e2e.py.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from necka_tray.store import dbfile
from necka_tray.store import history
from necka_tray.store.history import History, HistoryError
from necka_tray.store.history_writer import HistoryWriter
from tests.handclock import Clock

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def broken_files(path):
    """The moved-aside databases (their -wal and -shm go along with them)."""
    return sorted(p.name for p in path.parent.iterdir() if ".broken-" in p.name and not p.name.endswith(("-wal", "-shm")))


def integrity(path) -> str:
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


# -- the history -------------------------------------------------------------------------------


@pytest.fixture
def hist(tmp_path):
    return tmp_path / "data" / "history.sqlite3"


def reminder(i):
    return "reminder", NOW + timedelta(minutes=i), {"reminder": "posture", "notified": True}


def test_readers_leave_a_broken_history_alone(hist):
    hist.parent.mkdir(parents=True)
    hist.write_bytes(b"not a database" * 100)
    with pytest.raises(sqlite3.DatabaseError):
        History(hist)
    assert broken_files(hist) == [] and hist.read_bytes().startswith(b"not a database")


def test_the_tray_moves_a_broken_history_aside_at_start_and_records_afresh(hist, said):
    hist.parent.mkdir(parents=True)
    hist.write_bytes(b"not a database" * 100)
    writer = HistoryWriter(hist)
    writer.check()
    kind, ts, data = reminder(1)
    writer.record(kind, ts, **data)
    with History(hist) as h:
        assert [e.kind for e in h.events()] == ["reminder"]
    assert len(broken_files(hist)) == 1 and len(said) == 1 and f"moved to {hist.parent / broken_files(hist)[0]} and" in said[0]


def hold_exclusive_lock(hist, seconds: float) -> tuple[threading.Thread, threading.Event]:
    """Another program holds an exclusive lock on the history for ``seconds`` (set: it has it)."""
    has_it = threading.Event()

    def hold():
        other = sqlite3.connect(hist, check_same_thread=False)
        other.execute("PRAGMA locking_mode = EXCLUSIVE")
        other.execute("BEGIN EXCLUSIVE")
        has_it.set()
        time.sleep(seconds)
        other.close()

    thread = threading.Thread(target=hold)
    thread.start()
    has_it.wait(5)
    return thread, has_it


def test_a_history_locked_for_5_s_is_not_moved_and_its_events_are_written_after(hist, said, monkeypatch):
    monkeypatch.setattr(history, "BUSY_TIMEOUT_MS", 200)
    clock = Clock()
    writer = HistoryWriter(hist, monotonic=clock)
    writer.record(*reminder(0)[:2], **reminder(0)[2])
    holder, _ = hold_exclusive_lock(hist, 5)
    writer.record(*reminder(1)[:2], **reminder(1)[2])  # locked: waits in memory, nothing moved
    assert writer.waiting == 1 and broken_files(hist) == [] and said == []
    writer.flush()  # the retry is not due yet: not even tried
    clock.now += 30
    writer.flush()  # due, still locked: it lasts, so it is said, once
    writer.record(*reminder(2)[:2], **reminder(2)[2])
    clock.now += 60
    writer.flush()
    assert writer.waiting == 2 and broken_files(hist) == []
    assert len(said) == 1 and "locked by another program" in said[0] and "Nothing was moved" in said[0]
    holder.join()
    writer.flush()  # the back-off doubled (30, 60, 120 s): not due yet
    assert writer.waiting == 2
    clock.now += 120
    writer.flush()  # on the tick after the lock is gone: written
    assert writer.waiting == 0 and broken_files(hist) == []
    with History(hist) as h:
        assert [e.ts for e in h.events()] == [NOW + timedelta(minutes=i) for i in range(3)]


def test_quit_writes_what_waited_whatever_the_back_off(hist, said, monkeypatch):
    monkeypatch.setattr(history, "BUSY_TIMEOUT_MS", 200)
    clock = Clock()
    writer = HistoryWriter(hist, monotonic=clock)
    writer.record(*reminder(0)[:2], **reminder(0)[2])
    holder, _ = hold_exclusive_lock(hist, 1)
    writer.record(*reminder(1)[:2], **reminder(1)[2])  # locked: waits, its retry 30 s away
    holder.join()
    writer.flush()
    assert writer.waiting == 1  # the tick keeps the back-off
    writer.flush(final=True)  # quit does not: the last chance to keep it
    assert writer.waiting == 0
    with History(hist) as h:
        assert [e.ts for e in h.events()] == [NOW + timedelta(minutes=i) for i in range(2)]


def corrupt_index(hist) -> None:
    """Damage the events_count index page: quick_check fails, the table itself still reads."""
    with sqlite3.connect(hist) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'events_count'").fetchone()[0]
    with open(hist, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xff" * page_size)


def test_a_damaged_history_is_moved_aside_and_its_events_come_back_at_start(hist, said):
    with History(hist) as h:
        h.record_many([reminder(i) for i in range(20)])
    corrupt_index(hist)
    writer = HistoryWriter(hist)
    writer.check()  # moved aside as damaged, a fresh history started, and what it held merged back
    assert len(said) == 1 and "moved to" in said[0]
    writer.record(*reminder(20)[:2], **reminder(20)[2])
    with History(hist) as h:
        assert sorted(e.ts for e in h.events()) == [NOW + timedelta(minutes=i) for i in range(21)]
    assert broken_files(hist) == []
    merged = [p.name for p in hist.parent.iterdir() if ".merged-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert len(merged) == 1
    HistoryWriter(hist).check()  # the next start: merged once only
    with History(hist) as h:
        assert len(h.events()) == 21
    assert integrity(hist) == "ok"


def test_an_aside_file_from_an_earlier_run_is_merged_without_duplicates(hist, said):
    with History(hist) as h:
        h.record_many([reminder(i) for i in range(5)])
    aside = dbfile.move_aside(hist)  # as a run that found it broken left it
    with History(hist) as h:
        h.record_many([reminder(i) for i in range(3, 8)])  # some events in both
    HistoryWriter(hist).check()
    with History(hist) as h:
        assert sorted(e.ts for e in h.events()) == [NOW + timedelta(minutes=i) for i in range(8)]
    assert not aside.exists() and aside.with_name(aside.name.replace(".broken-", ".merged-")).exists()


def test_an_aside_file_with_nothing_readable_is_kept_for_recovery_by_hand(hist, said):
    hist.parent.mkdir(parents=True)
    aside = hist.with_name(hist.name + ".broken-20260101-000000")
    aside.write_bytes(b"not a database" * 100)
    HistoryWriter(hist).check()
    assert aside.exists() and broken_files(hist) == [aside.name]
    with History(hist) as h:
        assert h.events() == []


def test_events_wait_while_the_history_cannot_be_written_and_none_is_lost(hist, said, monkeypatch):
    writer = HistoryWriter(hist)
    writer.record(*reminder(0)[:2], **reminder(0)[2])
    real_open = History._open

    def read_only(self):
        db = real_open(self)
        db.execute("PRAGMA query_only = ON")  # writes fail as in a read-only folder
        return db

    monkeypatch.setattr(History, "_open", read_only)
    for i in range(1, 6):
        writer.record(*reminder(i)[:2], **reminder(i)[2])
    assert writer.waiting == 5
    assert len(said) == 1 and "cannot save its history" in said[0]
    monkeypatch.setattr(History, "_open", real_open)  # the folder is writable again
    writer.record(*reminder(6)[:2], **reminder(6)[2])
    assert writer.waiting == 0
    with History(hist) as h:
        assert [e.ts for e in h.events()] == [NOW + timedelta(minutes=i) for i in range(7)]


def test_a_history_from_a_newer_necka_waits_in_memory_and_is_said_once(hist, said):
    with History(hist):
        pass
    with sqlite3.connect(hist) as raw:
        raw.execute("PRAGMA user_version = 99")
    writer = HistoryWriter(hist)
    for i in range(3):
        writer.record(*reminder(i)[:2], **reminder(i)[2])
    assert writer.waiting == 3 and len(said) == 1 and "schema version 99" in said[0]
    with pytest.raises(HistoryError):
        History(hist)  # untouched: a newer Necka's file is not ours to move


def test_reports_before_the_app_listens_wait_for_it(monkeypatch):
    monkeypatch.setattr(dbfile, "_said", set())
    monkeypatch.setattr(dbfile, "_waiting", [])
    dbfile.set_reporter(None)
    dbfile.report("x", dbfile.BROKEN, "first")
    dbfile.report("x", dbfile.BROKEN, "first again")
    got: list[str] = []
    dbfile.set_reporter(got.append)
    dbfile.set_reporter(None)
    assert got == ["first"]


def test_classify_tells_broken_from_unwritable():
    assert dbfile.classify(sqlite3.DatabaseError("file is not a database")) == dbfile.BROKEN
    assert dbfile.classify(sqlite3.OperationalError("database is locked")) == dbfile.LOCKED  # not broken
    assert dbfile.classify(sqlite3.OperationalError("database or disk is full")) == dbfile.UNWRITABLE
    assert dbfile.classify(sqlite3.OperationalError("attempt to write a readonly database")) == dbfile.UNWRITABLE
    assert dbfile.classify(PermissionError(13, "Permission denied")) == dbfile.UNWRITABLE
    assert dbfile.classify(sqlite3.OperationalError("no such table: x")) is None  # a bug, not the file
    assert dbfile.classify(ValueError("x")) is None


def test_writers_racing_on_a_broken_history_move_it_once_and_lose_nothing(hist, said):
    # The tray and a session window may both find the file broken at the same moment.
    hist.parent.mkdir(parents=True)
    hist.write_bytes(b"not a database" * 100)
    writers = [HistoryWriter(hist) for _ in range(4)]
    errors: list[BaseException] = []

    def write(w, i):
        try:
            w.record(*reminder(i)[:2], **reminder(i)[2])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w, i)) for i, w in enumerate(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(broken_files(hist)) == 1
    for i, w in enumerate(writers):  # anything that had to wait is written with the next event
        if w.waiting:
            w.record(*reminder(10 + i)[:2], **reminder(10 + i)[2])
    with History(hist) as h:
        minutes = {int((e.ts - NOW).total_seconds() // 60) for e in h.events()}
    assert {0, 1, 2, 3} <= minutes


def test_events_past_a_damaged_page_are_read_from_both_ends(hist, said):
    with History(hist) as h:
        h.record_many([("reminder", NOW + timedelta(minutes=i), {"reminder": "posture", "notified": True,
                                                                    "pad": "x" * 200}) for i in range(400)])
    with sqlite3.connect(hist) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        pages = db.execute("PRAGMA page_count").fetchone()[0]
    aside = dbfile.move_aside(hist)  # as a run that found it damaged left it
    with open(aside, "r+b") as f:  # one page in the middle of the file: some events are gone for good
        f.seek((pages // 2) * page_size)
        f.write(b"\xff" * page_size)
    HistoryWriter(hist).check()
    with History(hist) as h:
        got = sorted(e.ts for e in h.events())
    assert NOW in got and NOW + timedelta(minutes=399) in got  # both ends came back
    assert 300 < len(got) < 400  # all but those on the damaged page(s)
    assert broken_files(hist) == []
