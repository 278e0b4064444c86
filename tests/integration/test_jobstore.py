"""Job-store contract tests, ported from APScheduler 3.x ``tests/test_jobstores.py``.

Every contract test runs against ``SQLiteJobStore`` on a real file and against
APScheduler's own ``MemoryJobStore``, so a difference between the two shows up
as a failure of one parameter only.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from datetime import datetime
from pathlib import Path
from unittest.mock import Mock
from zoneinfo import ZoneInfo

import pytest
from apscheduler.job import Job
from apscheduler.jobstores.base import ConflictingIdError, JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.util import datetime_to_utc_timestamp

from necka_tray.store.jobstore import SQLiteJobStore

TZ = ZoneInfo("Europe/Berlin")


def dummy_job():
    pass


def dummy_job2():
    pass


def dummy_job3():
    pass


def tick():
    """The job of the BackgroundScheduler test; it is never due during the test."""


class DummyClass:
    def dummy_method(self, a, b):
        return a + b

    @classmethod
    def dummy_classmethod(cls, a, b):
        return a + b


dummy_instance = DummyClass()


def at(*args):
    return datetime(*args, tzinfo=TZ)


@pytest.fixture
def db_path(tmp_path):
    # The parent directory does not exist yet: start() must create it.
    return tmp_path / "data" / "jobs.sqlite3"


@pytest.fixture
def sqlite_store(db_path):
    store = SQLiteJobStore(db_path)
    store.start(None, "default")
    yield store
    store.shutdown()


@pytest.fixture(params=["memory", "sqlite"])
def jobstore(request):
    if request.param == "memory":
        store = MemoryJobStore()
        store.start(None, "default")
        yield store
        store.shutdown()
    else:
        yield request.getfixturevalue("sqlite_store")


def create_job(func=dummy_job, run_date=at(2999, 1, 1), id=None, paused=False, **kwargs):
    """Build a job as APScheduler's conftest ``create_job`` does (date trigger)."""
    job_kwargs = dict(
        trigger=DateTrigger(run_date, TZ),
        executor="default",
        args=(),
        kwargs={},
        name="näm",
        misfire_grace_time=1,
        coalesce=False,
        max_instances=1,
        next_run_time=None,
    )
    job_kwargs.update(kwargs)
    job = Job(Mock(BaseScheduler, timezone=TZ), id=id, func=func, **job_kwargs)
    job.next_run_time = None if paused else job.trigger.get_next_fire_time(None, run_date)
    return job


def create_add_job(store, *args, **kwargs):
    job = create_job(*args, **kwargs)
    store.add_job(job)
    return job


def stored_rows(path):
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT id, next_run_time FROM apscheduler_jobs ORDER BY id").fetchall()


# --- the contract, on both stores -------------------------------------------


def test_add_callable_instance_method_job(jobstore):
    initial = create_add_job(jobstore, DummyClass().dummy_method, kwargs={"a": 1, "b": 2})
    job = jobstore.lookup_job(initial.id)
    assert job.func(*job.args, **job.kwargs) == 3


def test_add_callable_class_method_job(jobstore):
    initial = create_add_job(jobstore, DummyClass.dummy_classmethod, kwargs={"a": 1, "b": 2})
    job = jobstore.lookup_job(initial.id)
    assert job.func(*job.args, **job.kwargs) == 3


def test_add_textual_instance_method_job(jobstore):
    ref = f"{__name__}:dummy_instance.dummy_method"
    initial = create_add_job(jobstore, ref, kwargs={"a": 1, "b": 2})
    job = jobstore.lookup_job(initial.id)
    assert job.func(*job.args, **job.kwargs) == 3


def test_add_textual_class_method_job(jobstore):
    ref = f"{__name__}:DummyClass.dummy_classmethod"
    initial = create_add_job(jobstore, ref, kwargs={"a": 1, "b": 2})
    job = jobstore.lookup_job(initial.id)
    assert job.func(*job.args, **job.kwargs) == 3


