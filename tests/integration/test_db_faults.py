"""The job store and the history when their SQLite files fail: broken, locked, full, read-only.

A broken file (not a database, damaged, locked by another program) is moved
aside as ``<name>.broken-<time>`` once and a fresh one started; a file that
cannot be written keeps the data in memory until it can. Each problem is said
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
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from necka_tray.store import dbfile
from necka_tray.store import history
from necka_tray.store.history import History, HistoryError
from necka_tray.store.history_writer import HistoryWriter
from necka_tray.store.jobstore import SQLiteJobStore

from .test_jobstore import create_add_job

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
ticks: list[float] = []


def tick():
    ticks.append(time.monotonic())


@pytest.fixture
def said(monkeypatch):
    """What dbfile told the user, with a fresh once-only memory for this test."""
    monkeypatch.setattr(dbfile, "_said", set())
    monkeypatch.setattr(dbfile, "_moved", set())
    monkeypatch.setattr(dbfile, "_waiting", [])
    messages: list[str] = []
    dbfile.set_reporter(messages.append)
    yield messages
    dbfile.set_reporter(None)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "data" / "jobs.sqlite3"


def started(path, busy=5.0) -> SQLiteJobStore:
    store = SQLiteJobStore(path)
    store.busy_timeout = busy
    store.start(None, "default")
    return store


def broken_files(path):
    """The moved-aside databases (their -wal and -shm go along with them)."""
    return sorted(p.name for p in path.parent.iterdir() if ".broken-" in p.name and not p.name.endswith(("-wal", "-shm")))


def fill_disk(store: SQLiteJobStore) -> None:
    """No room for one more page: SQLite answers SQLITE_FULL, as on a full disk."""
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")


def read_only(store: SQLiteJobStore) -> None:
    """Every write now fails as in a read-only folder (SQLITE_READONLY)."""
    store._conn.execute("PRAGMA query_only = ON")


def integrity(path) -> str:
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


# -- the job store -----------------------------------------------------------------------------


def test_a_file_that_is_no_database_is_moved_aside_and_a_fresh_one_used(path, said):
    path.parent.mkdir(parents=True)
    path.write_bytes(b"these are my notes, not a database\n" * 50)
    store = started(path)
    create_add_job(store, id="a")
    assert [j.id for j in store.get_all_jobs()] == ["a"]
    store.shutdown()
    moved = broken_files(path)
    assert len(moved) == 1 and moved[0].startswith("jobs.sqlite3.broken-")
    assert (path.parent / moved[0]).read_bytes().startswith(b"these are my notes")  # kept, not deleted
    assert integrity(path) == "ok"
    assert len(said) == 1 and "moved to jobs.sqlite3.broken-" in said[0] and "file is not a database" in said[0]


def test_a_damaged_file_fails_its_check_and_is_moved_aside(path, said):
    store = started(path)
    for i in range(30):
        create_add_job(store, id=f"job{i}")
    store.shutdown()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    data[page + 8:page * 2] = b"\xa5" * (page - 8)  # the table's b-tree page, garbled
    path.write_bytes(bytes(data))
    store = started(path)
    assert store.get_all_jobs() == []  # a fresh schedule (the app re-adds its reminders)
    store.shutdown()
    assert len(broken_files(path)) == 1 and len(said) == 1


def test_a_file_locked_by_another_program_is_moved_aside_and_the_jobs_go_on(path, said):
    store = started(path, busy=0.2)
    create_add_job(store, id="kept")
    other = sqlite3.connect(path)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock, for good
    try:
        create_add_job(store, id="while-locked")  # lands in memory, no exception
        assert {j.id for j in store.get_all_jobs()} == {"kept", "while-locked"}
        store._retry_at = 0  # the retry interval has passed
        assert store.lookup_job("kept") is not None
    finally:
        other.close()
    store.shutdown()
    assert len(said) == 1 and "locked" in said[0]
    assert len(broken_files(path)) == 1  # the locked file, moved aside at the write-back
    reopened = started(path)
    assert {j.id for j in reopened.get_all_jobs()} == {"kept", "while-locked"}  # nothing lost
    reopened.shutdown()


def test_a_full_disk_keeps_the_jobs_in_memory_and_writes_them_back(path, said):
    store = started(path)
    create_add_job(store, id="before")
    fill_disk(store)
    for i in range(50):  # more than the last free page holds
        create_add_job(store, id=f"during{i}", name="x" * 2000)
    assert len(store.get_all_jobs()) == 51
    assert len(said) == 1 and "cannot save its schedule" in said[0] and "full" in said[0]
    assert broken_files(path) == []  # a full disk breaks nothing: nothing is moved
    store.shutdown()  # the disk has room again (a new connection): written back at the end
    reopened = started(path)
    assert len(reopened.get_all_jobs()) == 51
    reopened.shutdown()
    assert integrity(path) == "ok"


def test_a_file_broken_again_right_after_the_move_is_not_moved_again(path, said, monkeypatch):
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage" * 100)
    real_open = SQLiteJobStore._open_file

    def always_garbage(self):  # e.g. a disk that corrupts every new file
        if not self.path.exists() or self.path.read_bytes()[:7] != b"garbage":
            self.path.write_bytes(b"garbage" * 100)
        return real_open(self)

    monkeypatch.setattr(SQLiteJobStore, "_open_file", always_garbage)
    store = started(path)
    create_add_job(store, id="a")  # works, from memory
    assert [j.id for j in store.get_all_jobs()] == ["a"]
    for _ in range(3):
        store._retry_at = 0
        store.get_all_jobs()
    store.shutdown()
    assert len(broken_files(path)) == 1  # moved once, never in a loop
    assert len(said) == 1


def test_the_scheduler_thread_survives_an_unwritable_file_and_keeps_running_jobs(path, said):
    ticks.clear()
    store = SQLiteJobStore(path)
    scheduler = BackgroundScheduler(jobstores={"default": store}, timezone=timezone.utc)
    scheduler.start()
    scheduler.add_job(f"{__name__}:tick", IntervalTrigger(seconds=0.2), id="tick", misfire_grace_time=5)
    read_only(store)
    deadline = time.monotonic() + 5
    while len(ticks) < 8 and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = scheduler._thread.is_alive()
    scheduler.shutdown(wait=True)
    assert alive and len(ticks) >= 8, ticks
    assert len(said) == 1 and "cannot save its schedule" in said[0]
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert min(gaps) > 0.1, "runs must keep their pace, not loop on a stale next_run_time"


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
    assert len(broken_files(hist)) == 1 and len(said) == 1 and "history" in said[0]


def test_a_history_locked_by_another_program_is_moved_aside(hist, said, monkeypatch):
    monkeypatch.setattr(history, "BUSY_TIMEOUT_MS", 200)
    with History(hist) as h:
        h.record(*reminder(0)[:2], **reminder(0)[2])
    other = sqlite3.connect(hist)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    try:
        HistoryWriter(hist).record(*reminder(1)[:2], **reminder(1)[2])
    finally:
        other.close()
    assert len(broken_files(hist)) == 1 and len(said) == 1
    with History(hist) as h:
        assert len(h.events()) == 1  # the new event, in the fresh file


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
    assert dbfile.classify(sqlite3.OperationalError("database is locked")) == dbfile.BROKEN
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
