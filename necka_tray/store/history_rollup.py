"""Retention: the raw events of old days become one ``days`` row each (schema 2).

``roll_up`` runs at the tray's start and once a day, on its history thread (never the thread that
answers commands), in transactions of ``ROLL_UP_CHUNK_DAYS`` days: each writes its days' rows and
deletes their events together, so a crash loses nothing and another process waits at most one
chunk. The days are counted by SQLite (``day_counts.py``), the same way a report counts them.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta, tzinfo
import threading
from contextlib import AbstractContextManager
from typing import Callable, Protocol

from necka_tray.core import events as ev
from necka_tray.core import stats
from necka_tray.store import day_counts
from necka_tray.store.history_rows import _iso



class History(Protocol):
    """What a roll-up needs of ``store.history.History``: typed here so neither module imports the other."""

    _lock: threading.Lock
    _db: sqlite3.Connection
    _transaction: Callable[[], AbstractContextManager[sqlite3.Connection]]

#: Days rolled up per transaction: bounds the lock time of a first, large roll-up.
ROLL_UP_CHUNK_DAYS = 7
#: VACUUM after a roll-up only when at least this share of the file is free pages (and some).
VACUUM_FREE_SHARE, VACUUM_MIN_PAGES = 0.25, 256


def roll_up(h: History, now: datetime, tz: tzinfo, keep_days: int) -> int:
    """Replace the raw events of days before the last ``keep_days`` by one row per day.

    Each chunk of days is one transaction: its rows are written and its
    events deleted together. A sitting stretch that runs past the cutoff
    stays until a later roll-up, so the next day keeps its share. Returns
    how many days got a row.
    """
    if keep_days < 1:
        raise ValueError("keep_days must be at least 1")
    cutoff_day = stats.local_day(now, tz) - timedelta(days=keep_days)
    written, cursor = 0, "0001-01-01T00:00:00+00:00"
    while True:
        with h._transaction() as db:
            # The next event not yet looked at: long gaps are skipped in one step.
            first = db.execute("SELECT ts FROM events WHERE julianday(ts) >= julianday(?)"
                               " ORDER BY julianday(ts) LIMIT 1", (cursor,)).fetchone()
            if not first:
                break
            start_day = stats.local_day(datetime.fromisoformat(first[0]), tz)
            if start_day >= cutoff_day:
                break
            end_day = min(start_day + timedelta(days=ROLL_UP_CHUNK_DAYS), cutoff_day)
            written += _roll_up_chunk(db, start_day, end_day, tz)
            cursor = _iso(stats.day_start(end_day, tz))
    _compact_if_sparse(h)
    return written


def _roll_up_chunk(db: sqlite3.Connection, start_day: date, end_day: date, tz: tzinfo) -> int:
    """Roll up the days from ``start_day`` up to (not including) ``end_day``, inside a transaction."""
    last_day = end_day - timedelta(days=1)
    done = {
        date.fromisoformat(r[0])
        for r in db.execute("SELECT day FROM days WHERE day BETWEEN ? AND ?",
                            (start_day.isoformat(), last_day.isoformat()))
    }
    # Counted by SQLite, as a report counts a finished day (day_counts.py): never loaded here.
    days = day_counts.count_days(db, [d for d in stats.day_range(start_day, last_day) if d not in done], tz)
    fresh = [d for d in days.values() if d != stats.DayStats(day=d.day)]
    db.executemany(
        "INSERT INTO days(day, data) VALUES (?, ?)",
        [(d.day.isoformat(), json.dumps(d.to_dict(), sort_keys=True)) for d in fresh],
    )
    end = stats.day_start(end_day, tz)
    cut = _iso(end)
    db.execute("DELETE FROM day_cache WHERE day < ?", (end_day.isoformat(),))  # the days rows hold them now
    db.execute(
        "DELETE FROM events WHERE julianday(ts) < julianday(?) AND (kind != ? OR julianday(ts)"
        " + COALESCE(json_extract(data, '$.duration_s'), 0) / 86400.0 <= julianday(?))",
        (cut, ev.SITTING, cut),
    )
    return len(fresh)


def _compact_if_sparse(h: History) -> None:
    """Give a large roll-up's free pages back to the disk (a daily one reuses them instead)."""
    with h._lock:
        free = h._db.execute("PRAGMA freelist_count").fetchone()[0]
        pages = h._db.execute("PRAGMA page_count").fetchone()[0]
        if free >= VACUUM_MIN_PAGES and free >= VACUUM_FREE_SHARE * pages:
            h._db.execute("VACUUM")