def test_lookup_job(jobstore):
    initial = create_add_job(jobstore, id="téstïd", max_instances=3)
    job = jobstore.lookup_job("téstïd")
    assert job == initial  # Job.__eq__ compares ids only, so check the state too
    assert job.func is dummy_job
    assert job.next_run_time == at(2999, 1, 1)
    assert job.trigger.run_date == at(2999, 1, 1)
    assert (job.name, job.max_instances) == ("näm", 3)


def test_lookup_nonexistent_job(jobstore):
    assert jobstore.lookup_job("foo") is None


def test_get_all_jobs(jobstore):
    job1 = create_add_job(jobstore, dummy_job, at(2016, 5, 3))
    job2 = create_add_job(jobstore, dummy_job2, at(2013, 8, 14))
    job3 = create_add_job(jobstore, dummy_job2, at(2013, 7, 11), paused=True)
    jobs = jobstore.get_all_jobs()
    assert jobs == [job2, job1, job3]  # paused jobs last
    assert jobs[2].next_run_time is None


def test_get_pending_jobs(jobstore):
    create_add_job(jobstore, dummy_job, at(2016, 5, 3))
    job2 = create_add_job(jobstore, dummy_job2, at(2014, 2, 26))
    job3 = create_add_job(jobstore, dummy_job3, at(2013, 8, 14))
    create_add_job(jobstore, dummy_job3, at(2013, 7, 11), paused=True)
    assert jobstore.get_due_jobs(at(2014, 2, 27)) == [job3, job2]
    assert jobstore.get_due_jobs(at(2014, 2, 26)) == [job3, job2]  # due means <= now
    assert jobstore.get_due_jobs(at(2013, 8, 13)) == []


def test_get_pending_jobs_subsecond_difference(jobstore):
    job1 = create_add_job(jobstore, dummy_job, at(2014, 7, 7, 0, 0, 0, 401))
    job2 = create_add_job(jobstore, dummy_job2, at(2014, 7, 7, 0, 0, 0, 402))
    job3 = create_add_job(jobstore, dummy_job3, at(2014, 7, 7, 0, 0, 0, 400))
    assert jobstore.get_due_jobs(at(2014, 7, 7, 1)) == [job3, job1, job2]


def test_get_next_run_time(jobstore):
    create_add_job(jobstore, dummy_job, at(2016, 5, 3))
    create_add_job(jobstore, dummy_job2, at(2014, 2, 26))
    create_add_job(jobstore, dummy_job3, at(2013, 8, 14))
    create_add_job(jobstore, dummy_job3, at(2013, 7, 11), paused=True)
    assert jobstore.get_next_run_time() == at(2013, 8, 14)


def test_get_next_run_time_none_when_empty_or_all_paused(jobstore):
    assert jobstore.get_next_run_time() is None
    create_add_job(jobstore, dummy_job, paused=True)
    assert jobstore.get_next_run_time() is None


def test_add_job_conflicting_id(jobstore):
    create_add_job(jobstore, dummy_job, at(2016, 5, 3), id="blah")
    with pytest.raises(ConflictingIdError):
        create_add_job(jobstore, dummy_job2, at(2014, 2, 26), id="blah")
    # The failed add left the first job as it was.
    job = jobstore.lookup_job("blah")
    assert (job.func, job.next_run_time) == (dummy_job, at(2016, 5, 3))


def test_conflicting_add_then_update_replaces(jobstore):
    """The scheduler's ``replace_existing=True``: add, catch ConflictingIdError, update."""
    create_add_job(jobstore, dummy_job, at(2016, 5, 3), id="blah")
    replacement = create_job(dummy_job2, at(2014, 2, 26), id="blah")
    with pytest.raises(ConflictingIdError):
        jobstore.add_job(replacement)
    jobstore.update_job(replacement)
    [job] = jobstore.get_all_jobs()
    assert (job.func, job.next_run_time) == (dummy_job2, at(2014, 2, 26))


