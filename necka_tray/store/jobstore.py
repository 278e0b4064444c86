"""A persistent APScheduler 3.x job store on the standard ``sqlite3`` module.

It replaces ``SQLAlchemyJobStore``, whose only use here (one table) cost ~15 MiB
and 0.2 s of startup for importing SQLAlchemy; the table (and index) layout is
SQLAlchemyJobStore's.

Why a ``MemoryJobStore`` subclass: APScheduler's own in-memory store already
answers every question the scheduler asks (due jobs, next run time, the sort
order, conflicting ids), so this store only loads the file at ``start`` and writes
the whole table back after each change (a handful of rows). It uses the public
``BaseJobStore``/``MemoryJobStore`` methods, and ``Job.__getstate__`` /
``__setstate__`` plus the ``_scheduler`` and ``_jobstore_alias`` of a job it
builds from a row, which is what ``docs/extending.rst`` ("Custom job stores")
asks of a store (3.9 to 3.11). And since the jobs live in memory anyway, a file
that fails never stops the reminders: the scheduler reads memory, never the file,
and what could not be written is written at a later try. What is done about each
fault, when it is retried and said, is ``dbfile.py``'s policy, the history's too;
a file deleted while Necka runs is made again at the next write.

Rows name their function by a stable name from ``functions`` (``tray/jobs.py``'s
``FUNCTIONS``), not by its module path, so moving a module needs no migration; a store
given ``functions`` keeps those and no other (without, it keeps APScheduler's text
references, as its own stores do: the contract tests use that). Rows
written before (``"necka_tray.jobs:fire_reminder"``, ``"necka_tray.tray.jobs:tick"``:
any path in ``necka_tray`` ending in a registered name) are read once and written
back by name; ``PRAGMA user_version`` is 1 from then on, and a file whose version is
higher (a newer Necka's) is kept as it is and never written.
"""

from __future__ import annotations

import logging
import pickle
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from apscheduler.job import Job
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.util import datetime_to_utc_timestamp, obj_to_ref

from necka_tray.store import dbfile
from necka_tray.i18n import _

logger = logging.getLogger(__name__)

#: ``PRAGMA user_version`` of a file whose rows name their functions by registered name.
SCHEMA_VERSION = 1
_PACKAGE = __name__.split(".")[0]  # an old row names a module of this package


