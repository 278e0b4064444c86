"""Finished days are counted once and then read as one row each; an event written near a day
makes it counted again, and another zone counts its own days."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from necka_tray.store.history import History
from necka_tray.store.reports import load

UTC = timezone.utc
NOW = datetime(2026, 3, 12, 15, 0, tzinfo=UTC)


def fill(path):
    with History(path) as h:
        for day in range(10):
            t = NOW - timedelta(days=day, hours=4)
            h.record("reminder", t, reminder="stretch", notified=True)
            h.record_session(t + timedelta(minutes=1), t + timedelta(minutes=3), "completed", 6, 6, "neck")


def cached(path):
    with History(path) as h:
        return h._db.execute("SELECT day, zone FROM day_cache ORDER BY day").fetchall()


def test_finished_days_are_cached_and_read_back_the_same(tmp_path):
    path = tmp_path / "history.sqlite3"
    fill(path)
    first = load(path, 7, NOW, UTC, 2)
    rows = cached(path)
    assert [r[0] for r in rows] == [(NOW.date() - timedelta(days=d)).isoformat() for d in range(6, 0, -1)]  # not today
    again = load(path, 7, NOW, UTC, 2)
    assert again.days == first.days and [d.stretch_done for d in again.days] == [1] * 7


def test_an_event_written_near_a_cached_day_makes_it_count_again(tmp_path):
    path = tmp_path / "history.sqlite3"
    fill(path)
    load(path, 7, NOW, UTC, 2)
    three_days_ago = NOW - timedelta(days=3, hours=2)
    with History(path) as h:  # a history merged back, a window that wrote late
        h.record_session(three_days_ago, three_days_ago + timedelta(minutes=2), "completed", 6, 6, "neck")
    report = load(path, 7, NOW, UTC, 2)
    assert report.days[-4].stretch_done == 2


def test_another_zone_counts_its_own_days(tmp_path):
    path = tmp_path / "history.sqlite3"
    fill(path)
    load(path, 7, NOW, UTC, 2)
    tokyo = timezone(timedelta(hours=9))
    report = load(path, 7, NOW, tokyo, 2)
    assert sum(d.stretch_done for d in report.days) >= 6
    assert len({zone for _day, zone in cached(path)}) == 2


def test_days_counted_for_a_streak_are_kept_and_read_back(tmp_path, monkeypatch):
    path = tmp_path / "history.sqlite3"
    with History(path) as h:
        for day in range(100):  # a streak longer than the days shown
            t = NOW - timedelta(days=day, hours=4)
            for k in range(2):
                h.record_session(t + timedelta(minutes=10 * k), t + timedelta(minutes=10 * k + 2), "completed", 6, 6,
                                 "neck")
    first = load(path, 7, NOW, UTC, 2)
    assert first.streak.days == 100
    assert any(zone.startswith("s") for _day, zone in cached(path))

    def counted_again(*args, **kw):
        raise AssertionError("a streak day counted again")

    monkeypatch.setattr(History, "day_activity", lambda self, days, tz: {} if not days else counted_again())
    assert load(path, 7, NOW, UTC, 2).streak == first.streak
