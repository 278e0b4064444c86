"""The app on the real scheduler, the real SQLite job store and a real config file.

Only the tray, the notifier and the session window are fakes. Time is real but
never waited on for a whole interval: gaps are made by moving the stored next
run times, exactly what a closed app or a sleeping machine leaves behind.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from necka_tray.store import config
from necka_tray.schedule import jobs
from necka_tray.desktop.presence import PresenceMonitor
from necka_tray.owner.app import App
from necka_tray.owner.ports import Ports
from necka_tray.core.clock import SystemClock, TimeScale
from necka_tray.core.planner import Planner
from necka_tray.core.reminders import Kind
from necka_tray.owner.dispatch import Dispatcher
from necka_tray.desktop.notify import LogNotifier
from necka_tray.store.paths import AppPaths
from necka_tray.schedule.scheduling import PAUSE_JOB, ReminderScheduler
from necka_tray.core.actions import Action
from necka_tray.children.protocol import SessionEnd


def session_end(routine: str = "neck", ended=None) -> SessionEnd:
    """What a session window reports when it closes (``protocol.SessionEnd``)."""
    ended = ended or datetime.now().astimezone()
    return SessionEnd("completed", routine, ended - timedelta(minutes=2), ended, 6, 6, 120.0)


class FakeView:
    def __init__(self):
        self.views = []
        self.entries = ()

    def render(self, view, entries):
        self.views.append(view)
        self.entries = entries

    def stop(self):
        pass


class FakeLauncher:
    def __init__(self):
        self.launched = 0
        self.routines = []  # the routine of each launch
        self.running = False

    def launch(self, routine=None):
        self.launched += 1
        self.routines.append(routine)
        self.running = True
        return True


class Harness:
    """One app instance with its dispatcher thread, like the tray process has."""

    def __init__(self, paths: AppPaths, scale: float = 1.0):
        self.paths = paths
        self.notifier = LogNotifier()
        self.view = FakeView()
        self.launcher = FakeLauncher()
        self.records = []
        self.dispatcher = Dispatcher()
        planner = Planner(TimeScale(scale))
        self.scheduler = ReminderScheduler(paths.jobs_db, planner)
        ports = Ports(
            clock=SystemClock(),
            scheduler=self.scheduler,
            notifier=self.notifier,
            view=self.view,
            launcher=self.launcher,
            post=self.dispatcher.post,
            open_file=lambda p: None,
            record=lambda kind, ts, **data: self.records.append((kind, data)),
            quit_loop=self.dispatcher.stop,
            presence=PresenceMonitor.without_detection(planner.scale, planner.tz),
        )
        self.app = App(paths.config_file, config.load(paths.config_file).settings, planner, ports)
        self.thread = threading.Thread(target=self.dispatcher.run, daemon=True)

    def start(self):
        self.thread.start()
        self.call(self.app.start)
        return self

    def call(self, fn, *args):
        """Run ``fn`` on the dispatcher thread and wait for it."""
        done = threading.Event()
        box = {}

        def run():
            try:
                box["value"] = fn(*args)
            finally:
                done.set()

        self.dispatcher.post(run)
        assert done.wait(10), "dispatcher did not answer"
        return box.get("value")

    def next_runs(self):
        return self.call(lambda: self.scheduler.snapshot().next_runs)

    def stop(self):
        self.call(self.app.quit)
        self.thread.join(5)
        jobs.set_handler(None)


@pytest.fixture
def paths(tmp_path):
    p = AppPaths(tmp_path / "config", tmp_path / "data", tmp_path / "log")
    p.ensure()
    return p


@pytest.fixture
def running(paths):
    harnesses = []

    def start(scale=1.0):
        h = Harness(paths, scale).start()
        harnesses.append(h)
        return h

    yield start
    for h in harnesses:
        if h.thread.is_alive():
            h.stop()


def move_stored_runs(h: Harness, delta: timedelta):
    """Shift every reminder's stored next run, as if the app had been closed that long."""

    def shift():
        sched = h.scheduler._scheduler
        sched.pause()
        for kind in Kind:
            job = sched.get_job(kind.job_id)
            sched.modify_job(kind.job_id, next_run_time=job.next_run_time - delta)

    h.call(shift)


def test_first_start_schedules_each_kind_at_its_interval(running):
    h = running()
    runs = h.next_runs()
    assert set(runs) == set(Kind)
    gaps = {k: runs[k] - runs[Kind.POSTURE] for k in Kind}
    assert gaps[Kind.SHOULDER_ROLLS] == timedelta(minutes=20)
    assert gaps[Kind.STRETCH] == timedelta(minutes=40)
    assert h.view.views[-1].tooltip == "Necka: stretch break in 60 min"


