"""Days never counted before are counted by SQLite (store/day_counts.py) with the numbers of the
pure rules (core.stats.summarize), and a first report over them shows what the roll-up keeps.

A fixed history in a temp dir: dense days (every rule of core.stats, events at the window's edges,
stretches across midnight), in zones with DST changes (Europe/Berlin, the system's own through
TZ) and odd offsets. Nothing is timed here (benchmarks/history_bench.py measures)."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from necka_tray.core import stats
from necka_tray.core.events import sitting_event
from necka_tray.store import reports
from necka_tray.store.history import History
from necka_tray.store.reports import load

BERLIN = ZoneInfo("Europe/Berlin")
ZONES = [BERLIN, ZoneInfo("America/St_Johns"), timezone(timedelta(hours=5, minutes=45)),
         timezone(timedelta(hours=-9, minutes=-30)), timezone.utc]
FIRST, LAST = date(2025, 3, 24), date(2025, 4, 3)  # the clocks go forward in Berlin on 30 March
NOW = datetime(2025, 4, 20, 12, 0, tzinfo=timezone.utc)


def a_dense_day(h: History, day: date, tz, copies: int = 3) -> None:
    """One day of everything the statistics count, ``copies`` times a few seconds apart."""
    base = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    rows = []
    for k in range(copies):
        at = lambda hours, minutes=0, seconds=0: base + timedelta(hours=hours, minutes=minutes, seconds=seconds + 7 * k)  # noqa: E731
        rows += [
            ("checkin", at(8, 55), {"rating": 3 + k, "source": "daily"}),
            # Acted on: a session 15 minutes later, to the second (the window's edge).
            ("reminder", at(9), {"reminder": "stretch", "notified": True}),
            ("session", at(9, 15), {"outcome": "completed", "steps_done": 6, "steps_total": 6, "routine": "neck",
                                    "duration_s": 112.0}),
            # Ignored: the session comes a second too late.
            ("reminder", at(10), {"reminder": "stretch", "notified": True}),
            ("session", at(10, 15, 1), {"outcome": "stopped", "steps_done": 2, "steps_total": 6, "routine": "neck"}),
            # Snoozed (the snooze names no reminder: a stretch one), then fired again and skipped.
            ("reminder", at(11), {"reminder": "stretch", "notified": True}),
            ("snooze", at(11, 1), {"minutes": 10}),
            ("reminder", at(11, 11), {"reminder": "stretch", "notified": True}),
            ("skip", at(11, 12), {"reminder": "stretch", "was_due": True}),
            # Ended by the next stretch reminder; a posture "done" does not act on a stretch one.
            ("reminder", at(12), {"reminder": "stretch", "notified": True}),
            ("done", at(12, 1), {"reminder": "posture"}),
            ("reminder", at(12, 5), {"reminder": "stretch", "notified": True}),
            ("natural_break", at(12, 10), {"sat_from": at(10, 30).isoformat(), "end": at(12, 40).isoformat(),
                                           "minutes": 30.0}),
            ("reminder", at(13), {"reminder": "posture", "notified": True}),
            ("reminder", at(13, 20), {"reminder": "shoulder_rolls", "notified": False}),
            ("done", at(13, 21), {"reminder": "shoulder_rolls"}),
            ("checkin", at(13, 30, 0.25), {"rating": 7, "source": "session"}),
            ("pause", at(14), {"until": at(15).isoformat()}),
            # A stretch reminder late at night answered after midnight, and sitting across midnight,
            # measured in odd microseconds (a natural break back after midnight, a sitting event).
            ("reminder", at(23, 55), {"reminder": "stretch", "notified": True}),
            ("natural_break", at(24, 5, 0.123456), {"sat_from": at(22, 10, 0.654321).isoformat(),
                                                    "end": at(24, 30).isoformat(), "minutes": 25.0}),
        ]
    h.record_many(rows)
    h.add(sitting_event(base + timedelta(hours=18, seconds=0.5), base + timedelta(hours=19, minutes=2, seconds=3.25),
                        until="quit"))


def fill(path, tz, days=stats.day_range(FIRST, LAST)):
    with History(path) as h:
        for day in days:
            a_dense_day(h, day, tz)
        # Only checked in one day (no activity), and a day of nothing in between.
        h.record_checkin(datetime.combine(LAST + timedelta(days=2), datetime.min.time(), tzinfo=tz)
                         + timedelta(hours=9), 2, "cli")


@pytest.mark.parametrize("tz", ZONES, ids=str)
def test_sqlite_counts_each_day_as_the_rules_do(tmp_path, tz):
    path = tmp_path / "history.sqlite3"
    fill(path, tz)
    first, last = FIRST - timedelta(days=1), LAST + timedelta(days=3)
    with History(path) as h:
        expected = stats.summarize(h.events(), first, last, tz, NOW)
        counted = h.count_days(stats.day_range(first, last), tz)
    assert [counted[d.day] for d in expected] == expected
    busy = expected[1]  # every rule had something to count (the copies 7 s apart interleave)
    assert min(busy.stretch_acted_on, busy.stretch_ignored, busy.stretch_snoozed, busy.stretch_skipped,
               busy.stretch_stopped, busy.posture_checks, busy.shoulder_rolls, busy.natural_breaks) > 0
    assert sorted(busy.checkins) == [3, 4, 5, 7, 7, 7] and busy.longest_sitting_s < busy.sitting_s
    assert (expected[-2].active, expected[-2].checkins) == (False, (2,))  # a check-in alone is no activity
    assert expected[-1] == stats.DayStats(LAST + timedelta(days=3))


def test_the_systems_own_zone_counts_the_dst_day_as_the_rules_do(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        tz = reports.local_zone()
        path = tmp_path / "history.sqlite3"
        fill(path, BERLIN, [date(2025, 3, 29), date(2025, 3, 30), date(2025, 10, 25), date(2025, 10, 26)])
        days = stats.day_range(date(2025, 3, 28), date(2025, 10, 27))
        with History(path) as h:
            expected = stats.summarize(h.events(), days[0], days[-1], tz, NOW + timedelta(days=300))
            counted = h.count_days(days, tz)
        assert [counted[d.day] for d in expected] == expected
        short, long_ = counted[date(2025, 3, 30)], counted[date(2025, 10, 26)]
        assert short.stretch_done == long_.stretch_done == 3 and short.stretch_due == long_.stretch_due > 0
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize("tz", [BERLIN, timezone(timedelta(hours=5, minutes=45))], ids=str)
def test_a_first_report_over_days_never_counted_shows_what_the_roll_up_keeps(tmp_path, tz, monkeypatch):
    fresh, rolled = tmp_path / "fresh.sqlite3", tmp_path / "rolled.sqlite3"
    fill(fresh, tz)
    fill(rolled, tz)
    now = datetime.combine(LAST + timedelta(days=20), datetime.min.time(), tzinfo=tz) + timedelta(hours=10)
    with History(rolled) as h:
        assert h.roll_up(now, tz, keep_days=14) > 0
        assert h.events(until=stats.day_start(LAST, tz)) == []  # those days live on as rows only
    loaded = []
    real_events = History.events

    def events(self, *args, **kw):
        found = real_events(self, *args, **kw)
        loaded.extend(found)
        return found

    monkeypatch.setattr(History, "events", events)
    first = load(fresh, 40, now, tz, 2)
    assert loaded == []  # finished days were counted by SQLite, none loaded into Python
    after = load(rolled, 40, now, tz, 2)
    assert first.days == after.days and first.streak == after.streak
    assert stats.totals(first.days) == stats.totals(after.days)
    assert stats.totals(first.days)["stretch_done"] == 3 * len(stats.day_range(FIRST, LAST))
    assert load(fresh, 40, now, tz, 2).days == first.days  # and read back from day_cache the same