def test_update_job(jobstore):
    job1 = create_add_job(jobstore, dummy_job, at(2016, 5, 3))
    job2 = create_add_job(jobstore, dummy_job2, at(2014, 2, 26))
    replacement = create_job(dummy_job, at(2016, 5, 4), id=job1.id, max_instances=6)
    jobstore.update_job(replacement)

    jobs = jobstore.get_all_jobs()
    assert [j.id for j in jobs] == [job2.id, job1.id]
    assert jobs[1].next_run_time == at(2016, 5, 4)
    assert jobs[1].max_instances == 6


@pytest.mark.parametrize("next_run_time", [at(2013, 8, 13), None], ids=["earlier", "null"])
def test_update_job_next_runtime(jobstore, next_run_time):
    job1 = create_add_job(jobstore, dummy_job, at(2016, 5, 3))
    create_add_job(jobstore, dummy_job2, at(2014, 2, 26))
    job3 = create_add_job(jobstore, dummy_job3, at(2013, 8, 14))
    job1.next_run_time = next_run_time
    jobstore.update_job(job1)

    expected = next_run_time or job3.next_run_time
    assert jobstore.get_next_run_time() == expected
    assert jobstore.lookup_job(job1.id).next_run_time == next_run_time


@pytest.mark.parametrize("next_run_time", [at(2013, 8, 13), None], ids=["earlier", "null"])
@pytest.mark.parametrize("index", [0, 1, 2], ids=["first", "middle", "last"])
def test_update_job_clear_next_runtime(jobstore, next_run_time, index):
    """update_job() keeps the order right even when the run times start out equal."""
    jobs = [create_add_job(jobstore, dummy_job, at(2014, 2, 26), f"job{i}") for i in range(3)]
    jobs[index].next_run_time = next_run_time
    jobstore.update_job(jobs[index])
    due_ids = [job.id for job in jobstore.get_due_jobs(at(2014, 2, 27))]

    others = [f"job{i}" for i in range(3) if i != index]
    assert due_ids == ([f"job{index}"] + others if next_run_time else others)
    if next_run_time is None:  # paused: still there, sorted last
        assert [j.id for j in jobstore.get_all_jobs()] == others + [f"job{index}"]


def test_update_job_nonexistent_job(jobstore):
    with pytest.raises(JobLookupError):
        jobstore.update_job(create_job(dummy_job, at(2016, 5, 3)))


def test_remove_job(jobstore):
    job1 = create_add_job(jobstore, dummy_job, at(2016, 5, 3))
    job2 = create_add_job(jobstore, dummy_job2, at(2014, 2, 26))

    jobstore.remove_job(job1.id)
    assert jobstore.get_all_jobs() == [job2]
    jobstore.remove_job(job2.id)
    assert jobstore.get_all_jobs() == []


def test_remove_nonexistent_job(jobstore):
    with pytest.raises(JobLookupError):
        jobstore.remove_job("blah")


def test_remove_all_jobs(jobstore):
    create_add_job(jobstore, dummy_job, at(2016, 5, 3))
    create_add_job(jobstore, dummy_job2, at(2014, 2, 26))
    jobstore.remove_all_jobs()
    assert jobstore.get_all_jobs() == []
    assert jobstore.get_next_run_time() is None


# --- SQLite only: what a persistent store adds ------------------------------


def reopened(store):
    """The same file in a new store, as at the next start."""
    store.shutdown()
    again = SQLiteJobStore(store.path)
    again.start(None, "default")
    return again


