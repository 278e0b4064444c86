"""The history database on a real SQLite file."""

from __future__ import annotations

import sqlite3
import stat
from datetime import datetime, timedelta, timezone

import pytest

from necka_tray import history as history_mod
from necka_tray.core.reminders import Kind
from necka_tray.history import Event, History, HistoryError

UTC = timezone.utc
CET = timezone(timedelta(hours=1))
T = datetime(2025, 3, 3, 10, 0, tzinfo=CET)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "data" / "history.sqlite3"  # the parent does not exist yet


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_record_and_read_back(db_path):
    with History(db_path) as h:
        first = h.record("note", T, text="hello", n=3)
        h.record("other", T + timedelta(minutes=1))
        events = h.events()
    assert events[0] == Event(id=first, ts=T, kind="note", data={"text": "hello", "n": 3})
    assert [e.kind for e in events] == ["note", "other"]
    assert events[0].ts.utcoffset() == timedelta(hours=1)


def test_file_is_private_and_versioned(db_path):
    with History(db_path) as h:
        h.record("note", T)
        assert mode(db_path) == 0o600
        for side in ("-wal", "-shm"):  # SQLite copies the main file's mode
            extra = db_path.with_name(db_path.name + side)
            if extra.exists():
                assert mode(extra) == 0o600
        assert h.schema_version == 2 == len(history_mod.MIGRATIONS)
    assert mode(db_path.parent) == 0o700
    raw = sqlite3.connect(db_path)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 2
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        cols = [(r[1], r[2]) for r in raw.execute("PRAGMA table_info(events)")]
        assert cols == [("id", "INTEGER"), ("ts", "TEXT"), ("kind", "TEXT"), ("data", "TEXT")]
    finally:
        raw.close()


def test_an_existing_loose_file_is_made_private(db_path):
    db_path.parent.mkdir()
    db_path.touch(mode=0o644)
    db_path.chmod(0o644)
    with History(db_path):
        pass
    assert mode(db_path) == 0o600


def test_reopening_keeps_the_data(db_path):
    with History(db_path) as h:
        h.record_session(T, T + timedelta(seconds=110), "completed", 6, 6, "neck")
    with History(db_path) as h:
        assert h.schema_version == 2
        (event,) = h.events("session")
    assert event.ts == T
    assert event.data == {
        "ended": (T + timedelta(seconds=110)).isoformat(),
        "duration_s": 110.0,
        "outcome": "completed",
        "steps_done": 6,
        "steps_total": 6,
        "routine": "neck",
    }


def test_reminders_and_filters(db_path):
    with History(db_path) as h:
        h.record_reminder(Kind.POSTURE, T, notified=True)
        h.record_reminder("stretch", T + timedelta(hours=1), notified=False)
        h.record_session(T + timedelta(minutes=5), T + timedelta(minutes=7), "stopped", 2, 6, "neck")
        reminders = h.events("reminder")
        assert [(e.data["reminder"], e.data["notified"]) for e in reminders] == [
            ("posture", True), ("stretch", False)]
        # 10:30 CET is 09:30 UTC: filtering compares instants, not the text.
        later = h.events(since=datetime(2025, 3, 3, 9, 30, tzinfo=UTC))
        assert [e.kind for e in later] == ["reminder"]
        assert [e.kind for e in h.events(since=T + timedelta(minutes=5))] == ["session", "reminder"]
        assert h.events("session", since=T + timedelta(hours=2)) == []


def test_events_come_back_in_time_order_across_offsets(db_path):
    with History(db_path) as h:
        h.record("b", datetime(2025, 3, 3, 10, 0, tzinfo=CET))  # 09:00 UTC
        h.record("a", datetime(2025, 3, 3, 8, 30, tzinfo=UTC))  # 08:30 UTC, written later
        assert [e.kind for e in h.events()] == ["a", "b"]


def test_bad_input_is_refused_and_nothing_is_written(db_path):
    with History(db_path) as h:
        with pytest.raises(ValueError, match="timezone-aware"):
            h.record("note", datetime(2025, 1, 1, 12, 0))
        with pytest.raises(ValueError, match="outcome"):
            h.record_session(T, T, "abandoned", 0, 6, "neck")
        with pytest.raises(TypeError):
            h.record("note", T, thing=object())
        with pytest.raises(ValueError):
            h.record("", T)
        assert h.events() == []


def test_two_writers_share_the_file(db_path):
    with History(db_path) as a, History(db_path) as b:
        a.record("from_a", T)
        b.record("from_b", T + timedelta(seconds=1))
        assert [e.kind for e in a.events()] == ["from_a", "from_b"]
        assert a._db.execute("PRAGMA busy_timeout").fetchone()[0] == history_mod.BUSY_TIMEOUT_MS


def test_a_newer_schema_is_refused(db_path):
    with History(db_path):
        pass
    raw = sqlite3.connect(db_path)
    raw.execute("PRAGMA user_version = 9")
    raw.commit()
    raw.close()
    with pytest.raises(HistoryError, match="schema version 9"):
        History(db_path)


def test_a_later_migration_runs_once(db_path, monkeypatch):
    with History(db_path) as h:
        h.record("note", T)
    runs = []

    def v2(db):
        runs.append(1)
        db.execute("ALTER TABLE events ADD COLUMN source TEXT")

    monkeypatch.setattr(history_mod, "MIGRATIONS", [*history_mod.MIGRATIONS, v2])
    with History(db_path) as h:
        assert h.schema_version == 3
        assert len(h.events()) == 1
    with History(db_path):
        pass
    assert runs == [1]


def test_a_failed_migration_leaves_the_old_version(db_path, monkeypatch):
    with History(db_path):
        pass

    def broken(db):
        db.execute("ALTER TABLE events ADD COLUMN half TEXT")
        raise RuntimeError("boom")

    monkeypatch.setattr(history_mod, "MIGRATIONS", [*history_mod.MIGRATIONS, broken])
    with pytest.raises(RuntimeError, match="boom"):
        History(db_path)
    monkeypatch.undo()
    with History(db_path) as h:
        assert h.schema_version == 2
        cols = [r[1] for r in h._db.execute("PRAGMA table_info(events)")]
        assert "half" not in cols
