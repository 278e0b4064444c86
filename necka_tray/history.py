"""The history database: what reminders fired and which sessions were done.

One SQLite file (``AppPaths.history_db``), readable by the user only. The
tray process and the session-window process may write at the same moment, so
the database runs in WAL mode with a busy timeout and every write is one
short ``BEGIN IMMEDIATE`` transaction. The schema version lives in
``PRAGMA user_version``; ``MIGRATIONS[i]`` takes a database from version
``i`` to ``i + 1``, so a later schema appends a function and nothing else.

This module is I/O, not core: ``necka_tray.core`` must never import it.
"""

from __future__ import annotations

import contextlib
import enum
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

BUSY_TIMEOUT_MS = 5000

SESSION = "session"
REMINDER = "reminder"
OUTCOMES = frozenset({"completed", "stopped"})


def _v1(db: sqlite3.Connection) -> None:
    db.execute(
        "CREATE TABLE events ("
        " id INTEGER PRIMARY KEY,"
        " ts TEXT NOT NULL,"  # ISO 8601 with a UTC offset
        " kind TEXT NOT NULL,"
        " data TEXT NOT NULL DEFAULT '{}'"  # a JSON object
        ")"
    )
    db.execute("CREATE INDEX events_kind ON events(kind)")


#: Schema migrations in order; the schema version is ``len(MIGRATIONS)``.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1]


class HistoryError(Exception):
    """The history file cannot be used (for example, a newer Necka wrote it)."""


@dataclass(frozen=True)
class Event:
    id: int
    ts: datetime
    kind: str
    data: dict[str, Any]


class History:
    """An open history database. Use as a context manager, or call ``close()``."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        _create_private(self.path)
        # isolation_level=None: we write our own BEGIN/COMMIT, one per write.
        self._db = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        self._lock = threading.Lock()  # the tray records from scheduler threads
        try:
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except BaseException:
            self._db.close()
            raise

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
        if not kind:
            raise ValueError("an event needs a kind")
        payload = json.dumps(data, sort_keys=True, default=_json_default)
        with self._transaction() as db:
            cur = db.execute(
                "INSERT INTO events(ts, kind, data) VALUES (?, ?, ?)", (_iso(ts), kind, payload)
            )
            return int(cur.lastrowid)

    def record_session(
        self,
        started: datetime,
        ended: datetime,
        outcome: str,
        steps_done: int,
        steps_total: int,
        routine: str,
        **extra: Any,
    ) -> int:
        """A finished stretch session, stamped with its start time."""
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {sorted(OUTCOMES)}, not {outcome!r}")
        return self.record(
            SESSION,
            started,
            ended=_iso(ended),
            duration_s=round((ended - started).total_seconds(), 3),
            outcome=outcome,
            steps_done=steps_done,
            steps_total=steps_total,
            routine=routine,
            **extra,
        )

    def record_reminder(self, kind: str | enum.Enum, ts: datetime, shown: bool) -> int:
        """A reminder that fell due; ``shown`` is False when it was suppressed (paused, quiet hours...)."""
        name = kind.value if isinstance(kind, enum.Enum) else str(kind)
        return self.record(REMINDER, ts, reminder=name, shown=bool(shown))

    # -- reading ---------------------------------------------------------

    def events(self, kind: str | None = None, since: datetime | None = None) -> list[Event]:
        """Events oldest first, optionally of one kind and at or after ``since``."""
        sql, args = "SELECT id, ts, kind, data FROM events", []
        where = []
        if kind is not None:
            where.append("kind = ?")
            args.append(kind)
        if since is not None:
            # julianday() understands the UTC offset, so mixed offsets compare correctly.
            where.append("julianday(ts) >= julianday(?)")
            args.append(_iso(since))
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY julianday(ts), id"
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [Event(id=r[0], ts=datetime.fromisoformat(r[1]), kind=r[2], data=json.loads(r[3])) for r in rows]

    # -- internals -------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _migrate(self) -> None:
        target = len(MIGRATIONS)
        with self._transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > target:
                raise HistoryError(
                    f"{self.path} has schema version {version}; this Necka knows up to {target}"
                )
            for step in range(version, target):
                MIGRATIONS[step](db)
                # user_version is part of the database header, so it commits with the schema.
                db.execute(f"PRAGMA user_version = {step + 1}")


def _create_private(path: Path) -> None:
    """Make sure the file exists with mode 0600 before SQLite opens it.

    SQLite gives its -wal and -shm files the main file's permissions, so
    setting them here covers all three.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    if os.name == "posix":
        os.chmod(path, 0o600)


def _iso(ts: datetime) -> str:
    if ts.tzinfo is None or ts.utcoffset() is None:
        raise ValueError("history timestamps must be timezone-aware")
    return ts.isoformat()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, enum.Enum):
        return value.value
    raise TypeError(f"cannot store {type(value).__name__} in the history")
