"""The job store when its SQLite file fails: broken, locked, full, read-only, deleted, newer.

One policy for every Necka database (``dbfile.py``, the history's too): a broken file is moved
aside once and a fresh one started; a locked, full, read-only or newer file is never moved, the
reminders go on from memory (the store always holds every job there), and what could not be
written is written at a retry on the scheduler's wakeups, 30 s after the failure and then at
doubling intervals, or at quit. Each problem is said once; a lock only once it lasts past the
first retry. Nothing raises into the scheduler's thread.

A full disk is ``PRAGMA max_page_count`` on the store's connections (SQLite then fails exactly
as on a full disk, SQLITE_FULL), and also a real tiny tmpfs when this runs as root; the whole
app on a full disk is tests/desktop/test_faults_e2e.py.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from datetime import timezone

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from necka_tray.store import dbfile
from necka_tray.store.jobstore import SQLiteJobStore

from .test_db_faults import broken_files, integrity
from .test_jobstore import create_add_job
from tests.handclock import Clock

ticks: list[float] = []


def tick():
    ticks.append(time.monotonic())


@pytest.fixture
def path(tmp_path):
    return tmp_path / "data" / "jobs.sqlite3"


@pytest.fixture
def clock():
    return Clock()


def started(path, clock=time.monotonic, busy=5.0) -> SQLiteJobStore:
    store = SQLiteJobStore(path, monotonic=clock)
    store.busy_timeout = busy
    store.start(None, "default")
    return store


def ids(store) -> set[str]:
    return {j.id for j in store.get_all_jobs()}


def stored_ids(path) -> set[str]:
    with sqlite3.connect(path) as conn:
        found = {row[0] for row in conn.execute("SELECT id FROM apscheduler_jobs")}
    conn.close()
    return found


def retry(store, clock, seconds=600):
    """Let the back-off pass; the scheduler's next wakeup retries."""
    clock.now += seconds
    store.get_due_jobs(dbfile_now())


def dbfile_now():
    from datetime import datetime

    return datetime(2000, 1, 1, tzinfo=timezone.utc)  # nothing is due then: only the retry happens


@pytest.fixture
def connections(monkeypatch):
    """Every connection the store opens from now on also runs ``pragmas`` (a full disk, read-only)."""
    pragmas: list[str] = []
    real = dbfile.connect

    def connect(*args, **kwargs):
        conn = real(*args, **kwargs)
        for pragma in pragmas:
            if "max_page_count" in pragma:
                pages = conn.execute("PRAGMA page_count").fetchone()[0]
                pragma = f"PRAGMA max_page_count = {pages}"  # no room for one more page
            conn.execute(pragma)
        return conn

    monkeypatch.setattr(dbfile, "connect", connect)
    return pragmas


# -- broken ------------------------------------------------------------------------------------


def test_a_file_that_is_no_database_is_moved_aside_and_a_fresh_one_used(path, said):
    path.parent.mkdir(parents=True)
    path.write_bytes(b"these are my notes, not a database\n" * 50)
    store = started(path)
    create_add_job(store, id="a")
    assert ids(store) == {"a"}
    store.shutdown()
    moved = broken_files(path)
    assert len(moved) == 1 and moved[0].startswith("jobs.sqlite3.broken-")
    assert (path.parent / moved[0]).read_bytes().startswith(b"these are my notes")  # kept, not deleted
    assert integrity(path) == "ok" and stored_ids(path) == {"a"}
    assert len(said) == 1 and f"moved to {path.parent / moved[0]} and" in said[0] and "file is not a database" in said[0]


def test_a_damaged_file_fails_its_check_and_is_moved_aside(path, said):
    store = started(path)
    for i in range(30):
        create_add_job(store, id=f"job{i}", name="x" * 200)
    store.shutdown()
    data = bytearray(path.read_bytes())
    page = 4096
    data[page + 8:page * 2] = b"\xa5" * (page - 8)  # a b-tree page, garbled
    path.write_bytes(bytes(data))
    store = started(path)
    assert store.get_all_jobs() == []  # a fresh schedule (the app re-adds its reminders)
    store.shutdown()
    assert len(broken_files(path)) == 1 and len(said) == 1 and "moved to" in said[0]


def test_a_file_broken_while_running_is_moved_aside_and_the_jobs_written_afresh(path, said):
    store = started(path)
    create_add_job(store, id="kept")
    path.write_bytes(b"garbage" * 1000)  # overwritten in place by something else
    create_add_job(store, id="after")  # the next write finds it damaged
    assert ids(store) == {"kept", "after"}
    assert len(broken_files(path)) == 1 and len(said) == 1 and "moved to" in said[0]
    assert stored_ids(path) == {"kept", "after"}  # everything memory held, in the fresh file
    store.shutdown()


def test_a_file_broken_again_right_after_the_move_is_not_moved_again(path, said, clock, monkeypatch):
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage" * 100)
    real_open = SQLiteJobStore._open

    def always_garbage(self):  # e.g. a disk that corrupts every new file
        if not self.path.exists() or self.path.read_bytes()[:7] != b"garbage":
            self.path.write_bytes(b"garbage" * 100)
        return real_open(self)

    monkeypatch.setattr(SQLiteJobStore, "_open", always_garbage)
    store = started(path, clock)
    create_add_job(store, id="a")  # works, from memory
    assert ids(store) == {"a"}
    for _ in range(3):
        retry(store, clock)
    store.shutdown()
    assert len(broken_files(path)) == 1  # moved once, never in a loop
    assert len(said) == 2 and "moved to" in said[0] and "stopped working" in said[1]  # each said once


