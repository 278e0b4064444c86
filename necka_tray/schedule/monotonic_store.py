"""An in-memory APScheduler job store whose jobs fall due by the monotonic clock.

APScheduler 3 keeps every job's next run as a wall-clock time. Set the wall
clock back a day and the minute tick's next run lies a day ahead: no tick
comes, so nothing ever compares the two clocks and the jump goes unseen
(``status`` says "in 1499 min"). The tick and the lull timer live here
instead: each job's due time is kept as a monotonic deadline and handed to
the scheduler in today's wall-clock frame on every call, so the tick comes a
real minute after the last one whichever way the wall clock moved, and
``ActivityTracker`` sees the jump on it. Only for short-lived timers: a
monotonic deadline means nothing after a restart, so the reminders' own jobs
stay in the SQLite store (``store/jobstore.py``).

Public ``BaseJobStore`` API only (APScheduler 3.9 to 3.11).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Callable

from apscheduler.jobstores.base import BaseJobStore, ConflictingIdError, JobLookupError


class MonotonicJobStore(BaseJobStore):
    """Jobs in memory, each due at a monotonic deadline (None: paused)."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic,
                 wall: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        super().__init__()
        self._monotonic = monotonic
        self._wall = wall
        self._jobs: dict[str, tuple[object, float | None]] = {}  # id -> (job, deadline)

    # -- the two frames ------------------------------------------------------------------

    def _deadline(self, job) -> float | None:
        if job.next_run_time is None:
            return None
        ahead = (job.next_run_time - self._wall()).total_seconds()
        return self._monotonic() + ahead

    def _current(self, job, deadline: float | None, now: datetime | None = None):
        """``job`` with its next run in the wall-clock frame of ``now`` (default: the wall clock now)."""
        if deadline is not None:
            now = now or self._wall()
            job.next_run_time = now + timedelta(seconds=deadline - self._monotonic())
        return job

    def _ordered(self) -> list[tuple[object, float | None]]:
        return sorted(self._jobs.values(), key=lambda e: (e[1] is None, e[1] or 0.0, e[0].id))

    # -- BaseJobStore ------------------------------------------------------------------------

    def lookup_job(self, job_id):
        entry = self._jobs.get(job_id)
        return self._current(*entry) if entry else None

    def get_due_jobs(self, now):
        mono = self._monotonic()
        return [self._current(job, deadline, now) for job, deadline in self._ordered()
                if deadline is not None and deadline <= mono]

    def get_next_run_time(self):
        for job, deadline in self._ordered():
            if deadline is not None:
                return self._current(job, deadline).next_run_time
        return None

    def get_all_jobs(self):
        return [self._current(job, deadline) for job, deadline in self._ordered()]

    def add_job(self, job):
        if job.id in self._jobs:
            raise ConflictingIdError(job.id)
        self._jobs[job.id] = (job, self._deadline(job))

    def update_job(self, job):
        if job.id not in self._jobs:
            raise JobLookupError(job.id)
        self._jobs[job.id] = (job, self._deadline(job))

    def remove_job(self, job_id):
        if self._jobs.pop(job_id, None) is None:
            raise JobLookupError(job_id)

    def remove_all_jobs(self):
        self._jobs.clear()

    def shutdown(self):
        self.remove_all_jobs()

    def __repr__(self):
        return f"<{self.__class__.__name__}>"
