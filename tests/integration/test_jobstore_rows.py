"""What the job store's rows name: a registered job function by name, never by module path.

Users' files from before hold pickled module paths (``necka_tray.jobs:fire_reminder``, then
``necka_tray.tray.jobs:fire_reminder``); ``tests/data/old_jobs`` holds one of each, made by
those Necka versions' own code (``make.py``). They load, and are written back by name once.
"""

from __future__ import annotations

import pickle
import shutil
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from necka_tray.core.planner import Planner
from necka_tray.core.reminders import Kind
from necka_tray.store.jobstore import SCHEMA_VERSION, SQLiteJobStore
from necka_tray.tray import jobs
from necka_tray.tray.scheduling import PAUSE_JOB, ReminderScheduler

from .test_jobstore import create_add_job, dummy_job

OLD = Path(__file__).parent.parent / "data" / "old_jobs"


def moved_fire_reminder(kind):
    """The same job as ``jobs.fire_reminder``, as if its module had moved here."""


def rows(path) -> dict[str, dict]:
    """Each row's pickled state, by id."""
    with sqlite3.connect(path) as conn:
        return {job_id: pickle.loads(blob) for job_id, blob in conn.execute("SELECT id, job_state FROM apscheduler_jobs")}


def user_version(path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA user_version").fetchone()[0]


def started(path, functions=jobs.FUNCTIONS) -> SQLiteJobStore:
    store = SQLiteJobStore(path, functions)
    store.start(None, "default")
    return store


@pytest.fixture
def path(tmp_path):
    return tmp_path / "jobs.sqlite3"


def test_a_registered_function_is_stored_by_its_name_not_its_module_path(path):
    store = started(path)
    create_add_job(store, jobs.fire_reminder, id="posture", args=("posture",))
    create_add_job(store, f"{jobs.__name__}:end_pause", id=PAUSE_JOB)  # a text reference: the same
    with pytest.raises(ValueError, match="not one of the job functions"):
        create_add_job(store, dummy_job, id="foreign")  # not registered: refused
    store.shutdown()
    stored = rows(path)
    assert {job_id: state["func"] for job_id, state in stored.items()} == {
        "posture": "fire_reminder", PAUSE_JOB: "end_pause"}
    assert not any("necka_tray" in pickle.dumps(stored[i]).decode("latin-1") for i in ("posture", PAUSE_JOB))
    assert user_version(path) == SCHEMA_VERSION

    store = started(path)
    try:
        assert store.lookup_job("posture").func is jobs.fire_reminder
        assert store.lookup_job("posture").args == ("posture",)
        assert store.lookup_job(PAUSE_JOB).func is jobs.end_pause
        assert store.lookup_job("foreign") is None
    finally:
        store.shutdown()


def test_where_the_functions_live_does_not_matter(path):
    """A module move (tray/jobs.py to anywhere) changes the registry's functions, not the rows."""
    store = started(path)
    create_add_job(store, jobs.fire_reminder, id="posture", args=("posture",))
    store.shutdown()
    store = started(path, {"fire_reminder": moved_fire_reminder})
    try:
        assert store.lookup_job("posture").func is moved_fire_reminder
    finally:
        store.shutdown()


def test_a_row_naming_an_unknown_function_is_dropped_and_logged(path, caplog):
    store = started(path)
    create_add_job(store, jobs.fire_reminder, id="posture", args=("posture",))
    create_add_job(store, jobs.end_pause, id=PAUSE_JOB)
    store.shutdown()
    with caplog.at_level("ERROR", logger="necka_tray.store.jobstore"):
        store = started(path, {"fire_reminder": jobs.fire_reminder})  # end_pause is no longer registered
    try:
        assert [j.id for j in store.get_all_jobs()] == ["posture"]
        assert "end_pause" in caplog.text and PAUSE_JOB in caplog.text
    finally:
        store.shutdown()
    assert set(rows(path)) == {"posture"}


@pytest.mark.parametrize("name, module", [("jobs-4adf830.sqlite3", "necka_tray.jobs"),
                                          ("jobs-ac61a83.sqlite3", "necka_tray.tray.jobs")])
def test_a_file_from_an_older_necka_loads_and_is_written_back_by_name_once(path, name, module):
    shutil.copy(OLD / name, path)
    before = rows(path)
    assert {s["func"] for s in before.values()} >= {f"{module}:fire_reminder"} and user_version(path) == 0

    store = started(path)
    try:
        loaded = {j.id: j for j in store.get_all_jobs()}
        assert set(loaded) == set(before)
        for job_id, job in loaded.items():
            assert job.func is (jobs.end_pause if job_id == PAUSE_JOB else jobs.fire_reminder)
            assert job.next_run_time == before[job_id]["next_run_time"]  # every countdown kept
            assert job.trigger.__getstate__() == before[job_id]["trigger"].__getstate__()
            assert job.args == before[job_id]["args"]
    finally:
        store.shutdown()
    # Rewritten at that start, by name: the next start reads no module path.
    after = rows(path)
    assert user_version(path) == SCHEMA_VERSION
    assert {s["func"] for s in after.values()} <= {"fire_reminder", "end_pause"}
    assert {i: s["next_run_time"] for i, s in after.items()} == {i: s["next_run_time"] for i, s in before.items()}


def test_the_scheduler_keeps_an_older_files_pause_and_countdowns(tmp_path):
    """The whole way: ReminderScheduler on a paused schedule that 4adf830 wrote."""
    db = tmp_path / "jobs.sqlite3"
    shutil.copy(OLD / "jobs-4adf830.sqlite3", db)
    before = rows(db)
    scheduler = ReminderScheduler(db, Planner())
    scheduler.start(lambda job_id: None)  # paused until reconcile: nothing runs
    try:
        assert scheduler.paused_until() == before[PAUSE_JOB]["next_run_time"]
        posture = scheduler._scheduler.get_job(Kind.POSTURE.job_id)
        assert posture.func is jobs.fire_reminder and posture.next_run_time is None  # paused by the pause
        assert posture.trigger.interval == timedelta(minutes=20)
    finally:
        scheduler.shutdown()


# -- whatever the file holds: never a crash at start --------------------------------------------

_values = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30), st.binary(max_size=30))
_states = st.dictionaries(st.sampled_from(["version", "id", "func", "trigger", "executor", "args", "kwargs", "name",
                                           "misfire_grace_time", "coalesce", "max_instances", "next_run_time"]),
                          _values, max_size=12)