def test_restart_keeps_each_next_run_time(running):
    first = running()
    before = first.next_runs()
    first.stop()
    second = running()
    assert second.next_runs() == before


def test_gap_longer_than_grace_fires_nothing_and_continues_at_the_next_slot(running):
    h = running()
    h.stop()
    h2 = running()
    # 3.5 h: no interval's last missed slot lands near now (those would be inside the grace).
    move_stored_runs(h2, timedelta(hours=3, minutes=30))
    h2.call(h2.scheduler._scheduler.resume)
    # Give the scheduler thread a moment to process the misfires.
    h2.call(lambda: None)
    import time

    time.sleep(0.5)
    assert h2.notifier.sent == []
    runs = h2.next_runs()
    now = SystemClock().now()
    assert all(now < t <= now + timedelta(minutes=60) for t in runs.values())


def test_a_clock_set_back_while_closed_leaves_no_countdown_beyond_its_interval(running, paths):
    h = running()
    # The wall clock went back a day while Necka was closed: every stored run now lies a day ahead.
    move_stored_runs(h, timedelta(days=-1))
    h.stop()
    h2 = running()
    now = SystemClock().now()
    intervals = {Kind.POSTURE: 20, Kind.SHOULDER_ROLLS: 40, Kind.STRETCH: 60}
    for kind, due in h2.next_runs().items():
        assert now < due <= now + timedelta(minutes=intervals[kind], seconds=5), kind


def test_short_gap_brings_at_most_one_reminder(running):
    h = running()
    h.stop()
    h2 = running()
    # All three were due 30 s ago (inside the grace time): coalesced, and only the largest fires.
    def to_30s_ago():
        sched = h2.scheduler._scheduler
        sched.pause()
        past = SystemClock().now() - timedelta(seconds=30)
        for kind in Kind:
            sched.modify_job(kind.job_id, next_run_time=past)
        sched.resume()

    h2.call(to_30s_ago)
    import time

    deadline = time.monotonic() + 5
    while len(h2.records) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert [t for t, _ in h2.notifier.sent] == ["Time for a stretch break"]
    assert [r[1]["reminder"] for r in h2.records if r[0] == "reminder"] == ["stretch"]


def test_reminders_fire_on_time_with_a_time_scale(running):
    # Scale 1200: the 20-minute posture interval lasts one real second.
    h = running(scale=1200)
    import time

    deadline = time.monotonic() + 5
    while not h.notifier.sent and time.monotonic() < deadline:
        time.sleep(0.05)
    assert h.notifier.sent and h.notifier.sent[0][0] == "Posture check"


def test_interval_change_from_the_menu_is_saved_and_retimes_the_stretch(running, paths):
    h = running()
    before = h.next_runs()[Kind.STRETCH]
    h.call(h.app.handle_action, Action("interval", 45))
    after = h.next_runs()[Kind.STRETCH]
    assert abs((before - after) - timedelta(minutes=15)) < timedelta(seconds=2)
    assert config.load(paths.config_file).settings.reminder(Kind.STRETCH).interval_minutes == 45
    radio = [e for e in h.view.entries if e.label == "Break interval"][0].children
    assert [e.label for e in radio if e.checked] == ["45 min"]
    # A restart keeps the new interval and the new time.
    h.stop()
    assert running().next_runs()[Kind.STRETCH] == after


def test_turning_a_reminder_off_and_on(running, paths):
    h = running()
    h.call(h.app.handle_action, Action("toggle", "posture"))
    assert Kind.POSTURE not in h.next_runs()
    assert config.load(paths.config_file).settings.reminder(Kind.POSTURE).enabled is False
    assert "Posture check: off" in h.view.views[-1].status_lines
    h.call(h.app.handle_action, Action("toggle", "posture"))
    assert Kind.POSTURE in h.next_runs()


def test_pause_survives_a_restart_and_resume_restarts_countdowns(running):
    h = running()
    h.call(h.app.handle_action, Action("pause", "1h"))
    assert all(t is None for t in h.next_runs().values())
    assert h.view.views[-1].tooltip.startswith("Necka: paused until ")
    h.stop()
    h2 = running()
    assert all(t is None for t in h2.next_runs().values())
    assert h2.call(h2.scheduler.paused_until) is not None
    h2.call(h2.app.handle_action, Action("resume"))
    assert h2.call(h2.scheduler.paused_until) is None
    runs = h2.next_runs()
    now = SystemClock().now()
    assert abs(runs[Kind.STRETCH] - (now + timedelta(minutes=60))) < timedelta(seconds=5)


