"""The scheduler adapter: Necka's one source of time.

APScheduler's ``BackgroundScheduler`` holds one interval job per enabled
reminder kind in a persistent SQLite job store, under fixed ids, calling
module-level functions (``jobs.py``; the store keeps them by name). Rules we chose on purpose:

- A job is added only when the store does not hold it: restarting the app
  keeps every countdown (``replace_existing=True`` at start would reset them).
- Misfires: ``coalesce=True`` and a grace time of at most a minute. A run
  missed while the app was closed or the machine slept is dropped (logged),
  and the job continues at its next slot: never a burst on wake-up, at most
  one late reminder per kind, and the planner lets only the largest through.
- A pause is a stored one-shot job (``pause_end``) plus paused reminder jobs,
  so a pause survives a restart and ends on time even if the app was closed.
- The tray's minute tick lives in an in-memory store: it must not write to
  disk every minute. That store times its jobs by the monotonic clock
  (``monotonic_store.py``), so a wall clock set back still gets its next tick,
  and the tick compares the clocks and sees the jump.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from necka_tray.core.clock import TimeScale
from necka_tray.core.planner import Planner, ScheduleSnapshot
from necka_tray.core.reminders import Kind
from necka_tray.tray import jobs

logger = logging.getLogger(__name__)

PAUSE_JOB = "pause_end"
TICK_JOB = "tick"
LULL_JOB = "lull"
#: Longest lateness (real seconds) at which a missed run still fires.
MAX_GRACE_SECONDS = 60


class ReminderScheduler:
    """Owns the ``BackgroundScheduler``; call its methods from the app's dispatcher thread."""

    def __init__(self, jobs_db: Path, planner: Planner, clock=None) -> None:
        """``clock`` (``core.clock.Clock``, default the system's) times the tick and lull timers."""
        self._jobs_db = jobs_db
        self._planner = planner
        self._clock = clock
        self._scheduler = None
        self._intervals: dict[Kind, int] = {}

    @property
    def scale(self) -> TimeScale:
        return self._planner.scale

    def start(self, on_job_event: Callable[[str], None]) -> None:
        """Open the job store and start the scheduler thread, paused until ``reconcile``."""
        from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, EVENT_JOB_SUBMITTED
        from apscheduler.executors.debug import DebugExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        from necka_tray.store.jobstore import SQLiteJobStore
        from necka_tray.tray.monotonic_store import MonotonicJobStore

        def listener(event) -> None:
            if event.code == EVENT_JOB_MISSED:
                logger.info("action=missed job=%s scheduled=%s", event.job_id, event.scheduled_run_time)
            elif event.code == EVENT_JOB_ERROR:
                logger.error("action=job-error job=%s", event.job_id, exc_info=event.exception)
            if event.job_id not in (TICK_JOB, LULL_JOB):
                on_job_event(event.job_id)

        self._scheduler = BackgroundScheduler(
            jobstores={"default": SQLiteJobStore(self._jobs_db, jobs.FUNCTIONS),
                       "volatile": self._volatile_store(MonotonicJobStore)},
            # Job functions only post an event to the app's dispatcher (jobs.py), so they run right
            # in the scheduler's thread: no pool thread to wake (and keep) for that.
            executors={"default": DebugExecutor()},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MAX_GRACE_SECONDS},
            # Every time Necka hands over is timezone-aware (UTC), so the zone only fills gaps it
            # never leaves; naming it keeps the local zone (tzlocal) out of the schedule.
            timezone=timezone.utc,
        )
        self._scheduler.add_listener(listener, EVENT_JOB_SUBMITTED | EVENT_JOB_MISSED | EVENT_JOB_ERROR)
        self._scheduler.start(paused=True)

    def _volatile_store(self, store_class):
        if self._clock is None:
            return store_class()
        clock = self._clock
        return store_class(monotonic=clock.monotonic, wall=lambda: clock.now().astimezone(timezone.utc))

    def reconcile(self, intervals: dict[Kind, int | None], now: datetime) -> None:
        """Make the stored jobs match the settings, keeping every countdown that still fits.

        ``intervals`` maps each kind to its configured minutes, or None when off.
        Then the scheduler starts running jobs (it starts paused).
        """
        paused = self.paused_until() is not None
        for kind, minutes in intervals.items():
            self._reconcile_one(kind, minutes, now, paused)
        self._ensure_tick()
        self._scheduler.resume()

    def _reconcile_one(self, kind: Kind, minutes: int | None, now: datetime, paused: bool) -> None:
        job = self._scheduler.get_job(kind.job_id)
        if minutes is None:
            self._intervals.pop(kind, None)
            if job is not None:
                self._scheduler.remove_job(kind.job_id)
                logger.info("action=remove job=%s", kind.job_id)
            return
        self._intervals[kind] = minutes
        if job is None:
            self._add(kind, minutes, self._planner.first_run(minutes, now), paused)
            return
        stored = self._stored_minutes(job)
        if job.next_run_time is not None and _utc(job.next_run_time) - now > timedelta(
                seconds=self._real_seconds(max(stored, minutes))):
            # The wall clock was set back while Necka was closed: a countdown never exceeds its interval.
            logger.info("action=clock-back job=%s stored_next=%s", kind.job_id, job.next_run_time)
            self._set_trigger(kind, minutes, self._planner.first_run(minutes, now))
            return
        if abs(stored - minutes) < 1e-6:
            return
        if job.next_run_time is None:
            start = self._planner.first_run(minutes, now)
        else:
            start = self._planner.retime(_utc(job.next_run_time), stored, minutes, now)
        self._set_trigger(kind, minutes, start, keep_paused=job.next_run_time is None)

    def _add(self, kind: Kind, minutes: int, start: datetime, paused: bool) -> None:
        seconds = self._real_seconds(minutes)
        self._scheduler.add_job(
            jobs.fire_reminder,
            trigger=self._trigger(minutes, start),
            args=[kind.value],
            id=kind.job_id,
            name=kind.label,
            misfire_grace_time=max(1, int(min(MAX_GRACE_SECONDS, seconds))),
            next_run_time=None if paused else start,
        )
        logger.info("action=add job=%s minutes=%s first=%s paused=%s", kind.job_id, minutes, start, paused)

    def _trigger(self, minutes: int, start: datetime):
        from apscheduler.triggers.interval import IntervalTrigger

        return IntervalTrigger(seconds=self._real_seconds(minutes), start_date=start, timezone=timezone.utc)

    def _set_trigger(self, kind: Kind, minutes: int, start: datetime, keep_paused: bool = False) -> None:
        trigger = self._trigger(minutes, start)
        if keep_paused:
            self._scheduler.modify_job(kind.job_id, trigger=trigger)
        else:
            self._scheduler.modify_job(kind.job_id, trigger=trigger, next_run_time=start)
        logger.info("action=retime job=%s minutes=%s next=%s paused=%s", kind.job_id, minutes, start, keep_paused)

    def _real_seconds(self, minutes: int) -> float:
        return self.scale.real(timedelta(minutes=minutes)).total_seconds()

    def _stored_minutes(self, job) -> float:
        return self.scale.configured(job.trigger.interval).total_seconds() / 60

    def _ensure_tick(self) -> None:
        if self._scheduler.get_job(TICK_JOB) is None:
            from apscheduler.triggers.interval import IntervalTrigger

            self._scheduler.add_job(
                jobs.tick,
                trigger=IntervalTrigger(seconds=self._real_seconds(1), timezone=timezone.utc),
                id=TICK_JOB,
                jobstore="volatile",
                misfire_grace_time=None,
            )

    def wake_at(self, when: datetime) -> None:
        """One ``lull`` event at ``when`` (in memory; a newer call replaces the older one)."""
        from apscheduler.triggers.date import DateTrigger

        self._scheduler.add_job(jobs.lull, trigger=DateTrigger(run_date=when, timezone=timezone.utc),
                                id=LULL_JOB, jobstore="volatile", replace_existing=True, misfire_grace_time=None)

    # -- changes the user makes ------------------------------------------

    def apply(self, kind: Kind, minutes: int | None, now: datetime) -> None:
        """A change from the menu (new interval, or on/off) takes effect now.

        A new interval keeps the countdown's start (see ``Planner.retime``).
        """
        self._reconcile_one(kind, minutes, now, self.paused_until() is not None)

    def restart(self, kind: Kind, now: datetime) -> None:
        """Start ``kind``'s countdown afresh from ``now`` (a break was just taken)."""
        minutes = self._intervals.get(kind)
        if minutes is None:
            return
        paused = self.paused_until() is not None
        self._set_trigger(kind, minutes, self._planner.first_run(minutes, now), keep_paused=paused)

    def restart_all(self, now: datetime) -> None:
        """Every countdown starts afresh from ``now`` (after a natural break or a long gap)."""
        for kind in self._intervals:
            self.restart(kind, now)

    def shift_all(self, delta: timedelta) -> None:
        """Move every running countdown by ``delta``: time away is not sitting, a clock change is not time."""
        for kind in self._intervals:
            job = self._scheduler.get_job(kind.job_id)
            if job is not None and job.next_run_time is not None:
                self._scheduler.modify_job(kind.job_id, next_run_time=_utc(job.next_run_time) + delta)

    def move_next(self, kind: Kind, when: datetime) -> None:
        """The next ``kind`` reminder comes at ``when``; later ones follow at the interval (snooze)."""
        if kind in self._intervals and self.paused_until() is None:
            self._scheduler.modify_job(kind.job_id, next_run_time=when)

    def skip_next(self, kind: Kind) -> None:
        """Drop the next ``kind`` reminder: the one after it comes instead."""
        job = self._scheduler.get_job(kind.job_id)
        if job is not None and job.next_run_time is not None:
            self._scheduler.modify_job(kind.job_id, next_run_time=_utc(job.next_run_time) + job.trigger.interval)

    def pause(self, until: datetime) -> None:
        from apscheduler.triggers.date import DateTrigger

        for kind in self._intervals:
            self._scheduler.pause_job(kind.job_id)
        self._scheduler.add_job(
            jobs.end_pause,
            trigger=DateTrigger(run_date=until, timezone=timezone.utc),
            id=PAUSE_JOB,
            replace_existing=True,  # a new pause replaces the old one on purpose
            misfire_grace_time=None,  # ends even if the app was closed at that time
        )
        logger.info("action=pause until=%s", until)

    def resume(self, now: datetime) -> None:
        """End a pause: every countdown starts afresh, as after a break."""
        if self._scheduler.get_job(PAUSE_JOB) is not None:
            self._scheduler.remove_job(PAUSE_JOB)
        for kind, minutes in self._intervals.items():
            start = self._planner.first_run(minutes, now)
            self._set_trigger(kind, minutes, start)
        logger.info("action=resume")

    # -- facts for the planner -------------------------------------------

    def paused_until(self) -> datetime | None:
        job = self._scheduler.get_job(PAUSE_JOB)
        return _utc(job.next_run_time) if job is not None else None

    def snapshot(self) -> ScheduleSnapshot:
        by_id = {job.id: job for job in self._scheduler.get_jobs()}
        next_runs = {}
        for kind in self._intervals:
            job = by_id.get(kind.job_id)
            if job is not None:
                next_runs[kind] = _utc(job.next_run_time)
        pause = by_id.get(PAUSE_JOB)
        return ScheduleSnapshot(
            next_runs=next_runs,
            intervals=dict(self._intervals),
            paused_until=_utc(pause.next_run_time) if pause is not None else None,
        )

    def shutdown(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)


def _utc(when: datetime | None) -> datetime | None:
    """APScheduler's times are in its local zone; arithmetic on them must be in UTC (DST)."""
    return when.astimezone(timezone.utc) if when is not None else None
