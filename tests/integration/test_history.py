"""The history database on a real SQLite file."""

from __future__ import annotations

import sqlite3
import stat
from datetime import date, datetime, timedelta, timezone

import pytest

from necka_tray.store import history as history_mod
from necka_tray.store import history_rollup
from necka_tray.core.reminders import Kind
from necka_tray.store.history import Event, History, HistoryError
from necka_tray.core.events import reminder_event, sitting_event

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
        assert h.schema_version == 4 == len(history_mod.MIGRATIONS)
    assert mode(db_path.parent) == 0o700
    raw = sqlite3.connect(db_path)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 4
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        cols = [(r[1], r[2]) for r in raw.execute("PRAGMA table_info(events)")]
        assert cols == [("id", "INTEGER"), ("ts", "TEXT"), ("kind", "TEXT"), ("data", "TEXT"),
                        ("ms", "INTEGER"), ("v", ""), ("s_us", "INTEGER"), ("e_us", "INTEGER")]
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
        assert h.schema_version == 4
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
        h.add(reminder_event(Kind.POSTURE, T, notified=True))
        h.add(reminder_event("stretch", T + timedelta(hours=1), notified=False))
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
        assert h.schema_version == 5
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
        assert h.schema_version == 4
        cols = [r[1] for r in h._db.execute("PRAGMA table_info(events)")]
        assert "half" not in cols


# -- schema 2: migration, time index, roll-ups ------------------------------------------------

V1_ROWS = [
    ("2024-05-02T09:20:00+02:00", "reminder", '{"reminder": "posture", "notified": true}'),
    ("2024-05-02T10:00:00+02:00", "reminder", '{"reminder": "stretch", "shown": true}'),
    ("2024-05-02T10:04:00+02:00", "session", '{"outcome": "completed", "steps_done": 6, "steps_total": 6,'
                                             ' "routine": "neck", "duration_s": 110.0}'),
    ("2024-05-02T17:00:00+02:00", "pause", '{"until": "2024-05-03T06:00:00+02:00"}'),
]


