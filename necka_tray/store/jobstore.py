"""An APScheduler 3.x job store on the standard ``sqlite3`` module.

It replaces ``SQLAlchemyJobStore``, whose only use here (one table) cost
~15 MiB and 0.2 s of startup for importing SQLAlchemy. The table (and index)
layout is SQLAlchemyJobStore's, and the behaviour mirrors
``apscheduler/jobstores/sqlalchemy.py`` method by method.

When the file fails (see ``dbfile.py``) the store never raises into the
scheduler, whose thread would die of it: a broken file (not a database,
damaged, locked by another program) is moved aside at start and a fresh one
made; a file that cannot be written (full disk, read-only folder), or one that
breaks while Necka runs, is replaced by an in-memory copy of the jobs, written
back to the file as soon as that works again. A file deleted while Necka runs is
written again at the next write (the tick writes once a minute).
"""

from __future__ import annotations

import pickle
import sqlite3
import threading
import time
from pathlib import Path

from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore, ConflictingIdError, JobLookupError
from apscheduler.util import datetime_to_utc_timestamp, utc_timestamp_to_datetime

from necka_tray.store import dbfile
from necka_tray.i18n import _


#: Job functions stored under an older module path -> where they live now.
MOVED_FUNCS = {f"necka_tray.jobs:{name}": f"necka_tray.tray.jobs:{name}"
               for name in ("fire_reminder", "tick", "end_pause")}


