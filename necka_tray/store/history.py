"""The history database: what reminders fired, which sessions were done, how the neck felt.

One SQLite file (``AppPaths.history_db``), readable by the user only. The
tray process and the window processes may write at the same moment, so the
database runs in WAL mode with a busy timeout and every write is one short
``BEGIN IMMEDIATE`` transaction: a crash loses at most the event being
written. The schema version lives in ``PRAGMA user_version``;
``MIGRATIONS[i]`` takes a database from version ``i`` to ``i + 1``, so a
later schema appends a function and nothing else.

Event kinds (``events.kind``; ``ts`` is timezone-aware ISO 8601; ``data`` a
JSON object). Record them with ``History.record(kind, ts, **data)``; the
names are in ``necka_tray.core.events``. ``record`` refuses data that breaks
the rules marked "checked".

============== =============================== ==============================================
kind           ts                              data
============== =============================== ==============================================
reminder       when it fired                   ``reminder``: posture | shoulder_rolls | stretch
                                               (checked); ``notified``: bool, the bubble reached
                                               the notification service; ``held``: bool, it
                                               waited for a full-screen window to close
snooze         when the user snoozed           ``reminder`` (default stretch); ``minutes``
skip           when the user skipped           ``reminder`` (default stretch); ``was_due``
done           when the user pressed "Done"    ``reminder``: posture | shoulder_rolls | stretch
               on a reminder's bubble          (checked)
session        when the session started        ``outcome``: completed | stopped (checked),
                                               ``steps_done``, ``steps_total``, ``routine``,
                                               ``duration_s``, ``ended`` (ISO)
checkin        when the user answered          ``rating``: whole number 0 (no pain) to 10 (worst
                                               pain) (checked); ``source``: session | daily | cli
natural_break  when the user went away         ``end`` (ISO, when they came back), ``minutes``
                                               (its length), ``sat_from`` (ISO, start of the
                                               sitting stretch it ended). Recorded on return,
                                               only for an absence long enough to be a break.
sitting        when the stretch began          ``duration_s`` (checked, >= 0), ``ended`` (ISO),
                                               ``until``: quit | ... A sitting stretch that
                                               ended other than by a natural break.
pause          when the pause began            ``until`` (ISO)
resume         when reminders resumed          (none)
notice         when a care bubble was shown    ``notice``: care (see a professional) | weekly
                                               (the look back); ``reason`` or ``week``
============== =============================== ==============================================

Sitting time is derived: the stretches are ``sat_from`` .. ``ts`` of each
natural break, plus the ``sitting`` events; the statistics split them at
midnight and take the longest per day.

What became of each reminder (acted on, snoozed, skipped, ignored) is not
stored: ``necka_tray.core.stats`` derives it from the events that follow it,
so a rule can change without rewriting anyone's history.

Retention (schema 2): ``roll_up`` turns the raw events of days older than the
retention period into one ``days`` row each (a ``DayStats`` as JSON) and
deletes them, in the same transaction, so the file stays small over years.
The statistics read a day from its row when it has one (or from ``day_cache``,
schema 3); a finished day never counted is counted by SQLite (``day_counts.py``)
from what schema 4 keeps beside each event (``history_migrations``: its instant,
the value a rule reads, a sitting stretch), and only the last day or two are
counted in Python from their events.

This module is I/O, not core: ``necka_tray.core`` must never import it.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

from necka_tray.store import day_counts, dbfile, history_rollup
from necka_tray.core import events as ev
from necka_tray.core.events import Row, checkin_event, session_event
from necka_tray.core import stats
from necka_tray.core.events import Event
from necka_tray.texts.i18n import _
from necka_tray.store.history_migrations import INSERT, MIGRATIONS
from necka_tray.store.history_rows import OUTCOMES, REMINDER_NAMES, _event, _iso, _row, epoch_ms  # noqa: F401 (re-exported)

__all__ = ["BUSY_TIMEOUT_MS", "Event", "History", "HistoryError", "MIGRATIONS", "OUTCOMES", "REMINDER", "SESSION"]
# The tray's writer (events wait in memory while the file cannot be written): store/history_writer.py.
# The schema: history_migrations.py; rows and their checks: history_rows.py; retention: history_rollup.py.

BUSY_TIMEOUT_MS = 5000
#: How long an older file's upgrade is waited for when another process is upgrading it (the first
#: start after an update upgrades two million events in about 9 s): long, but only once.
UPGRADE_WAIT_MS = 60_000

SESSION = ev.SESSION
REMINDER = ev.REMINDER


_checked: set[Path] = set()  # files that passed the integrity check in this process


class HistoryError(dbfile.TooNew):
    """A newer Necka wrote the history: it is kept as it is, and this Necka never writes it."""


class History:
    """An open history database. Use as a context manager, or call ``close()``."""

    def __init__(self, path: str | os.PathLike[str], repair: bool = False) -> None:
        """Open (or create) the file; trouble raises. With ``repair`` (the tray, which owns the
        file), one that is broken (not a database, damaged, locked by another program past the
        busy timeout) is moved aside and a fresh one started instead; see ``dbfile.py``."""
        self.path = Path(path)
        self._repair = repair
        self._lock = threading.Lock()  # the tray records from scheduler threads
        if not repair:
            self._db = self._open()
            return
        # A file that was not there before we opened it is not broken: someone else is creating
        # it this very moment (their WAL switch locks it); dbfile.open_repairing leaves it alone.
        self._db = dbfile.open_repairing(self.path, self._open, _(
            "Necka's history {path} could not be used ({error}); it was moved to {name} and a fresh "
            "history was started."), dbfile.identity(self.path))

    def _open(self) -> sqlite3.Connection:
        # isolation_level=None: we write our own BEGIN/COMMIT, one per write.
        self._db = dbfile.connect(self.path, BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            self._migrate()
            if self._repair and self.path not in _checked:
                # The owner checks a file once per process: quick_check reads the whole file
                # (seconds for two million events); a reader meets damage as an error anyway.
                dbfile.check(self._db)
                _checked.add(self.path)
        except BaseException:
            self._db.close()
            raise
        return self._db

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @property
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    # -- writing ---------------------------------------------------------

    def record(self, kind: str, ts: datetime, **data: Any) -> int:
        """Append one event; returns its id. ``ts`` must be timezone-aware."""
        row = _row(kind, ts, data)
        with self._transaction() as db:
            return int(db.execute(INSERT, row).lastrowid)

    def record_many(self, events: Iterable[tuple[str, datetime, dict[str, Any]]]) -> int:
        """Append many ``(kind, ts, data)`` events in one transaction (all or none); returns how many."""
        rows = [_row(kind, ts, data) for kind, ts, data in events]
        with self._transaction() as db:
            db.executemany(INSERT, rows)
        return len(rows)

    def add(self, event: Row) -> int:
        """Append an event built by ``session_event`` and friends below."""
        kind, ts, data = event
        return self.record(kind, ts, **data)

    def record_session(self, started: datetime, ended: datetime, outcome: str, steps_done: int,
                       steps_total: int, routine: str, **extra: Any) -> int:
        return self.add(session_event(started, ended, outcome, steps_done, steps_total, routine, **extra))

    def record_checkin(self, ts: datetime, rating: int, source: str) -> int:
        return self.add(checkin_event(ts, rating, source))

    # -- reading ---------------------------------------------------------

    def events(self, kind: str | None = None, since: datetime | None = None,
               until: datetime | None = None) -> list[Event]:
        """Events oldest first, optionally of one kind, at or after ``since`` and before ``until``."""
        sql, args = "SELECT id, ts, kind, data FROM events", []
        where = []
        if kind is not None:
            where.append("kind = ?")
            args.append(kind)
        # julianday() understands the UTC offset, so mixed offsets compare correctly (and it is indexed).
        # With a kind, the instant in whole ms (schema 4) a millisecond wider leads SQLite to the
        # ``events_count`` index: just that kind's rows of the period are read, not every kind's.
        if since is not None:
            if kind is not None:
                where.append("ms >= ?")
                args.append(epoch_ms(since) - 1)
            where.append("julianday(ts) >= julianday(?)")
            args.append(_iso(since))
        if until is not None:
            if kind is not None:
                where.append("ms <= ?")
                args.append(epoch_ms(until) + 1)
            where.append("julianday(ts) < julianday(?)")
            args.append(_iso(until))
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY julianday(ts), id"
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [_event(r) for r in rows]

    def day_rows(self, first: date, last: date) -> dict[date, stats.DayStats]:
        """The rolled-up days from ``first`` to ``last`` (inclusive)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT data FROM days WHERE day BETWEEN ? AND ?", (first.isoformat(), last.isoformat())
            ).fetchall()
        days = (stats.DayStats.from_dict(json.loads(r[0])) for r in rows)
        return {d.day: d for d in days}

    def day_activity(self, days: list[date], tz: tzinfo) -> dict[date, tuple[bool, int]]:
        """Per active one of ``days``: (True, completed sessions), as the
        statistics count them, by SQLite (``day_counts.streak_counts``; no event is loaded)."""
        with self._lock:
            return day_counts.streak_counts(self._db, days, tz)

    def cached_days(self, first: date, last: date, zone: str) -> dict[date, stats.DayStats]:
        """Finished days from ``first`` to ``last`` counted before in ``zone`` (``day_cache``)."""
        with self._lock:
            rows = self._db.execute("SELECT data FROM day_cache WHERE zone = ? AND day BETWEEN ? AND ?",
                                    (zone, first.isoformat(), last.isoformat())).fetchall()
        days = (stats.DayStats.from_dict(json.loads(r[0])) for r in rows)
        return {d.day: d for d in days}

    def cache_days(self, zone: str, days: Iterable[stats.DayStats]) -> None:
        """Remember finished days; skipped (not raised) when the file cannot be written now."""
        rows = [(d.day.isoformat(), zone, json.dumps(d.to_dict(), sort_keys=True)) for d in days]
        if not rows:
            return
        try:
            with self._lock:
                self._db.execute("PRAGMA busy_timeout = 0")  # a reader never waits to fill a cache
                try:
                    with self._transaction_locked() as db:
                        db.executemany("INSERT OR REPLACE INTO day_cache(day, zone, data) VALUES (?, ?, ?)", rows)
                finally:
                    self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        except sqlite3.Error as exc:
            if dbfile.classify(exc) is None:
                raise

    def earliest_day(self, tz: tzinfo) -> date | None:
        """The first day anything is known about (a rolled-up row or an event), or None when empty."""
        with self._lock:
            row_day = self._db.execute("SELECT MIN(day) FROM days").fetchone()[0]
            first = self._db.execute("SELECT ts FROM events ORDER BY julianday(ts) LIMIT 1").fetchone()
        found = [date.fromisoformat(row_day)] if row_day else []
        if first:
            found.append(stats.local_day(datetime.fromisoformat(first[0]), tz))
        return min(found, default=None)

    def count_days(self, days: Iterable[date], tz: tzinfo) -> dict[date, stats.DayStats]:
        """Finished ``days`` counted by SQLite from their events (``day_counts.py``), none loaded."""
        with self._lock:
            return day_counts.count_days(self._db, days, tz)

    def roll_up(self, now: datetime, tz: tzinfo, keep_days: int) -> int:
        """Replace the raw events of days before the last ``keep_days`` by one row per day
        (``history_rollup.py``); returns how many days got a row."""
        return history_rollup.roll_up(self, now, tz, keep_days)

    # -- internals -------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._transaction_locked() as db:
            yield db

    @contextlib.contextmanager
    def _transaction_locked(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction; call with ``self._lock`` held."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _migrate(self) -> None:
        target = len(MIGRATIONS)
        # Read first, without a write lock: opening a current file to read it never waits for a
        # writer (WAL lets readers through), and a newer one is refused without touching it.
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version == target:
            return
        if version > target:
            raise HistoryError(
                _("a newer Necka wrote it: schema version {version}, this Necka knows up to {known}").format(
                    version=version, known=target))
        self._db.execute(f"PRAGMA busy_timeout = {UPGRADE_WAIT_MS}")  # another may be upgrading it now
        try:
            self._upgrade(target)
        finally:
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _upgrade(self, target: int) -> None:
        with self._transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > target:
                raise HistoryError(
                    _("a newer Necka wrote it: schema version {version}, this Necka knows up to {known}").format(
                        version=version, known=target)
                )
            for step in range(version, target):
                MIGRATIONS[step](db)
                # user_version is part of the database header, so it commits with the schema.
                db.execute(f"PRAGMA user_version = {step + 1}")


