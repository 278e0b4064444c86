"""A user's jobs database names the job functions by module path: one written before a move still loads.

The rows are made as an older Necka wrote them: a real job pickled by the store,
its function path then set to the old one (``tray/jobs.py`` before it moved to
``schedule/jobs.py``; ``jobs.py`` at the top before that).
"""

from __future__ import annotations

import pickle
import sqlite3
from datetime import datetime, timezone

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from necka_tray.schedule import jobs
from necka_tray.store.jobstore import SQLiteJobStore


def stored_under(db_path, old_ref: str) -> None:
    """Rewrite every stored job's function path to ``old_ref``, as an older Necka stored it."""
    with sqlite3.connect(db_path) as conn:
        for job_id, blob in conn.execute("SELECT id, job_state FROM apscheduler_jobs").fetchall():
            state = pickle.loads(blob)
            state["func"] = old_ref
            conn.execute("UPDATE apscheduler_jobs SET job_state = ? WHERE id = ?", (pickle.dumps(state), job_id))


@pytest.mark.parametrize("old_ref, now", [
    ("necka_tray.tray.jobs:tick", jobs.tick), ("necka_tray.tray.jobs:fire_reminder", jobs.fire_reminder),
    ("necka_tray.tray.jobs:end_pause", jobs.end_pause), ("necka_tray.tray.jobs:lull", jobs.lull),
    ("necka_tray.jobs:fire_reminder", jobs.fire_reminder)])
def test_a_job_stored_under_an_old_module_path_still_loads(tmp_path, old_ref, now):
    db_path = tmp_path / "jobs.sqlite3"
    scheduler = BackgroundScheduler(jobstores={"default": SQLiteJobStore(db_path, jobs.FUNCTIONS)}, timezone=timezone.utc)
    scheduler.start(paused=True)
    try:
        scheduler.add_job(f"necka_tray.schedule.jobs:{now.__name__}", "date", id="stretch",
                          run_date=datetime(2030, 1, 1, tzinfo=timezone.utc), args=["stretch"][:now.__code__.co_argcount])
    finally:
        scheduler.shutdown()
    stored_under(db_path, old_ref)

    store = SQLiteJobStore(db_path, jobs.FUNCTIONS)
    store.start(None, "default")
    try:
        job = store.lookup_job("stretch")
    finally:
        store.shutdown()
    assert job is not None and job.func is now
    assert job.next_run_time == datetime(2030, 1, 1, tzinfo=timezone.utc)