def test_a_job_whose_function_is_gone_is_dropped_at_the_next_start(sqlite_store, db_path, monkeypatch, caplog):
    job1 = create_add_job(sqlite_store, dummy_job, at(2016, 5, 3))
    job2 = create_add_job(sqlite_store, dummy_job2, at(2014, 2, 26))
    job3 = create_add_job(sqlite_store, dummy_job3, at(2013, 8, 14))
    # Make dummy_job3 disappear, as after a rename between two releases.
    monkeypatch.delitem(globals(), "dummy_job3")
    assert sqlite_store.get_all_jobs() == [job3, job2, job1]  # this run still holds it

    with caplog.at_level("ERROR", logger="necka_tray.store.jobstore"):
        store = reopened(sqlite_store)
    try:
        assert store.get_all_jobs() == [job2, job1]
        [record] = caplog.records
        assert record.getMessage() == f'Unable to restore job "{job3.id}" -- removing it'
        assert record.exc_info is not None
        # Dropped from the file too, at once: it would fail at every start.
        assert sorted(stored_rows(db_path)) == sorted(
            [(job1.id, datetime_to_utc_timestamp(at(2016, 5, 3))),
             (job2.id, datetime_to_utc_timestamp(at(2014, 2, 26)))]
        )
        assert store.get_next_run_time() == at(2014, 2, 26)
    finally:
        store.shutdown()


def test_a_job_that_cannot_be_stored_is_refused_and_not_added(sqlite_store, db_path):
    """Like every persistent store: a callable without a text reference raises on add_job."""
    with pytest.raises(ValueError, match="reference to its callable"):
        create_add_job(sqlite_store, lambda: None, id="lambda")
    assert sqlite_store.lookup_job("lambda") is None
    assert stored_rows(db_path) == []


def test_jobs_survive_closing_and_reopening(db_path):
    store = SQLiteJobStore(db_path)
    store.start(None, "default")
    job1 = create_add_job(store, dummy_job, at(2016, 5, 3, 12, 0, 0, 123456), id="posture")
    create_add_job(store, dummy_job2, at(2014, 2, 26), id="paused", paused=True)
    store.shutdown()

    reopened = SQLiteJobStore(db_path)
    reopened.start(None, "default")
    try:
        jobs = reopened.get_all_jobs()
        assert [j.id for j in jobs] == ["posture", "paused"]
        assert jobs[0].next_run_time == job1.next_run_time == at(2016, 5, 3, 12, 0, 0, 123456)
        assert jobs[0].func is dummy_job
        assert jobs[1].next_run_time is None
        assert reopened.get_next_run_time() == job1.next_run_time
    finally:
        reopened.shutdown()


def test_store_after_shutdown_holds_no_due_jobs(sqlite_store, tmp_path):
    """BaseScheduler.shutdown() closes the stores before its thread has stopped.

    That thread may still look for due jobs once: a closed store answers
    "none" without error, so a stopped scheduler cannot run (and remove) a job
    that a new scheduler on the same file is about to run. The job stays stored.
    """
    job = create_add_job(sqlite_store, dummy_job, at(2014, 2, 26))
    sqlite_store.shutdown()
    assert sqlite_store.get_due_jobs(at(2014, 2, 27)) == []
    assert sqlite_store.get_next_run_time() is None
    reopened = SQLiteJobStore(sqlite_store.path)
    reopened.start(None, "default")
    try:
        assert reopened.get_due_jobs(at(2014, 2, 27)) == [job]
    finally:
        reopened.shutdown()
    sqlite_store.shutdown()
    sqlite_store.shutdown()  # idempotent


def test_file_is_user_only_and_in_wal_mode(sqlite_store, db_path):
    with sqlite3.connect(db_path) as reader:  # open: the -wal outlives the store's write
        reader.execute("SELECT * FROM apscheduler_jobs").fetchall()
        create_add_job(sqlite_store, dummy_job)
        for path in (db_path, db_path.with_name(db_path.name + "-wal")):
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
        assert reader.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    reader.close()


def test_existing_file_is_made_user_only(db_path):
    db_path.parent.mkdir()
    db_path.touch(mode=0o644)
    os.chmod(db_path, 0o644)
    store = SQLiteJobStore(db_path)
    store.start(None, "default")
    store.shutdown()
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600