def test_pause_that_ended_while_the_app_was_closed_resumes_at_start(running):
    h = running()
    h.call(h.app.handle_action, Action("pause", "30m"))

    def pause_into_past():
        h.scheduler._scheduler.modify_job(PAUSE_JOB, next_run_time=SystemClock().now() - timedelta(minutes=5))

    h.call(h.scheduler._scheduler.pause)
    h.call(pause_into_past)
    h.stop()
    h2 = running()
    import time

    deadline = time.monotonic() + 5
    while h2.call(h2.scheduler.paused_until) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert h2.call(h2.scheduler.paused_until) is None
    assert all(t is not None for t in h2.next_runs().values())


def test_session_end_restarts_the_stretch_countdown(running):
    h = running()
    h.call(h.app.handle_action, Action("session"))
    assert h.launcher.launched == 1
    assert h.view.views[-1].session_running
    h.call(h.app.on_session_end, session_end())
    now = SystemClock().now()
    assert abs(h.next_runs()[Kind.STRETCH] - (now + timedelta(minutes=60))) < timedelta(seconds=5)
    assert not h.view.views[-1].session_running


def test_config_edited_while_closed_is_applied_at_start(running, paths):
    h = running()
    before = h.next_runs()
    h.stop()
    config.update(paths.config_file, {"reminders.posture.interval_minutes": 30, "reminders.shoulder_rolls.enabled": False})
    runs = running().next_runs()
    assert Kind.SHOULDER_ROLLS not in runs
    assert abs((runs[Kind.POSTURE] - before[Kind.POSTURE]) - timedelta(minutes=10)) < timedelta(seconds=2)
    assert runs[Kind.STRETCH] == before[Kind.STRETCH]


class CountingQuiet:
    """A full-screen / do-not-disturb source that counts how often it is asked."""

    name = "counting"

    def __init__(self):
        self.on = False
        self.asked = 0

    def quiet(self):
        self.asked += 1
        return self.on


def test_ticks_ask_for_quiet_only_while_a_reminder_waits(paths):
    # Posture alone: a larger kind's slot at start would otherwise cover the posture check.
    config.update(paths.config_file, {"reminders.stretch.enabled": False, "reminders.shoulder_rolls.enabled": False})
    h = Harness(paths)
    quiet = h.app.presence.quiet_source = CountingQuiet()
    h.start()
    try:
        at_start = quiet.asked
        for _ in range(3):
            h.call(h.app.on_tick)
        assert quiet.asked == at_start  # nothing waits: no window-manager or D-Bus round trip per tick
        quiet.on = True
        h.call(h.app.on_job, "reminder", Kind.POSTURE.value)
        assert quiet.asked == at_start + 1 and h.notifier.sent == []  # held over the full-screen window
        h.call(h.app.on_tick)
        assert quiet.asked == at_start + 2 and h.notifier.sent == []
        assert h.call(lambda: h.app.status()["state"]) == "quiet"
        quiet.on = False
        h.call(h.app.on_tick)  # the quiet ended: the held reminder is shown
        assert quiet.asked == at_start + 3 and [title for title, _ in h.notifier.sent] == ["Posture check"]
        h.call(h.app.on_tick)
        assert quiet.asked == at_start + 3
    finally:
        h.stop()


def test_voice_guidance_from_the_menu_is_saved_and_shown_checked(running, paths):
    """Issue 13 item 4: the tray's check item turns ``session.voice`` on and off in config.toml
    (the session window reads it when it opens)."""
    h = running()
    item = lambda: next(e for e in h.view.entries if e.label.startswith("Voice guidance"))  # noqa: E731
    assert item().checked is False and item().action == Action("voice")
    h.call(h.app.handle_action, Action("voice"))
    assert config.load(paths.config_file).settings["session.voice"] is True
    assert item().checked is True
    h.call(h.app.handle_action, Action("voice"))
    assert config.load(paths.config_file).settings["session.voice"] is False


def test_a_session_ended_by_quit_is_recorded_before_the_last_flush(tmp_path):
    """Quit ends the open windows; their reports are posted to the dispatcher and run after quit()
    itself, so the last flush of the history must come behind them, or the session is lost."""
    paths = AppPaths(tmp_path / "config", tmp_path / "data", tmp_path / "log")
    paths.ensure()
    h = Harness(paths)
    seen = []
    h.app.p.record = lambda kind, ts, **data: seen.append(kind)
    h.app.p.flush_history = lambda final=False: seen.append(f"flush final={final}")
    # As children.end_all does: the window's result is posted while the helpers end.
    h.app.p.end_helpers = lambda: h.dispatcher.post(h.app.on_session_end, session_end())
    h.start()
    h.dispatcher.post(h.app.quit)
    h.thread.join(10)
    assert not h.thread.is_alive()
    assert "session" in seen and seen.index("session") < seen.index("flush final=True"), seen