class SQLiteJobStore(BaseJobStore):
    """Persist jobs as pickled ``Job.__getstate__()`` rows in a SQLite file.

    The connection is shared by the scheduler thread and whichever thread adds
    or modifies jobs, so every use of it holds ``self._lock``.
    """

    #: Seconds to wait for another program's lock before the file counts as broken.
    busy_timeout = 5.0

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
        self._opened: tuple[int, int] | None = None  # the file's identity when we opened it
        self._moved = False  # moved aside once already in this process: never again
        self._fault: str | None = None  # set while the jobs live in memory (dbfile.BROKEN/LOCKED/UNWRITABLE)
        self._retry_at = 0.0

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
            if self._fault is not None:
                self._write_back(now=True)
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- the file, and what happens when it fails ---------------------------------

    def _open(self):
        """The file's connection; a broken file is moved aside once, an unusable one replaced by memory."""
        try:
            return self._open_file()
        except (sqlite3.Error, OSError) as exc:
            kind = dbfile.classify(exc)
            if kind is None:
                raise
            if kind == dbfile.BROKEN and not self._moved:
                self._move_aside(exc)
                try:
                    return self._open_file()
                except (sqlite3.Error, OSError) as again:
                    exc, kind = again, dbfile.classify(again) or kind
            return self._to_memory(exc, kind, self._readable_rows())

    def _open_file(self):
        conn = dbfile.connect(self.path, self.busy_timeout)  # user-only, WAL, waits for another writer
        try:
            self._create_table(conn)
            dbfile.check(conn)
        except BaseException:
            conn.close()
            raise
        self._opened = dbfile.identity(self.path)
        return conn

    def _create_table(self, conn):
        with conn:
            conn.execute(f"CREATE TABLE IF NOT EXISTS {self._table} "
                         "(id TEXT NOT NULL PRIMARY KEY, next_run_time REAL, job_state BLOB NOT NULL)")
            conn.execute(f"CREATE INDEX IF NOT EXISTS {self._index} ON {self._table} (next_run_time)")

    def _move_aside(self, exc):
        self._moved = True
        target = dbfile.move_aside(self.path, self._opened)
        if target:
            message = _("Necka's schedule {path} could not be used ({error}); it was moved to {name} and a fresh "
                        "schedule was started: the reminders' countdowns start over.")
        else:
            message = _("Necka's schedule {path} could not be used ({error}); a fresh schedule was started: the "
                        "reminders' countdowns start over.")
        dbfile.report(self.path, dbfile.BROKEN, message.format(path=self.path, error=exc,
                                                               name=target or ""))

    def _readable_rows(self):
        """Whatever jobs can still be read from the file, for the in-memory copy."""
        try:
            with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=1.0) as src:
                return src.execute(f"SELECT id, next_run_time, job_state FROM {self._table}").fetchall()
        except (sqlite3.Error, OSError):
            return []

    def _to_memory(self, exc, kind, rows):
        """Go on with the jobs in memory; ``_write_back`` saves them when the file works again."""
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        self._create_table(conn)
        with conn:
            conn.executemany(f"INSERT OR REPLACE INTO {self._table} VALUES (?, ?, ?)", rows)
        self._fault, self._retry_at = kind, time.monotonic() + dbfile.RETRY_SECONDS
        if kind == dbfile.UNWRITABLE:
            dbfile.report(self.path, kind, _("Necka cannot save its schedule to {path} ({error}); the reminders "
                                             "go on, and the schedule is saved as soon as the file can be "
                                             "written.").format(path=self.path, error=exc))
        elif kind == dbfile.LOCKED:
            dbfile.report(self.path, kind, _("Necka's schedule {path} is locked by another program ({error}); the "
                                             "reminders go on, and the schedule is saved as soon as the lock is "
                                             "gone.").format(path=self.path, error=exc))
        else:
            dbfile.report(self.path, kind, _("Necka's schedule {path} stopped working ({error}); the reminders "
                                             "go on from memory, and a fresh file will be written.").format(
                path=self.path, error=exc))
        return conn

    def _write_back(self, now=False):
        """Try to put the in-memory jobs back into the file (at most every RETRY_SECONDS)."""
        if not now and time.monotonic() < self._retry_at:
            return
        self._retry_at = time.monotonic() + dbfile.RETRY_SECONDS
        conn = None
        try:
            if self._fault == dbfile.BROKEN and not self._moved:
                self._move_aside(_("it broke while Necka was running"))
            conn = self._open_file()
            rows = self._conn.execute(f"SELECT id, next_run_time, job_state FROM {self._table}").fetchall()
            with conn:
                conn.execute(f"DELETE FROM {self._table}")
                conn.executemany(f"INSERT INTO {self._table} VALUES (?, ?, ?)", rows)
        except (sqlite3.Error, OSError):
            if conn is not None:
                conn.close()
            return
        self._conn.close()
        self._conn, fault, self._fault = conn, self._fault, None
        dbfile.recovered(self.path, fault)

    def _recreate_if_deleted(self):
        """The file was deleted under us (a cleaner, a user): SQLite would go on writing to the
        unlinked inode and the schedule would be gone at the next start. Write the jobs to a new
        file instead (one ``stat`` per write: the tick writes once a minute)."""
        if dbfile.identity(self.path) is not None:
            return
        rows = self._conn.execute(f"SELECT id, next_run_time, job_state FROM {self._table}").fetchall()
        self._conn.close()
        self._conn = None
        conn = self._open_file()  # a failure here goes the usual way (_db, then memory)
        with conn:
            conn.executemany(f"INSERT OR REPLACE INTO {self._table} VALUES (?, ?, ?)", rows)
        self._conn = conn
        self._logger.warning("Necka's schedule %s was deleted while Necka ran; it was written again.", self.path)

    def _db(self):
        """The connection; call with ``self._lock`` held (opened lazily after ``start``)."""
        if self._conn is None:
            self._conn = self._open()
        return self._conn

    def _run(self, fn, write=False):
        """``fn(conn)`` under the lock, in a transaction when ``write``.

        A fault of the file (``dbfile.classify``) moves the jobs into memory and
        runs ``fn`` there, instead of raising into the scheduler's thread.
        """
        with self._lock:
            if self._fault is not None:
                self._write_back()
            elif write and self._conn is not None:
                self._recreate_if_deleted()
            conn = self._db()
            try:
                return self._call(conn, fn, write)
            except sqlite3.IntegrityError:
                raise
            except (sqlite3.Error, OSError) as exc:
                kind = dbfile.classify(exc)
                if kind is None or self._fault is not None:
                    raise
                try:
                    rows = conn.execute(f"SELECT id, next_run_time, job_state FROM {self._table}").fetchall()
                except sqlite3.Error:
                    rows = self._readable_rows()
                conn.close()
                self._conn = self._to_memory(exc, kind, rows)
                return self._call(self._conn, fn, write)

    @staticmethod
    def _call(conn, fn, write):
        if not write:
            return fn(conn)
        with conn:
            return fn(conn)

    # -- the job store interface ----------------------------------------------------

    def lookup_job(self, job_id):
        row = self._run(lambda conn: conn.execute(
            f"SELECT job_state FROM {self._table} WHERE id = ?", (job_id,)).fetchone())
        return self._reconstitute_job(row[0]) if row else None

    def get_due_jobs(self, now):
        if self._closed:
            return []
        return self._get_jobs("WHERE next_run_time <= ?", (datetime_to_utc_timestamp(now),))

    def get_next_run_time(self):
        if self._closed:
            return None
        row = self._run(lambda conn: conn.execute(
            f"SELECT next_run_time FROM {self._table} WHERE next_run_time IS NOT NULL "
            "ORDER BY next_run_time LIMIT 1").fetchone())
        return utc_timestamp_to_datetime(row[0]) if row else None

    def get_all_jobs(self):
        jobs = self._get_jobs()
        self._fix_paused_jobs_sorting(jobs)  # SQLite sorts NULL (paused) first
        return jobs

    def add_job(self, job):
        state = pickle.dumps(job.__getstate__(), self.pickle_protocol)
        try:
            self._run(lambda conn: conn.execute(
                f"INSERT INTO {self._table} (id, next_run_time, job_state) VALUES (?, ?, ?)",
                (job.id, datetime_to_utc_timestamp(job.next_run_time), state)), write=True)
        except sqlite3.IntegrityError:
            raise ConflictingIdError(job.id) from None

    def update_job(self, job):
        state = pickle.dumps(job.__getstate__(), self.pickle_protocol)
        cur = self._run(lambda conn: conn.execute(
            f"UPDATE {self._table} SET next_run_time = ?, job_state = ? WHERE id = ?",
            (datetime_to_utc_timestamp(job.next_run_time), state, job.id)), write=True)
        if cur.rowcount == 0:
            raise JobLookupError(job.id)

    def remove_job(self, job_id):
        cur = self._run(lambda conn: conn.execute(f"DELETE FROM {self._table} WHERE id = ?", (job_id,)),
                        write=True)
        if cur.rowcount == 0:
            raise JobLookupError(job_id)

    def remove_all_jobs(self):
        self._run(lambda conn: conn.execute(f"DELETE FROM {self._table}"), write=True)

    def _reconstitute_job(self, job_state):
        job = Job.__new__(Job)
        state = pickle.loads(job_state)
        # Jobs stored before the tray's modules moved name their old home; an
        # unresolvable reference would delete the row (the user's schedule).
        state["func"] = MOVED_FUNCS.get(state.get("func"), state.get("func"))
        job.__setstate__(state)
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
        rows = self._run(lambda conn: conn.execute(
            f"SELECT id, job_state FROM {self._table} {where} ORDER BY next_run_time, id", params).fetchall())
        for job_id, state in rows:
            try:
                jobs.append(self._reconstitute_job(state))
            except Exception:
                self._logger.exception('Unable to restore job "%s" -- removing it', job_id)
                failed.append((job_id,))
        if failed:
            self._run(lambda conn: conn.executemany(f"DELETE FROM {self._table} WHERE id = ?", failed), write=True)
        return jobs

    def __repr__(self):
        return f"<{self.__class__.__name__} (path={str(self.path)!r})>"
