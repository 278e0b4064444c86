"""What the user gives while the history cannot be written waits, and nothing holds up the app.

A history from a newer Necka, or one locked by another program: the tray's reads and writes run on
its history thread, events wait in memory and then in a spool file on disk, a command's check-in
waits there too, and all of it is written once the file works again. Said once, in one line.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone

import pytest

from necka_tray.core.actions import Action, Verb
from necka_tray.store import history_spool
from necka_tray.store.history import MIGRATIONS, History
from necka_tray.store.history_writer import HistoryWriter
from necka_tray.store.paths import AppPaths
from necka_tray.store.reports import TrayStats
from necka_tray.store.routines import RoutineBook
from necka_tray.owner.history_reads import HistoryThread

from .test_app_scheduling import Harness

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def paths(tmp_path):
    p = AppPaths(tmp_path / "config", tmp_path / "data", tmp_path / "log")
    p.ensure()
    return p


def make_newer(db):
    with History(db):
        pass
    with sqlite3.connect(db) as raw:
        raw.execute("PRAGMA user_version = 99")


def make_ours_again(db):
    with sqlite3.connect(db) as raw:
        raw.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")


def checkins(db) -> list[int]:
    with History(db) as h:
        return [e.data["rating"] for e in h.events("checkin")]


def test_a_newer_history_is_said_once_and_what_waits_is_spooled_at_quit_then_written(paths, said, caplog):
    db = paths.history_db
    make_newer(db)
    writer = HistoryWriter(db)
    stats = TrayStats(db)
    with caplog.at_level(logging.INFO):
        writer.check()
        from necka_tray.owner.history_reads import guarded

        assert guarded(stats, "read", stats.today_lines, NOW, 2) is None
        assert guarded(stats, "roll-up", stats.roll_up, NOW, 90) is None
        writer.record("checkin", NOW, rating=3, source="daily")
        writer.flush(final=True)  # quit
    assert len(said) == 1 and "\n" not in said[0] and "schema version 99" in said[0], said
    assert said[0].count(str(db)) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info], "no traceback"
    assert writer.waiting == 0 and history_spool.waiting(db)
    make_ours_again(db)  # the user went back to a Necka that knows it (or this one learnt it)
    HistoryWriter(db).check()
    assert checkins(db) == [3] and not history_spool.waiting(db)


def run_cli(home, *args):
    run = home / "run"
    run.mkdir(mode=0o700, exist_ok=True)
    env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
               XDG_STATE_HOME=str(home / "state"), XDG_CACHE_HOME=str(home / "cache"), XDG_RUNTIME_DIR=str(run))
    return subprocess.run([sys.executable, "-m", "necka_tray", *args], env=env, capture_output=True, text=True,
                          timeout=60)


def test_a_command_line_check_in_on_a_newer_history_waits_and_is_never_lost(tmp_path):
    db = tmp_path / "data" / "necka-tray" / "history.sqlite3"
    db.parent.mkdir(parents=True)
    make_newer(db)
    done = run_cli(tmp_path, "checkin", "3")
    assert done.returncode == 0, done.stderr
    assert "3 of 10" in done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "history-waiting.jsonl" in lines[0] and "Traceback" not in done.stderr, lines
    # where it waits and until when: not "with the next event" (this Necka's next events wait too)
    assert lines[0].endswith("is saved when a Necka that knows this history runs."), lines
    make_ours_again(db)
    done = run_cli(tmp_path, "checkin", "5")  # the next write takes what waited first
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert checkins(db) == [3, 5] and not history_spool.waiting(db)


def test_a_locked_history_never_holds_up_the_app(paths, said):
    db = paths.history_db
    with History(db):
        pass
    h = Harness(paths)
    writer = HistoryWriter(db)
    io = HistoryThread(h.dispatcher.post)
    h.app.p.record = lambda kind, ts, **data: io.run("write", lambda: writer.record(kind, ts, **data))
    h.app.p.history = io.run
    h.app.p.stats = TrayStats(db)
    h.app.routines = RoutineBook(None, db)
    h.app.routines.reads_history = False
    h.start()
    locker = sqlite3.connect(db, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        h.call(h.app.on_window_end, None)
        h.call(lambda: h.app.record("checkin", datetime.now().astimezone(), rating=4, source="daily"))
        h.call(h.app.new_day)  # a roll-up and three reads, all queued behind the blocked write
        behind = threading.Event()
        io.run("test", behind.set)  # runs once the history thread is past the blocked write
        h.call(h.app.handle_action, Action(Verb.PAUSE, "30m"))
        # Answered while the history thread still waits for the lock (its busy timeout is 5 s).
        assert h.call(lambda: h.app.status()["paused_until"]) is not None
        assert not behind.is_set() and checkins(db) == []
    finally:
        locker.execute("COMMIT")
        locker.close()
    done = threading.Event()
    io.run("test", done.set)
    assert done.wait(30)
    io.call(writer.flush, True, timeout=30)
    assert checkins(db) == [4]
    h.stop()
    io.stop()


@pytest.mark.parametrize("spoiled", ["bad bytes", "a folder"])
def test_a_spoiled_spool_never_costs_a_check_in(tmp_path, spoiled):
    """Bytes that are not UTF-8 in ``history-waiting.jsonl`` (or a folder where it goes): the good
    lines and the new check-in are written, the bad ones skipped; nothing raises, nothing is lost."""
    db = tmp_path / "data" / "necka-tray" / "history.sqlite3"
    db.parent.mkdir(parents=True)
    with History(db):
        pass
    spool = history_spool.spool_path(db)
    if spoiled == "a folder":
        spool.mkdir()
    else:
        good = history_spool._line(("checkin", NOW, {"rating": 2, "source": "cli"}))
        spool.write_bytes(os.urandom(300).replace(b"\n", b"") + b"\n\xff\xfe\x80\n" + good.encode() + b"\n")
    done = run_cli(tmp_path, "checkin", "4")
    assert done.returncode == 0 and "Traceback" not in done.stderr and done.stderr == "", done.stderr
    assert checkins(db) == ([4] if spoiled == "a folder" else [2, 4])
    assert spool.is_dir() if spoiled == "a folder" else not spool.exists()