# -- locked ------------------------------------------------------------------------------------


def test_a_file_locked_by_another_program_is_not_moved_and_the_jobs_go_on(path, said, clock):
    store = started(path, clock, busy=0.2)
    create_add_job(store, id="kept")
    other = sqlite3.connect(path)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        create_add_job(store, id="while-locked")  # lands in memory, no exception
        assert ids(store) == {"kept", "while-locked"}
        assert said == []  # a lock that may last a second is no news
        create_add_job(store, id="before-the-retry")  # the retry is not due: not even tried (no wait)
        retry(store, clock, 30)  # due, still locked: it lasts, so it is said, once
        retry(store, clock)
        assert len(said) == 1 and "locked by another program" in said[0]
    finally:
        other.close()
    assert stored_ids(path) == {"kept"}
    retry(store, clock)  # the lock is gone: written at the next retry
    assert stored_ids(path) == {"kept", "while-locked", "before-the-retry"}
    assert broken_files(path) == []  # locked is not broken
    store.shutdown()


def test_a_file_locked_at_start_starts_afresh_and_is_written_when_free(path, said, clock):
    store = started(path)
    create_add_job(store, id="old")
    store.shutdown()
    other = sqlite3.connect(path)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")  # not even readable
    try:
        store = started(path, clock, busy=0.2)  # no exception
        assert ids(store) == set()
        create_add_job(store, id="new")
    finally:
        other.close()
    store.shutdown()  # quit writes what waits, whatever the back-off
    assert stored_ids(path) == {"new"} and broken_files(path) == []


# -- full, read-only ---------------------------------------------------------------------------


def test_a_full_disk_keeps_the_jobs_in_memory_and_writes_them_back(path, said, connections):
    store = started(path)
    create_add_job(store, id="before")
    connections.append("PRAGMA max_page_count")
    for i in range(50):  # more than the last free page holds
        create_add_job(store, id=f"during{i}", name="x" * 2000)
    assert len(store.get_all_jobs()) == 51
    assert len(said) == 1 and "cannot save its schedule" in said[0] and "full" in said[0]
    assert broken_files(path) == [] and "before" in stored_ids(path)  # nothing moved, nothing lost
    assert len(stored_ids(path)) < 51
    connections.clear()  # room again
    store.shutdown()  # written back at quit
    assert len(stored_ids(path)) == 51 and integrity(path) == "ok"


def test_a_real_full_disk_on_a_tiny_tmpfs(tmp_path, said, clock):
    where = tmp_path / "tiny"
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); max_page_count stands in above")
    try:
        path = where / "jobs.sqlite3"
        store = started(path, clock)
        create_add_job(store, id="before")
        filler = where / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)  # the disk fills up while Necka runs
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
        for i in range(20):
            create_add_job(store, id=f"during{i}", name="x" * 2000)
        assert len(store.get_all_jobs()) == 21
        # SQLite says "database or disk is full" or, when the WAL index cannot grow, "disk I/O error".
        assert len(said) == 1 and "cannot save its schedule" in said[0]
        filler.unlink()  # room again
        retry(store, clock)
        assert len(stored_ids(path)) == 21
        store.shutdown()
    finally:
        subprocess.run(["umount", "--lazy", str(where)], check=True)


def test_the_scheduler_thread_survives_an_unwritable_file_and_keeps_running_jobs(path, said, connections):
    ticks.clear()
    store = SQLiteJobStore(path)
    scheduler = BackgroundScheduler(jobstores={"default": store}, timezone=timezone.utc)
    scheduler.start()
    connections.append("PRAGMA query_only = ON")  # writes fail as in a read-only folder (SQLITE_READONLY)
    scheduler.add_job(f"{__name__}:tick", IntervalTrigger(seconds=0.2), id="tick", misfire_grace_time=5)
    deadline = time.monotonic() + 5
    while len(ticks) < 8 and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = scheduler._thread.is_alive()
    scheduler.shutdown(wait=True)
    assert alive and len(ticks) >= 8, ticks
    assert len(said) == 1 and "cannot save its schedule" in said[0]
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert min(gaps) > 0.1, "runs must keep their pace, not loop on a stale next_run_time"


# -- deleted, newer ----------------------------------------------------------------------------


def test_a_file_deleted_while_running_is_made_again_with_every_job(path, said):
    store = started(path)
    create_add_job(store, id="posture")
    create_add_job(store, id="stretch")
    os.unlink(path)
    create_add_job(store, id="pause_end")  # the next write
    assert stored_ids(path) == {"posture", "stretch", "pause_end"}
    assert said == [] and broken_files(path) == []  # not a fault: nothing to say
    store.shutdown()


def test_a_file_from_a_newer_necka_is_kept_as_it_is_and_the_jobs_go_on(path, said):
    store = started(path)
    create_add_job(store, id="theirs")
    store.shutdown()
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 2")
    raw.close()
    before = path.read_bytes()
    store = started(path)
    assert ids(store) == set()  # not ours to read (its rows may mean something else)
    create_add_job(store, id="ours")
    assert ids(store) == {"ours"}
    store.shutdown()
    assert path.read_bytes() == before  # never written
    assert len(said) == 1 and "schema version 2" in said[0] and "is kept as it is" in said[0]