def test_table_layout_matches_sqlalchemy_store(sqlite_store, db_path):
    create_add_job(sqlite_store, dummy_job, id="paused", paused=True)
    with sqlite3.connect(db_path) as conn:
        columns = conn.execute("PRAGMA table_info(apscheduler_jobs)").fetchall()
        indexes = conn.execute("PRAGMA index_list(apscheduler_jobs)").fetchall()
        index_cols = conn.execute(
            "PRAGMA index_info(ix_apscheduler_jobs_next_run_time)"
        ).fetchall()
        row = conn.execute("SELECT id, next_run_time, typeof(job_state) FROM apscheduler_jobs")
        row = row.fetchone()
    # (name, type, notnull, pk)
    assert [(c[1], c[2], c[3], c[5]) for c in columns] == [
        ("id", "TEXT", 1, 1),
        ("next_run_time", "REAL", 0, 0),
        ("job_state", "BLOB", 1, 0),
    ]
    assert "ix_apscheduler_jobs_next_run_time" in [i[1] for i in indexes]
    assert [c[2] for c in index_cols] == ["next_run_time"]
    assert row == ("paused", None, "blob")


def test_concurrent_adds_from_many_threads(sqlite_store):
    """The scheduler thread and the UI thread share one connection."""
    errors = []

    def add_many(n):
        try:
            for i in range(25):
                create_add_job(sqlite_store, dummy_job, at(2030, 1, 1 + n), id=f"t{n}-{i}")
                sqlite_store.get_next_run_time()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add_many, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(sqlite_store.get_all_jobs()) == 200


def test_background_scheduler_keeps_next_run_time_across_restart(db_path, caplog):
    caplog.set_level("WARNING", logger="apscheduler")
    scheduler = BackgroundScheduler(jobstores={"default": SQLiteJobStore(db_path)}, timezone=TZ)
    scheduler.start()
    try:
        job = scheduler.add_job(f"{__name__}:tick", "interval", hours=1, id="posture-check")
        expected = job.next_run_time
        assert expected is not None
    finally:
        scheduler.shutdown()

    scheduler = BackgroundScheduler(jobstores={"default": SQLiteJobStore(db_path)}, timezone=TZ)
    scheduler.start()
    try:
        job = scheduler.get_job("posture-check")
        assert job.next_run_time == expected
        assert job.func is tick
    finally:
        scheduler.shutdown()
    # e.g. "Error getting due jobs": the scheduler thread polling a closed store
    assert [r.getMessage() for r in caplog.records] == []
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600


@pytest.mark.parametrize("also", [(), ("-wal", "-shm")])
def test_a_file_deleted_while_running_is_written_again_at_the_next_write(db_path, also):
    """Issue 12 item 9: a cleaner (or the user) deletes jobs.sqlite3: the schedule is not lost."""
    store = SQLiteJobStore(db_path)
    store.start(None, "default")
    job = create_add_job(store, dummy_job, at(2030, 1, 1), id="posture")
    create_add_job(store, dummy_job2, at(2030, 1, 2), id="stretch")
    for suffix in ("", *also):
        Path(f"{db_path}{suffix}").unlink(missing_ok=(suffix != ""))  # -wal, -shm: only while it is open
    job.next_run_time = at(2030, 1, 3)
    store.update_job(job)  # the tick's write, once a minute
    assert stored_rows(db_path) == [("posture", datetime_to_utc_timestamp(at(2030, 1, 3))),
                                    ("stretch", datetime_to_utc_timestamp(at(2030, 1, 2)))]
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    store.shutdown()
    reopened = SQLiteJobStore(db_path)  # the next start finds the whole schedule
    reopened.start(None, "default")
    try:
        assert sorted(j.id for j in reopened.get_all_jobs()) == ["posture", "stretch"]
    finally:
        reopened.shutdown()