def make_v1_file(path):
    """A history exactly as the first release wrote it (schema 1), built without this module."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, ts TEXT NOT NULL, kind TEXT NOT NULL,"
                " data TEXT NOT NULL DEFAULT '{}')")
    raw.execute("CREATE INDEX events_kind ON events(kind)")
    raw.executemany("INSERT INTO events(ts, kind, data) VALUES (?, ?, ?)", V1_ROWS)
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    raw.close()


def test_a_version_1_file_upgrades_with_its_data_intact(db_path):
    make_v1_file(db_path)
    with History(db_path) as h:
        assert h.schema_version == 4
        rows = h._db.execute("SELECT ts, kind, data FROM events ORDER BY id").fetchall()
        assert rows == V1_ROWS  # byte for byte
        assert [e.kind for e in h.events()] == ["reminder", "reminder", "session", "pause"]
        tables = {r[0] for r in h._db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")}
        assert {"events", "events_count", "events_stretch", "events_time", "days", "day_cache"} <= tables
        # Schema 4 derived what the statistics count of the old rows (the instant in ms, the value).
        derived = h._db.execute("SELECT ms, v FROM events ORDER BY id").fetchall()
        assert derived == [(1714634400000, "posture"), (1714636800000, "stretch"), (1714637040000, "completed"),
                           (1714662000000, None)]
        assert h.day_rows(date(2024, 5, 2), date(2024, 5, 2)) == {}  # an upgrade rolls nothing up
        h.record_checkin(T, 2, "cli")  # and it takes new events
        assert h.events("checkin")[0].data["rating"] == 2


def test_reads_by_time_use_the_index(db_path):
    with History(db_path) as h:
        plan = h._db.execute("EXPLAIN QUERY PLAN SELECT id FROM events WHERE julianday(ts) >= julianday(?)"
                             " ORDER BY julianday(ts), id", (T.isoformat(),)).fetchall()
    assert any("events_time" in str(step) for step in plan), plan


def test_record_many_is_all_or_nothing(db_path):
    with History(db_path) as h:
        assert h.record_many([("note", T, {}), ("checkin", T, {"rating": 3, "source": "cli"})]) == 2
        with pytest.raises(ValueError, match="rating"):
            h.record_many([("note", T, {}), ("checkin", T, {"rating": 11, "source": "cli"})])
        assert len(h.events()) == 2


@pytest.mark.parametrize("kind, data, message", [
    ("checkin", {"rating": -1, "source": "cli"}, "rating"),
    ("checkin", {"rating": 4.5, "source": "cli"}, "rating"),
    ("checkin", {"rating": True, "source": "cli"}, "rating"),
    ("reminder", {"reminder": "eyes", "notified": True}, "reminder must be"),
    ("sitting", {"duration_s": -3}, "duration_s"),
    ("sitting", {}, "duration_s"),
])
def test_data_the_statistics_cannot_read_is_refused(db_path, kind, data, message):
    with History(db_path) as h:
        with pytest.raises(ValueError, match=message):
            h.record(kind, T, **data)
        assert h.events() == []


def test_checkins_and_sitting_helpers(db_path):
    with History(db_path) as h:
        h.record_checkin(T, 0, "session")
        h.add(sitting_event(T, T + timedelta(minutes=50), until="quit"))
        checkin, sitting = h.events()
    assert checkin.data == {"rating": 0, "source": "session"}
    assert sitting.data == {"duration_s": 3000.0, "ended": (T + timedelta(minutes=50)).isoformat(), "until": "quit"}


def test_events_until_excludes_the_end(db_path):
    with History(db_path) as h:
        for minutes in (0, 10, 20):
            h.record("note", T + timedelta(minutes=minutes))
        got = h.events(since=T + timedelta(minutes=5), until=T + timedelta(minutes=20))
    assert [e.ts for e in got] == [T + timedelta(minutes=10)]


def working_days(h, first: date, n: int, tz=CET):
    """``n`` days of a small, fixed routine: 2 stretch reminders (one acted on), 3 posture checks,
    a sitting stretch ended by a natural break, one check-in."""
    for k in range(n):
        d = first + timedelta(days=k)
        at = lambda hh, mm=0: datetime(d.year, d.month, d.day, hh, mm, tzinfo=tz)  # noqa: E731
        h.record_many([
            ("reminder", at(9, 20), {"reminder": "posture", "notified": True}),
            ("reminder", at(9, 40), {"reminder": "posture", "notified": True}),
            ("reminder", at(10), {"reminder": "stretch", "notified": True}),
            ("session", at(10, 5), {"outcome": "completed", "steps_done": 6, "steps_total": 6,
                                    "routine": "neck", "duration_s": 110.0}),
            ("checkin", at(10, 8), {"rating": k % 11, "source": "session"}),
            ("natural_break", at(10, 30), {"end": at(10, 45).isoformat(), "minutes": 15.0,
                                           "sat_from": at(9).isoformat()}),
            ("reminder", at(11, 45), {"reminder": "posture", "notified": True}),
            ("reminder", at(12, 45), {"reminder": "stretch", "notified": True}),
        ])


def summary(h, first, last, now, tz=CET):
    from necka_tray.store.reports import read_days

    return read_days(h, first, last, tz, now)


def test_a_roll_up_keeps_the_numbers_and_drops_the_events(db_path):
    first = date(2025, 1, 1)
    now = datetime(2025, 4, 15, 12, 0, tzinfo=CET)
    with History(db_path) as h:
        working_days(h, first, 90)  # Jan 1 .. Mar 31
        before = summary(h, first, now.date(), now)
        rolled = h.roll_up(now, CET, keep_days=30)  # the cutoff is Mar 16
        assert rolled == 74  # Jan 1 .. Mar 15, more than two chunks of 31 days
        assert summary(h, first, now.date(), now) == before
        rows = h.day_rows(first, now.date())
        assert min(rows) == first and max(rows) == date(2025, 3, 15)
        assert rows[date(2025, 1, 1)].stretch_done == 1 and rows[date(2025, 1, 1)].stretch_ignored == 1
        assert rows[date(2025, 1, 1)].sitting_s == 90 * 60.0 and rows[date(2025, 1, 1)].checkins == (0,)
        oldest = h.events()[0].ts
        assert oldest.date() == date(2025, 3, 16)
        assert h.roll_up(now, CET, keep_days=30) == 0  # nothing left to do
        assert h.earliest_day(CET) == first


def test_a_sitting_stretch_across_the_cutoff_keeps_its_share_of_the_next_day(db_path):
    now = datetime(2025, 3, 20, 12, 0, tzinfo=CET)
    start = datetime(2025, 3, 9, 23, 0, tzinfo=CET)  # until 01:00 on the 10th, the first kept day
    with History(db_path) as h:
        h.add(sitting_event(start, start + timedelta(hours=2), until="quit"))
        h.roll_up(now, CET, keep_days=10)
        assert h.day_rows(date(2025, 3, 9), date(2025, 3, 9))[date(2025, 3, 9)].sitting_s == 3600.0
        assert len(h.events("sitting")) == 1  # kept for the 10th
        (day10,) = summary(h, date(2025, 3, 10), date(2025, 3, 10), now)
        assert day10.sitting_s == 3600.0
        h.roll_up(now + timedelta(days=1), CET, keep_days=10)
        assert h.events("sitting") == []
        assert h.day_rows(date(2025, 3, 10), date(2025, 3, 10))[date(2025, 3, 10)].sitting_s == 3600.0


def test_a_large_roll_up_gives_the_space_back(db_path, monkeypatch):
    monkeypatch.setattr(history_rollup, "VACUUM_MIN_PAGES", 16)  # a small file stands in for years of events
    first = date(2022, 1, 1)
    with History(db_path) as h:
        working_days(h, first, 400)
        h._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    big = db_path.stat().st_size
    with History(db_path) as h:
        h.roll_up(datetime(2023, 3, 1, tzinfo=CET), CET, keep_days=14)
        h._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert db_path.stat().st_size < big / 2


def test_a_roll_up_that_fails_changes_nothing(db_path, monkeypatch):
    with History(db_path) as h:
        working_days(h, date(2025, 1, 1), 40)
        count = len(h.events())

        def broken(*args, **kw):
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(history_rollup.day_counts, "count_days", broken)
        with pytest.raises(RuntimeError):
            h.roll_up(datetime(2025, 3, 1, tzinfo=CET), CET, keep_days=14)
        assert len(h.events()) == count
        assert h.day_rows(date(2025, 1, 1), date(2025, 3, 1)) == {}
