"""A month in a minute: the real app, the real APScheduler and the real SQLite job store on an injected clock.

Where test_simulated_month.py checks what the user sees (with APScheduler's
rules re-enacted), this soak runs APScheduler itself: its ``_process_jobs``
is called once per wake-up with ``datetime.now`` answering the simulated time,
each job runs right after that pass (as, in effect, the thread pool and the
app's dispatcher do: the app sees a run only after the pass released the job
stores), and the job store is ``SQLiteJobStore`` on
a file, as is the history. Over 30 days (every minute tick of the day and
night, ~45,000 scheduler cycles) the user works, walks away, pauses, changes
the break interval and the reminders, takes sessions, and the app is quit and
started again now and then. Checked all along: the job store never holds a job
twice or one it should not hold; at the end: Python's memory (tracemalloc)
stayed flat after the first days, and the files are intact.
"""

from __future__ import annotations

import gc
import logging
import sqlite3
import sys
import tracemalloc
from datetime import date, datetime, timedelta, timezone

import pytest
from apscheduler.executors import base as aps_executors
from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers import base as aps_base
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers import interval as aps_interval

from necka_tray.store import config
from necka_tray.owner.app import App
from necka_tray.owner.ports import Ports
from necka_tray.core.clock import FakeClock, TimeScale
from necka_tray.core.planner import Planner
from necka_tray.core.reminders import Kind
from necka_tray.store.history import History
from necka_tray.store.history_writer import HistoryWriter
from necka_tray.desktop.notify import LogNotifier
from necka_tray.desktop.presence import PresenceMonitor
from necka_tray.schedule.scheduling import PAUSE_JOB, TICK_JOB, ReminderScheduler
from necka_tray.core.actions import Action
from .test_app_scheduling import session_end

from .test_simulated_month import START, TZ, NullView, World, local, script

DAYS = 30
#: When to measure: day 10 (caches and the first days of history are warm by then); tracing
#: (which makes every allocation ~3x slower) only over the last week, from day 23, measured from day 24.
MARKS = (("day10", 10), ("trace", 23), ("traced", 24))
ALLOWED_BLOCKS = 2_000  # Python objects: ~100 a day would show
ALLOWED_GROWTH = 64 * 1024  # bytes over the traced week: a leak of ~0.4 KiB an hour would show
STORED_IDS = {k.job_id for k in Kind} | {PAUSE_JOB}
CHANGES = [Action("interval", 45), Action("toggle", "posture"), Action("pause", "30m"), Action("interval", 30), Action("toggle", "posture"),
           Action("session"), Action("interval", 90), Action("toggle", "shoulder_rolls"), Action("pause", "1h"), Action("resume"),
           Action("toggle", "shoulder_rolls"), Action("session"), Action("interval", 60), Action("snooze", 10), Action("skip")]


class SimTime(datetime):
    """``datetime`` for APScheduler's scheduler module: ``now()`` is the simulated clock."""

    clock: FakeClock

    @classmethod
    def now(cls, tz=None):
        now = cls.clock.now()
        return now.astimezone(tz) if tz else now


class LaterExecutor(DebugExecutor):
    """Runs the jobs submitted during a scheduler pass once the pass is over."""

    def __init__(self):
        super().__init__()
        self.queued = []

    def _do_submit_job(self, job, run_times):
        self.queued.append((job, run_times))

    def run_queued(self) -> None:
        queued, self.queued = self.queued, []
        for job, run_times in queued:
            DebugExecutor._do_submit_job(self, job, run_times)


class Launcher:
    """A session window that opens at once; the test ends it a few minutes later."""

    running = False

    def launch(self, routine=None):
        self.running = True
        return True


@pytest.fixture
def inline_scheduler(monkeypatch):
    """BackgroundScheduler without its thread (the test calls ``_process_jobs``), jobs run inline."""
    monkeypatch.setattr(BackgroundScheduler, "start", lambda self, *a, **kw: BaseScheduler.start(self, *a, **kw))
    monkeypatch.setattr(BackgroundScheduler, "shutdown", lambda self, *a, **kw: BaseScheduler.shutdown(self, *a, **kw))
    monkeypatch.setattr(BackgroundScheduler, "wakeup", lambda self: None)
    real_start = ReminderScheduler.start

    def start(self, on_job_event):
        real_start(self, on_job_event)
        self._scheduler.remove_executor("default")
        self._scheduler.add_executor(LaterExecutor(), "default")

    monkeypatch.setattr(ReminderScheduler, "start", start)
    for module in (aps_base, aps_executors, aps_interval):  # where APScheduler asks for the time
        monkeypatch.setattr(module, "datetime", SimTime)


def build(tmp_path, clock, world) -> tuple[App, ReminderScheduler, Launcher]:
    planner = Planner(TimeScale(1), tz=TZ)
    scheduler = ReminderScheduler(tmp_path / "jobs.sqlite3", planner, clock=clock)  # the tick on simulated time
    launcher = Launcher()
    history = HistoryWriter(tmp_path / "history.sqlite3")
    ports = Ports(clock=clock, scheduler=scheduler, notifier=LogNotifier(), view=NullView(), launcher=launcher,
                  post=lambda fn, *a: fn(*a), open_file=lambda p: None, record=history.record,
                  quit_loop=lambda: None, presence=PresenceMonitor(world, world, planner.scale, TZ))
    app = App(tmp_path / "config.toml", config.load(tmp_path / "config.toml").settings, planner, ports)
    app.start()
    return app, scheduler, launcher


