"""The tick's job store on the real scheduler, with both clocks injected into the store: a wall
clock set back (or forward) does not move the tick's next run, the monotonic clock does."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from necka_tray.schedule.monotonic_store import MonotonicJobStore


def noop():
    pass


class Clocks:
    def __init__(self):
        self.mono = 1000.0
        self.offset = timedelta()

    def wall(self):
        return datetime.now(timezone.utc) + self.offset


@pytest.fixture
def setup():
    clocks = Clocks()
    store = MonotonicJobStore(monotonic=lambda: clocks.mono, wall=clocks.wall)
    scheduler = BackgroundScheduler(jobstores={"default": store}, timezone=timezone.utc)
    scheduler.start(paused=True)
    scheduler.add_job(noop, IntervalTrigger(seconds=60, timezone=timezone.utc), id="tick")
    yield clocks, store, scheduler
    scheduler.shutdown(wait=False)


def seconds_ahead(store, clocks) -> float:
    return (store.get_next_run_time() - clocks.wall()).total_seconds()


@pytest.mark.parametrize("jump", [timedelta(days=-1), timedelta(days=-365), timedelta(days=365), timedelta(minutes=-3)])
def test_a_wall_clock_jump_does_not_move_the_next_tick(setup, jump):
    clocks, store, _scheduler = setup
    assert seconds_ahead(store, clocks) == pytest.approx(60, abs=1)
    clocks.offset += jump
    assert seconds_ahead(store, clocks) == pytest.approx(60, abs=1)
    clocks.mono += 30
    assert seconds_ahead(store, clocks) == pytest.approx(30, abs=1)
    assert store.get_due_jobs(clocks.wall()) == []


def test_the_job_falls_due_by_the_monotonic_clock_in_the_callers_frame(setup):
    clocks, store, scheduler = setup
    clocks.offset = timedelta(days=-1)
    clocks.mono += 61
    now = clocks.wall()
    (job,) = store.get_due_jobs(now)
    assert job.next_run_time <= now and now - job.next_run_time < timedelta(seconds=2)
    # What the scheduler does after a run: the next one, a minute on, in today's frame.
    job.next_run_time = job.trigger.get_next_fire_time(job.next_run_time, now)
    store.update_job(job)
    assert seconds_ahead(store, clocks) == pytest.approx(59, abs=1)
    assert scheduler.get_job("tick").next_run_time - clocks.wall() < timedelta(seconds=61)


def test_paused_jobs_come_last_and_removal_works(setup):
    clocks, store, scheduler = setup
    scheduler.add_job(noop, IntervalTrigger(seconds=5, timezone=timezone.utc), id="other")
    scheduler.pause_job("tick")
    assert [j.id for j in store.get_all_jobs()] == ["other", "tick"]
    assert store.lookup_job("tick").next_run_time is None
    scheduler.remove_job("other")
    assert store.get_next_run_time() is None
    with pytest.raises(Exception):
        store.remove_job("other")
