"""The app's today line and statistics items, on the real scheduler and a real history file."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from necka_tray.store.history import History
from necka_tray.store.paths import AppPaths
from necka_tray.store.reports import TrayStats
from necka_tray.core.actions import Action
from necka_tray.children.protocol import CheckinResult, SessionEnd

from .test_app_scheduling import Harness


class CountingStats(TrayStats):
    """The real port, counting its reads and roll-ups."""

    def __init__(self, path):
        super().__init__(path)
        self.reads = 0
        self.roll_ups = []

    def today_lines(self, now, min_sessions, sitting_since=None):
        self.reads += 1
        return super().today_lines(now, min_sessions, sitting_since)

    def roll_up(self, now, keep_days):
        self.roll_ups.append(keep_days)
        return super().roll_up(now, keep_days)


class MovableClock:
    def __init__(self):
        self.offset = timedelta(0)

    def now(self):
        return datetime.now().astimezone() + self.offset

    def monotonic(self):
        import time

        return time.monotonic()


@pytest.fixture
def app(tmp_path):
    paths = AppPaths(tmp_path / "config", tmp_path / "data", tmp_path / "log")
    paths.ensure()
    h = Harness(paths)
    stats = CountingStats(paths.history_db)
    opened = []

    def record(kind, ts, **data):
        with History(paths.history_db) as history:
            history.record(kind, ts, **data)

    h.clock = MovableClock()
    h.app.p.clock = h.clock
    h.app.p.record = record
    h.app.p.stats = stats
    h.app.p.open_window = lambda name, *args: opened.append(name) or True
    h.stats, h.opened = stats, opened
    h.start()
    h.call(lambda: None)  # the start-up roll-up posted by start() has run
    yield h
    if h.thread.is_alive():
        h.stop()


def labels(h) -> list[str]:
    return [e.label for e in h.view.entries]


def test_the_menu_shows_today_and_the_streak_from_the_start(app):
    assert app.stats.roll_ups == [90]  # at start, with history.retention_days
    entries = labels(app)
    assert "Today: 0 stretches · 0 posture checks" in entries
    assert "No streak yet (2+ stretches a day)" in entries
    line = next(e for e in app.view.entries if e.label.startswith("Today:"))
    assert not line.enabled


def test_a_recorded_event_refreshes_the_line_and_a_tick_reads_nothing(app):
    reads = app.stats.reads
    for _ in range(5):
        app.call(app.app.on_tick)
    assert app.stats.reads == reads  # the idle path never touches the history
    app.call(lambda: app.app.record("reminder", app.clock.now(), reminder="posture", notified=True))
    assert app.stats.reads == reads + 1
    app.call(app.app.on_tick)  # the next drawing shows it, without reading again
    assert app.stats.reads == reads + 1
    assert "Today: 0 stretches · 1 posture check" in labels(app)


def test_the_tray_records_the_session_its_window_reports_and_the_check_in_on_it(app):
    now = app.clock.now()
    for k, rating in enumerate((None, 4)):  # the window wrote nothing (--no-record): the tray records
        start = now - timedelta(minutes=3 + k)
        app.call(app.app.on_session_end, SessionEnd("completed", "neck", start, start + timedelta(seconds=110), 6, 6,
                                                    110.0, rating))
    assert "Today: 2 stretches · 0 posture checks" in labels(app)
    assert "Streak: 1 day (2+ stretches a day)" in labels(app)
    with History(app.paths.history_db) as h:
        sessions, checkins = h.events("session"), h.events("checkin")
    assert [(e.data["outcome"], e.data["routine"], e.data["duration_s"]) for e in sessions] == [("completed", "neck", 110.0)] * 2
    assert [(e.data["rating"], e.data["source"]) for e in checkins] == [(4, "session")]


def test_a_session_window_that_died_without_a_result_is_a_stop_and_records_nothing(app):
    app.call(app.app.on_session_end, None, 1)
    with History(app.paths.history_db) as h:
        assert h.events("session") == []


def test_a_new_day_rolls_up_once_and_starts_a_fresh_line(app):
    app.call(app.app.on_tick)
    assert app.stats.roll_ups == [90]
    app.clock.offset = timedelta(days=1)
    app.call(app.app.on_tick)
    app.call(app.app.on_tick)
    assert app.stats.roll_ups == [90, 90]


def test_statistics_and_checkin_open_their_windows(app):
    app.call(app.app.handle_action, Action("statistics"))
    app.call(app.app.handle_action, Action("checkin"))
    assert app.opened == ["stats", "checkin"]
    reads = app.stats.reads
    app.call(app.app.on_window_end, CheckinResult(3, app.clock.now()))  # the window wrote nothing: the tray does
    assert app.stats.reads == reads + 1
    with History(app.paths.history_db) as h:
        assert [(e.data["rating"], e.data["source"]) for e in h.events("checkin")] == [(3, "daily")]
    app.call(app.app.on_window_end, CheckinResult(None))  # skipped: nothing to record
    assert app.stats.reads == reads + 1
    entries = labels(app)
    assert entries.index("Statistics…") < entries.index("How is your neck today?…") < entries.index("Quit Necka")


def test_a_broken_history_never_breaks_the_tray(app):
    app.paths.history_db.unlink()
    app.paths.history_db.mkdir()  # now it cannot be opened at all
    app.call(lambda: app.app.record("reminder", app.clock.now(), reminder="posture", notified=True))
    app.call(app.app.new_day)
    assert "Quit Necka" in labels(app)  # still drawn, the last line kept


class Typing:
    """An idle source for a user who is at the keyboard."""

    name = "fake"

    def idle_seconds(self):
        return 0.0


def test_quitting_records_the_sitting_stretch_going_on(tmp_path):
    from necka_tray.core.clock import TimeScale
    from necka_tray.desktop.dnd import AnyQuiet
    from necka_tray.desktop.presence import PresenceMonitor

    paths = AppPaths(tmp_path / "config", tmp_path / "data", tmp_path / "log")
    paths.ensure()
    h = Harness(paths)
    records = h.records
    h.app.presence = PresenceMonitor(Typing(), AnyQuiet([]), TimeScale(1.0))
    h.app.presence.configure(h.app.settings)
    h.start()
    h.stop()
    (kind, data), = [r for r in records if r[0] == "sitting"]
    assert data["until"] == "quit" and 0 <= data["duration_s"] < 10


def test_without_idle_detection_quitting_claims_no_sitting(app):
    app.stop()
    with History(app.paths.history_db) as h:
        assert h.events("sitting") == []
