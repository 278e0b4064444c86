"""The history's schema, one migration per version (``PRAGMA user_version``).

``MIGRATIONS[i]`` takes a database from version ``i`` to ``i + 1``, so a later schema appends a
function and nothing else; ``History._migrate`` runs the missing ones in one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable


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


def _v2(db: sqlite3.Connection) -> None:
    # Reads select by time: index the instant (julianday() understands the offset), and keep
    # one row per rolled-up day. Existing rows are untouched.
    db.execute("CREATE INDEX events_time ON events(julianday(ts))")
    db.execute("CREATE TABLE days (day TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID")


def _v3(db: sqlite3.Connection) -> None:
    # Finished days as the statistics counted them, so a report of a dense history reads a row
    # per day instead of its events (``reports.read_days``). A cache: an event written near a
    # day drops that day's rows (the trigger), and a row can always be counted again.
    db.execute("CREATE TABLE day_cache (day TEXT NOT NULL, zone TEXT NOT NULL, data TEXT NOT NULL,"
               " PRIMARY KEY (day, zone)) WITHOUT ROWID")
    db.execute("CREATE TRIGGER day_cache_stale AFTER INSERT ON events BEGIN"
               " DELETE FROM day_cache WHERE day BETWEEN date(julianday(NEW.ts) - 2) AND"
               " date(julianday(NEW.ts) + COALESCE(json_extract(NEW.data, '$.duration_s'), 0) / 86400.0 + 2);"
               " END")


#: Schema migrations in order; the schema version is ``len(MIGRATIONS)``.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2, _v3]