_funcs = st.one_of(st.text(max_size=40), st.sampled_from(
    ["fire_reminder", "tick", ":", "necka_tray:", "necka_tray.x:fire_reminder", "necka_tray.tray.jobs:nope",
     "os:system", "necka_tray.tray.jobs:fire_reminder.__globals__"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blobs=st.lists(st.one_of(
    st.binary(max_size=60).map(lambda b: b"\x00" + b),  # not a pickle
    _states.map(lambda s: pickle.dumps(s)),
    st.tuples(_funcs, st.sampled_from(["posture", "stretch"])).map(
        lambda fa: _good_state(*fa))), max_size=6),
    next_run=st.one_of(st.none(), st.floats(allow_nan=True), st.text(max_size=5)))
def test_any_rows_load_what_is_valid_and_drop_the_rest(tmp_path_factory, blobs, next_run):
    db = tmp_path_factory.mktemp("fuzz") / "jobs.sqlite3"
    store = started(db)
    store.shutdown()
    with sqlite3.connect(db) as conn:
        conn.executemany("INSERT INTO apscheduler_jobs VALUES (?, ?, ?)",
                         [(f"row{i}", next_run, blob) for i, blob in enumerate(blobs)])
    conn.close()
    store = started(db)
    try:
        loaded = store.get_all_jobs()
        assert all(job.func in jobs.FUNCTIONS.values() for job in loaded)
        assert len(loaded) <= len(blobs)
    finally:
        store.shutdown()
    assert set(rows(db)) == {job.id for job in loaded}  # what did not load is gone from the file too


def _good_state(func: str, kind: str) -> bytes:
    """A real job's state, but naming ``func``."""
    from apscheduler.triggers.interval import IntervalTrigger

    trigger = IntervalTrigger(minutes=20, start_date=datetime(2026, 1, 1, tzinfo=timezone.utc), timezone=timezone.utc)
    return pickle.dumps({"version": 1, "id": kind, "func": func, "trigger": trigger, "executor": "default",
                         "args": (kind,), "kwargs": {}, "name": kind, "misfire_grace_time": 60, "coalesce": True,
                         "max_instances": 1, "next_run_time": datetime(2026, 1, 1, tzinfo=timezone.utc)})
