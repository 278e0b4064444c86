"""An APScheduler 3.x job store on the standard ``sqlite3`` module.

It replaces ``SQLAlchemyJobStore``, whose only use here (one table) cost
~15 MiB and 0.2 s of startup for importing SQLAlchemy. The table (and index)
layout is SQLAlchemyJobStore's, and the behaviour mirrors
``apscheduler/jobstores/sqlalchemy.py`` method by method.
"""

from __future__ import annotations

import os
import pickle
import sqlite3
import threading
from pathlib import Path

from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore, ConflictingIdError, JobLookupError
from apscheduler.util import datetime_to_utc_timestamp, utc_timestamp_to_datetime


class SQLiteJobStore(BaseJobStore):
    """Persist jobs as pickled ``Job.__getstate__()`` rows in a SQLite file.

    The connection is shared by the scheduler thread and whichever thread adds
    or modifies jobs, so every use of it holds ``self._lock``.
    """

    def __init__(self, path, tablename="apscheduler_jobs", pickle_protocol=pickle.HIGHEST_PROTOCOL):
        super().__init__()
        self.path = Path(path)
        self.pickle_protocol = pickle_protocol
        self._table = '"' + tablename.replace('"', '""') + '"'
        # Same index name as SQLAlchemy's ``index=True`` gives the column.
        self._index = '"' + f"ix_{tablename}_next_run_time".replace('"', '""') + '"'
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._closed = False

    def start(self, scheduler, alias):
        """Open the file (not in ``__init__``: the scheduler may never start)."""
        super().start(scheduler, alias)
        with self._lock:
            if self._conn is not None:
                self._conn.close()
            self._conn = self._open()
            self._closed = False

    def shutdown(self):
        """Close the file; the store then holds no due jobs.

        BaseScheduler.shutdown() closes the stores before its thread has
        stopped, and that thread may look for due jobs once more. A closed
        store answers "none" rather than reopening the file: otherwise a
        stopped scheduler could still run (and remove) a job that a new
        scheduler on the same file is about to run.
        """
        with self._lock:
            self._closed = True
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _open(self):
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Create it user-only before SQLite does (its WAL/SHM files copy the mode).
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        if os.name == "posix":
            os.chmod(self.path, 0o600)  # os.open's mode does not apply to an existing file
        # timeout= is SQLite's busy_timeout: wait for another writer, don't fail.
        conn = sqlite3.connect(self.path, timeout=5.0, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            with conn:
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {self._table} ("
                    "id TEXT NOT NULL PRIMARY KEY, "
                    "next_run_time REAL, "
                    "job_state BLOB NOT NULL)"
                )
                conn.execute(
                    f"CREATE INDEX IF NOT EXISTS {self._index} ON {self._table} (next_run_time)"
                )
        except BaseException:
            conn.close()
            raise
        return conn

    def _db(self):
        """The connection; call with ``self._lock`` held (opened lazily after ``start``)."""
        if self._conn is None:
            self._conn = self._open()
        return self._conn

    def lookup_job(self, job_id):
        with self._lock:
            row = self._db().execute(
                f"SELECT job_state FROM {self._table} WHERE id = ?", (job_id,)
            ).fetchone()
        return self._reconstitute_job(row[0]) if row else None

    def get_due_jobs(self, now):
        if self._closed:
            return []
        return self._get_jobs("WHERE next_run_time <= ?", (datetime_to_utc_timestamp(now),))

    def get_next_run_time(self):
        if self._closed:
            return None
        with self._lock:
            row = self._db().execute(
                f"SELECT next_run_time FROM {self._table} WHERE next_run_time IS NOT NULL "
                "ORDER BY next_run_time LIMIT 1"
            ).fetchone()
        return utc_timestamp_to_datetime(row[0]) if row else None

    def get_all_jobs(self):
        jobs = self._get_jobs()
        self._fix_paused_jobs_sorting(jobs)  # SQLite sorts NULL (paused) first
        return jobs

    def add_job(self, job):
        state = pickle.dumps(job.__getstate__(), self.pickle_protocol)
        try:
            with self._lock, self._db() as conn:
                conn.execute(
                    f"INSERT INTO {self._table} (id, next_run_time, job_state) VALUES (?, ?, ?)",
                    (job.id, datetime_to_utc_timestamp(job.next_run_time), state),
                )
        except sqlite3.IntegrityError:
            raise ConflictingIdError(job.id) from None

    def update_job(self, job):
        state = pickle.dumps(job.__getstate__(), self.pickle_protocol)
        with self._lock, self._db() as conn:
            cur = conn.execute(
                f"UPDATE {self._table} SET next_run_time = ?, job_state = ? WHERE id = ?",
                (datetime_to_utc_timestamp(job.next_run_time), state, job.id),
            )
        if cur.rowcount == 0:
            raise JobLookupError(job.id)

    def remove_job(self, job_id):
        with self._lock, self._db() as conn:
            cur = conn.execute(f"DELETE FROM {self._table} WHERE id = ?", (job_id,))
        if cur.rowcount == 0:
            raise JobLookupError(job_id)

    def remove_all_jobs(self):
        with self._lock, self._db() as conn:
            conn.execute(f"DELETE FROM {self._table}")

    def _reconstitute_job(self, job_state):
        job = Job.__new__(Job)
        job.__setstate__(pickle.loads(job_state))
        job._scheduler = self._scheduler
        job._jobstore_alias = self._alias
        return job

    def _get_jobs(self, where="", params=()):
        """Restore the selected jobs; drop (and log) any that no longer unpickle.

        A job whose function was renamed or removed would otherwise fail on
        every wakeup forever, so, like SQLAlchemyJobStore, delete its row.
        Ties on next_run_time are broken by id, as MemoryJobStore does. Catches
        Exception, not SQLAlchemy's BaseException: a Ctrl-C while unpickling
        must not delete a job.
        """
        jobs, failed = [], []
        with self._lock:
            conn = self._db()
            rows = conn.execute(
                f"SELECT id, job_state FROM {self._table} {where} ORDER BY next_run_time, id",
                params,
            ).fetchall()
            for job_id, state in rows:
                try:
                    jobs.append(self._reconstitute_job(state))
                except Exception:
                    self._logger.exception('Unable to restore job "%s" -- removing it', job_id)
                    failed.append((job_id,))
            if failed:
                with conn:
                    conn.executemany(f"DELETE FROM {self._table} WHERE id = ?", failed)
        return jobs

    def __repr__(self):
        return f"<{self.__class__.__name__} (path={str(self.path)!r})>"
