"""The tray's care bubbles on the real app, scheduler and history file (the notifier is a fake):
the weekly look back once a week (a restart does not repeat it), the suggestion to see a
professional when a check-in recorded by the tray makes the rule hold, once, and both switched off."""

from __future__ import annotations

from datetime import datetime, timedelta

from necka_tray.core import care, stats
from necka_tray.children.protocol import CheckinResult
from necka_tray.store.history import History
from necka_tray.store.reports import local_zone

from .test_app_scheduling import Harness
from .test_app_stats import app  # noqa: F401  (the fixture: the real app on a real history file)

WEEKLY, SUGGESTION = "Necka: last week", "Necka: your neck check-ins"


def at_ten(day):
    return datetime.combine(day, datetime.min.time()).replace(hour=10).astimezone(local_zone())


def seed_weeks(path) -> None:
    """Last week: one stretch break taken of two, check-ins of 3; the week before: check-ins of 5."""
    monday = care.week_start(stats.local_day(datetime.now().astimezone(), local_zone()))
    with History(path) as h:
        for i in range(7):
            h.record_checkin(at_ten(monday - timedelta(days=14 - i)), 5, "cli")
            h.record_checkin(at_ten(monday - timedelta(days=7 - i)), 3, "cli")
        first = at_ten(monday - timedelta(days=3))
        h.record("reminder", first, reminder="stretch", notified=True)
        h.record_session(first + timedelta(minutes=2), first + timedelta(minutes=4), "completed", 6, 6, "neck")
        h.record("reminder", first + timedelta(hours=2), reminder="stretch", notified=True)


def titles(h) -> list[str]:
    return [title for title, _body in h.notifier.sent]


def test_the_weekly_look_back_comes_once_a_week(tmp_path):
    from necka_tray.store.paths import AppPaths
    from necka_tray.store.reports import TrayStats

    paths = AppPaths(tmp_path / "config", tmp_path / "data", tmp_path / "log")
    paths.ensure()
    seed_weeks(paths.history_db)

    def record(kind, ts, **data):
        with History(paths.history_db) as history:
            history.record(kind, ts, **data)

    def started():
        h = Harness(paths)
        h.app.p.stats, h.app.p.record = TrayStats(paths.history_db), record
        h.start()
        h.call(lambda: None)  # the start-up work posted by start() has run
        return h

    h = started()
    try:
        assert titles(h) == [WEEKLY]
        body = h.notifier.sent[0][1]
        assert body == "Last week: 1 of 2 stretch breaks taken; neck 5.0 → 3.0"
        assert h.notifier.options[0]["tag"] == "weekly"
        h.call(h.app.on_tick)
        assert titles(h) == [WEEKLY]  # not at every tick
    finally:
        h.stop()
    h = started()  # a restart the same week
    try:
        h.call(h.app.on_tick)
        assert titles(h) == []
        with History(paths.history_db) as history:
            assert [e.data["notice"] for e in history.events("notice")] == ["weekly"]
    finally:
        h.stop()


def test_a_check_in_that_makes_the_rule_hold_brings_the_suggestion_once(app):  # noqa: F811
    from necka_tray.store.routines import RoutineBook

    app.app.routines = RoutineBook(history_db=app.paths.history_db)  # as owner/main.py makes it
    now = app.clock.now()
    with History(app.paths.history_db) as h:
        for i in (1, 2, 3):
            h.record_checkin(now - timedelta(days=i), 8, "cli")
    app.call(app.app.on_tick)
    assert SUGGESTION not in titles(app)  # three days are not most of a week
    strengthen = app.app.routines.catalogue().routines["strengthen"]
    assert app.app.routines.locked(strengthen, now) != "rests while your neck check-ins are high"
    app.call(app.app.on_window_end, CheckinResult(8, now))  # the daily check-in window's answer: a fourth day
    app.call(app.app.on_tick)
    assert titles(app).count(SUGGESTION) == 1
    i = titles(app).index(SUGGESTION)
    assert "healthcare professional" in app.notifier.sent[i][1]
    assert [k for k, _label in app.notifier.options[i]["actions"]] == ["default", "care"]
    app.call(app.app.on_bubble, "care", "default")  # a click on it: the care page
    assert app.opened[-1] == "info"
    app.call(app.app.on_window_end, CheckinResult(9, now))
    app.call(app.app.on_tick)
    assert titles(app).count(SUGGESTION) == 1  # at most once in 7 days
    assert app.app.routines.locked(strengthen, now) == "rests while your neck check-ins are high"


