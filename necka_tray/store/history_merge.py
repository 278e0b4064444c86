"""A history moved aside as broken is never silently forgotten: its readable events come back.

``dbfile.move_aside`` renames a damaged ``history.sqlite3`` to
``history.sqlite3.broken-<time>`` and the tray starts a fresh one. At the next
start (``HistoryWriter.check``) every such file next to the history is read as
far as it can be (the events in id order until a damaged page stops the scan,
then from the other end; the rolled-up days), the events the history does not
have yet (same time, kind and data) are inserted, and the file is renamed
``.merged-<time>`` so it is not merged twice. A file with nothing readable
keeps its ``.broken-`` name, for recovery by hand.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from pathlib import Path

from necka_tray.store.dbfile import aside_files
from necka_tray.store.history import BUSY_TIMEOUT_MS

logger = logging.getLogger(__name__)

Row = tuple[str, str, str]  # ts, kind, data (as stored)


def merge_aside_files(path: Path) -> int:
    """Merge every aside file of ``path`` into it; returns how many events were added."""
    added = 0
    for aside in aside_files(path):
        events, days = readable(aside)
        if events is None:
            logger.info("action=history-merge file=%s state=unreadable", aside.name)
            continue
        try:
            added += _insert_missing(path, events, days)
            _rename_merged(aside)
        except (sqlite3.Error, OSError) as exc:  # the history itself failing: try again next start
            logger.warning("Could not merge %s back into %s (%s); trying again at the next start.", aside, path, exc)
            continue
        logger.info("action=history-merge file=%s events=%s added=%s", aside.name, len(events), added)
    return added


def readable(aside: Path) -> tuple[list[Row] | None, list[tuple[str, str]]]:
    """The events and day rows that can still be read from ``aside``; events None if none can."""
    try:
        conn = sqlite3.connect(f"file:{aside}?mode=ro", uri=True, timeout=1.0)
    except (sqlite3.Error, OSError):
        return None, []
    events: dict[int, Row] = {}
    any_read = False
    try:
        for order in ("ASC", "DESC"):  # past a damaged page from both ends
            try:
                for row_id, ts, kind, data in conn.execute(f"SELECT id, ts, kind, data FROM events ORDER BY id {order}"):
                    any_read = True
                    if _sane(ts, kind, data):
                        events[row_id] = (ts, kind, data)
            except sqlite3.Error:
                continue
        days: list[tuple[str, str]] = []
        try:
            days = [(d, v) for d, v in conn.execute("SELECT day, data FROM days") if isinstance(d, str)]
        except sqlite3.Error:
            pass
    finally:
        conn.close()
    if not any_read and not events:
        return (None, []) if not days else ([], days)
    return [events[i] for i in sorted(events)], days


def _sane(ts, kind, data) -> bool:
    if not (isinstance(ts, str) and isinstance(kind, str) and kind and isinstance(data, str)):
        return False
    try:
        return isinstance(json.loads(data), dict)
    except ValueError:
        return False


def _insert_missing(path: Path, events: list[Row], days: list[tuple[str, str]]) -> int:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            have = set(conn.execute("SELECT ts, kind, data FROM events"))
            missing = [e for e in dict.fromkeys(events) if e not in have]
            conn.executemany("INSERT INTO events (ts, kind, data) VALUES (?, ?, ?)", missing)
            conn.executemany("INSERT OR IGNORE INTO days (day, data) VALUES (?, ?)", days)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        conn.close()
    return len(missing)


def _rename_merged(aside: Path) -> None:
    """The main file first: a crash in between leaves a -wal without its file, never a
    ``.broken-`` file whose -wal was taken away (it would be merged again without it)."""
    target = aside.with_name(aside.name.replace(".broken-", ".merged-", 1))
    os.replace(aside, target)
    for suffix in ("-wal", "-shm"):
        side = aside.with_name(aside.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