class SQLiteJobStore(MemoryJobStore):
    """``MemoryJobStore`` whose jobs are also kept, as pickled ``Job.__getstate__()`` rows, in a SQLite file.

    Safe to call from any thread (the scheduler's, and the app's when it adds or changes jobs).
    """

    #: Seconds to wait for another program's lock before a write counts as failed (and waits).
    busy_timeout = 5.0

    def __init__(self, path, functions: Mapping[str, Callable] | None = None, tablename="apscheduler_jobs",
                 pickle_protocol=pickle.HIGHEST_PROTOCOL, monotonic: Callable[[], float] = time.monotonic):
        super().__init__()
        self.path = Path(path)
        self.pickle_protocol = pickle_protocol
        self._functions = dict(functions or {})
        self._table = '"' + tablename.replace('"', '""') + '"'
        # Same index name as SQLAlchemy's ``index=True`` gives the column.
        self._index = '"' + f"ix_{tablename}_next_run_time".replace('"', '""') + '"'
        self._lock = threading.RLock()
        self._rows: dict[str, tuple[float | None, bytes]] = {}  # id -> the row as written
        self._faults = dbfile.Faults(self.path, self._words, monotonic)
        self._owner = None  # (scheduler, alias) from start(): what a restored job belongs to
        self._closed = True

    # -- the scheduler's calls -------------------------------------------------------------

    def start(self, scheduler, alias):
        """Load the file (not in ``__init__``: the scheduler may never start)."""
        super().start(scheduler, alias)
        with self._lock:
            self._owner, self._closed = (scheduler, alias), False
            super().remove_all_jobs()
            self._rows.clear()
            try:
                if self._load():
                    self._write()
            except (sqlite3.Error, OSError, dbfile.TooNew) as exc:
                # Not read (locked, unreadable, a newer Necka's): start afresh in memory; the file is
                # written when a retry works (the countdowns start over, as for a broken file).
                if self._faults.failed(exc) is None:
                    raise

    def shutdown(self):
        """Write what waits (whatever the back-off), then hold no jobs.

        BaseScheduler.shutdown() closes the stores before its thread has stopped, and that
        thread may look for due jobs once more: an empty store answers "none", so a stopped
        scheduler cannot run (and remove) a job that a new scheduler on the same file is
        about to run.
        """
        with self._lock:
            if not self._closed and self._faults.kind is not None:
                self._write()
            self._closed = True
            super().remove_all_jobs()  # memory only: MemoryJobStore.shutdown would call ours
            self._rows.clear()

    def lookup_job(self, job_id):
        with self._lock:
            return super().lookup_job(job_id)

    def get_due_jobs(self, now):
        with self._lock:
            if not self._closed and self._faults.kind is not None and self._faults.due():
                self._write()  # the scheduler's wakeups (the tick's, every minute) retry what waits
            return super().get_due_jobs(now)

    def get_next_run_time(self):
        with self._lock:
            return super().get_next_run_time()

    def get_all_jobs(self):
        with self._lock:
            return super().get_all_jobs()

    def add_job(self, job):
        row = self._row(job)  # a job that cannot be stored is refused before it is added
        with self._lock:
            super().add_job(job)
            self._rows[job.id] = row
            self._changed()

    def update_job(self, job):
        row = self._row(job)
        with self._lock:
            super().update_job(job)
            self._rows[job.id] = row
            self._changed()

    def remove_job(self, job_id):
        with self._lock:
            super().remove_job(job_id)
            del self._rows[job_id]
            self._changed()

    def remove_all_jobs(self):
        with self._lock:
            super().remove_all_jobs()
            self._rows.clear()
            self._changed()

    def __repr__(self):
        return f"<{self.__class__.__name__} (path={str(self.path)!r})>"

    # -- rows ------------------------------------------------------------------------------------

    def _row(self, job) -> tuple[float | None, bytes]:
        state = job.__getstate__()  # raises for a job without a text reference, as every persistent store
        if self._functions:
            name = next((name for name, fn in self._functions.items() if fn is job.func), None)
            if name is None:
                raise ValueError(f"{job.func_ref} is not one of the job functions this store keeps")
            state["func"] = name
        return datetime_to_utc_timestamp(job.next_run_time), pickle.dumps(state, self.pickle_protocol)

    def _job(self, blob: bytes) -> tuple[Job, bool]:
        """The job a row holds, and whether the row was written in the old way (by module path)."""
        state = pickle.loads(blob)
        if not isinstance(state, dict):
            raise ValueError(f"a job's state is a {type(state).__name__}, not a dict")
        func, old = state.get("func"), False
        if self._functions:
            if not isinstance(func, str):
                raise ValueError(f"a job's function is a {type(func).__name__}")
            module, colon, name = func.rpartition(":")
            if colon:  # an old row, by module path: any of ours ending in a registered name
                if not (module == _PACKAGE or module.startswith(_PACKAGE + ".")):
                    raise LookupError(f"{func} is not one of Necka's job functions")
                old = True
            if name not in self._functions:
                raise LookupError(f"no job function is registered as {name!r}")
            state["func"] = obj_to_ref(self._functions[name])  # wherever its module is now
        job = Job.__new__(Job)
        job.__setstate__(state)
        job._scheduler, job._jobstore_alias = self._owner  # docs/extending.rst: a store restores these
        return job, old

    # -- the file --------------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        conn = dbfile.connect(self.path, self.busy_timeout)  # user-only, WAL, waits for another writer
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise dbfile.TooNew(_("a newer Necka wrote it: schema version {version}, this Necka knows up to "
                                      "{known}").format(version=version, known=SCHEMA_VERSION))
            with conn:
                conn.execute(f"CREATE TABLE IF NOT EXISTS {self._table} "
                             "(id TEXT NOT NULL PRIMARY KEY, next_run_time REAL, job_state BLOB NOT NULL)")
                conn.execute(f"CREATE INDEX IF NOT EXISTS {self._index} ON {self._table} (next_run_time)")
            dbfile.check(conn)  # a few rows: cheap at every open
        except BaseException:
            conn.close()
            raise
        return conn

    def _open_repairing(self) -> sqlite3.Connection:
        return dbfile.open_repairing(self.path, self._open, _(
            "Necka's schedule {path} could not be used ({error}); it was moved to {name} and a fresh "
            "schedule was started: the reminders' countdowns start over."), dbfile.identity(self.path))

    def _load(self) -> bool:
        """Put the file's jobs into memory; True when the file should be written again (old or dropped rows)."""
        conn = self._open_repairing()
        try:
            rows = conn.execute(f"SELECT id, job_state FROM {self._table} ORDER BY next_run_time, id").fetchall()
            stale = conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION and bool(rows)
        finally:
            conn.close()
        for job_id, blob in rows:
            try:
                job, old = self._job(blob)
                super().add_job(job)
            except Exception:  # not BaseException: a Ctrl-C while loading must not drop a job
                # A job whose function was removed would fail at every start: drop it, as SQLAlchemyJobStore does.
                logger.exception('Unable to restore job "%s" -- removing it', job_id)
                stale = True
                continue
            stale = stale or old or job.id != job_id
            self._rows[job.id] = self._row(job) if old else (datetime_to_utc_timestamp(job.next_run_time), blob)
        return stale

    def _changed(self) -> None:
        """Write after a change, unless an earlier write failed and its retry is not due yet."""
        if not self._closed and self._faults.due():
            self._write()

    def _write(self) -> None:
        """The whole table, as memory holds it, in one transaction; a failure waits (``dbfile.Faults``)."""
        rows = [(job_id, ts, blob) for job_id, (ts, blob) in self._rows.items()]
        try:
            conn = self._open_repairing()  # by path: a file deleted under us is simply made again
            try:
                with conn:
                    conn.execute(f"DELETE FROM {self._table}")
                    conn.executemany(f"INSERT INTO {self._table} (id, next_run_time, job_state) VALUES (?, ?, ?)",
                                     rows)
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            finally:
                conn.close()
        except (sqlite3.Error, OSError, dbfile.TooNew) as exc:
            if self._faults.failed(exc) is None:
                raise
            return
        if self._faults.kind is not None:
            logger.info("action=schedule-written jobs=%s", len(rows))
        self._faults.succeeded()

    def _words(self, kind: str, exc: BaseException) -> str:
        """What ``dbfile.Faults`` says when the schedule cannot be written."""
        if kind == dbfile.LOCKED:
            text = _("Necka's schedule {path} is locked by another program ({error}); the reminders go on, and the "
                     "schedule is saved as soon as the lock is gone.")
        elif kind == dbfile.NEWER:
            text = _("Necka's schedule {path} is kept as it is ({error}); the reminders go on, but this Necka "
                     "does not save their countdowns.")
        elif kind == dbfile.BROKEN:
            text = _("Necka's schedule {path} stopped working ({error}); the reminders go on from memory, and a "
                     "fresh file will be written.")
        else:
            text = _("Necka cannot save its schedule to {path} ({error}); the reminders go on, and the schedule is "
                     "saved as soon as the file can be written.")
        return text.format(path=self.path, error=exc)