def test_both_bubbles_can_be_turned_off(tmp_path):
    from necka_tray.store.paths import AppPaths
    from necka_tray.store.reports import TrayStats

    paths = AppPaths(tmp_path / "config", tmp_path / "data", tmp_path / "log")
    paths.ensure()
    paths.config_file.write_text("[care]\nsuggest_professional = false\nweekly_summary = false\n", encoding="utf-8")
    seed_weeks(paths.history_db)
    now = datetime.now().astimezone()
    with History(paths.history_db) as history:
        for i in range(7):
            history.record_checkin(now - timedelta(days=i, minutes=1), 9, "cli")
    h = Harness(paths)
    h.app.p.stats = TrayStats(paths.history_db)
    h.start()
    try:
        h.call(lambda: None)
        h.call(h.app.on_tick)
        assert titles(h) == []
    finally:
        h.stop()


def test_no_care_bubble_while_paused_it_waits_for_the_resume(app):  # noqa: F811
    from necka_tray.core.actions import Action, Verb

    now = app.clock.now()
    with History(app.paths.history_db) as h:
        for i in range(7):
            h.record_checkin(now - timedelta(days=i, minutes=1), 7, "cli")
    app.call(app.app.handle_action, Action(Verb.PAUSE, "30m"))
    app.call(app.app.care.checked_in, app.app)
    app.call(app.app.on_tick)
    assert SUGGESTION not in titles(app)
    app.call(app.app.handle_action, Action(Verb.RESUME))
    app.call(app.app.on_tick)
    assert titles(app).count(SUGGESTION) == 1


def test_the_care_reads_run_on_the_history_thread_never_on_the_dispatcher(tmp_path, monkeypatch):
    """A large, locked or upgrading history must never hold up the thread that answers commands:
    the dispatcher only asks (the history port), and shows a bubble when the answer comes back."""
    import threading

    from necka_tray.store import history as history_mod
    from necka_tray.store.paths import AppPaths
    from necka_tray.store.reports import TrayStats
    from necka_tray.store.routines import RoutineBook

    paths = AppPaths(tmp_path / "config", tmp_path / "data", tmp_path / "log")
    paths.ensure()
    seed_weeks(paths.history_db)
    now = datetime.now().astimezone()
    with History(paths.history_db) as history:
        for i in range(7):
            history.record_checkin(now - timedelta(days=i, minutes=1), 9, "cli")
    opened_on = []
    real_init = history_mod.History.__init__

    def init(self, *args, **kw):
        opened_on.append(threading.current_thread().name)
        real_init(self, *args, **kw)

    monkeypatch.setattr(history_mod.History, "__init__", init)
    asked = []  # the history thread's queue, run below by hand
    h = Harness(paths)
    h.app.p.stats = TrayStats(paths.history_db)
    h.app.p.history = lambda what, fn, *args, then=None, stats=None: asked.append((fn, args, then))
    h.app.routines = RoutineBook(paths.routines_file, paths.history_db, reads_history=False)
    dispatcher = h.thread.name
    h.start()
    try:
        h.call(h.app.on_tick)
        strengthen = h.app.routines.catalogue().routines["strengthen"]
        h.call(h.app.routines.locked, strengthen, now)
        assert dispatcher not in opened_on and titles(h) == []
        assert {fn.__name__ for fn, _args, _then in asked} >= {"read_suggestion", "read_look_back", "read_care"}
        for fn, args, then in asked:  # the history thread answers
            result = fn(*args)
            if then is not None and result is not None:
                h.call(then, result)
        assert titles(h) == [WEEKLY, SUGGESTION] or titles(h) == [SUGGESTION, WEEKLY]
        assert h.call(h.app.routines.locked, strengthen, now) == "rests while your neck check-ins are high"
        assert dispatcher not in opened_on
    finally:
        h.stop()