def check_jobs(scheduler: ReminderScheduler, reader: sqlite3.Connection) -> None:
    """No job twice, none that should not be there: in the file (as another reader sees it) and in the scheduler."""
    ids = [row[0] for row in reader.execute("SELECT id FROM apscheduler_jobs")]
    assert len(ids) == len(set(ids)) and set(ids) <= STORED_IDS, ids
    everywhere = [job.id for job in scheduler._scheduler.get_jobs()]
    assert len(everywhere) == len(set(everywhere)), f"a job in two stores: {everywhere}"
    assert everywhere.count(TICK_JOB) == 1


def measure(start_tracing: bool = False) -> tuple[int, int]:
    """(bytes traced by tracemalloc, Python blocks allocated), bounded caches emptied first."""
    clear_bounded_caches()
    gc.collect()
    if start_tracing:
        tracemalloc.start(1)
    traced = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
    return traced, sys.getallocatedblocks()


def clear_bounded_caches() -> None:
    """Empty Necka's ``lru_cache``s (bounded by design, e.g. the time-zone offsets per quarter hour
    in reports.py), so the growth measured is what nothing bounds: a leak."""
    for name, module in list(sys.modules.items()):
        if name.startswith("necka_tray"):
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def test_a_month_of_cycles_keeps_memory_flat_and_never_duplicates_a_job(tmp_path, inline_scheduler):
    world = World(script())
    clock = FakeClock(local(START, 8, 0).astimezone(timezone.utc), mono=10_000.0)
    world.clock = SimTime.clock = clock
    logging.disable(logging.WARNING)  # pytest keeps every log record: that would be the leak measured
    try:
        app, scheduler, launcher = build(tmp_path, clock, world)
        reader = sqlite3.connect(tmp_path / "jobs.sqlite3")
        end = local(START + timedelta(days=DAYS), 0)
        cycles = changes = restarts = 0
        next_change = clock.now() + timedelta(minutes=37)
        session_ends: datetime | None = None
        marks: dict[str, tuple[int, int]] = {}
        while clock.now() < end:
            wait = scheduler._scheduler._process_jobs()
            scheduler._scheduler._lookup_executor("default").run_queued()
            cycles += 1
            check_jobs(scheduler, reader)
            now = clock.now()
            wake = now + timedelta(seconds=wait if wait is not None else 3600)
            if session_ends is not None and session_ends <= wake:
                clock.advance(seconds=max(0.0, (session_ends - now).total_seconds()))
                launcher.running = False
                app.on_session_end(session_end("neck", clock.now()))
                session_ends = None
                continue
            if next_change <= wake:
                clock.advance(seconds=max(0.0, (next_change - now).total_seconds()))
                action = CHANGES[changes % len(CHANGES)]
                app.handle_action(action)
                if action == Action("session") and launcher.running:
                    session_ends = clock.now() + timedelta(minutes=2)
                changes += 1
                next_change = clock.now() + timedelta(minutes=53)
                if changes % 40 == 0:  # quit and start again on the same files
                    app.quit()
                    app, scheduler, launcher = build(tmp_path, clock, world)
                    restarts += 1
                continue
            clock.advance(seconds=max(0.0, (wake - now).total_seconds()))
            day = (clock.now().astimezone(TZ).date() - START).days
            for name, at in MARKS:
                if day >= at and name not in marks:
                    marks[name] = measure(start_tracing=name == "trace")
        marks["end"] = measure()
        top = tracemalloc.take_snapshot().statistics("filename")[:5]
        tracemalloc.stop()
        app.quit()
        reader.close()
    finally:
        logging.disable(logging.NOTSET)
        if tracemalloc.is_tracing():
            tracemalloc.stop()
    blocks = marks["end"][1] - marks["day10"][1]
    traced = marks["end"][0] - marks["traced"][0]
    print(f"\nsoak: {cycles} scheduler cycles, {changes} menu changes, {restarts} restarts over {DAYS} days. "
          f"Python blocks allocated from day 10 to the end: {blocks:+d}; memory traced (tracemalloc) from day "
          f"{MARKS[-1][1]} to the end: {marks['traced'][0] / 1024:.0f} KiB -> {marks['end'][0] / 1024:.0f} KiB "
          f"({traced / 1024:+.1f} KiB). Largest live allocations since tracing began:")
    for stat in top:
        print(f"  {stat}")
    assert cycles >= 40_000 and changes >= 700 and restarts >= 15
    assert blocks < ALLOWED_BLOCKS, f"{blocks} more Python blocks at day {DAYS} than at day 10"
    assert traced < ALLOWED_GROWTH, f"memory grew {traced} bytes over the last {DAYS - MARKS[-1][1]} days"
    for name in ("jobs.sqlite3", "history.sqlite3"):
        with sqlite3.connect(tmp_path / name) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with History(tmp_path / "history.sqlite3") as h:
        days = {e.ts.astimezone(TZ).date() for e in h.events("reminder")}
    workdays = {START + timedelta(days=n) for n in range(DAYS) if (START + timedelta(days=n)).weekday() < 5}
    assert len(days & workdays) >= len(workdays) - 2  # reminders went on all month
    assert date(2026, 3, 29) in {START + timedelta(days=n) for n in range(DAYS)}  # through the DST change
