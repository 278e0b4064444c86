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


# Schema 4: what the statistics count, kept beside each event, so counting a day is a walk over an
# index that holds every number it needs (``day_counts.py``), never a parse of text or JSON. SQLite
# fills the columns itself (the triggers), for rows written by any program, from the same
# expressions the counting used before (text that is not JSON gives NULLs, never an error that
# would refuse the row or the migration): ``ms`` the instant (julianday() understands the offset;
# NULL when it cannot, and such an event is not counted), ``v`` the value a rule looks at (which
# reminder, the session's outcome, the check-in's rating), ``s_us``..``e_us`` a sitting stretch.


def _us(x: str) -> str:
    """SQL for the microseconds since 1970 of the ISO text ``x`` (Python's isoformat; NULL if naive)."""
    whole = "CAST(round((julianday({}) - 2440587.5) * 86400) AS INTEGER) * 1000000"
    return (f"CASE WHEN substr({x}, 20, 1) = '.' AND length({x}) = 32 AND substr({x}, 27, 1) IN ('+', '-')"
            f" THEN {whole.format(f'substr({x}, 1, 19) || substr({x}, 27)')} + CAST(substr({x}, 21, 6) AS INTEGER)"
            f" WHEN length({x}) = 25 AND substr({x}, 20, 1) IN ('+', '-') THEN {whole.format(x)}"
            f" WHEN {x} GLOB '*[+-][0-9][0-9]:[0-9][0-9]' OR {x} GLOB '*Z'"
            f" THEN CAST(round((julianday({x}) - 2440587.5) * 86400000) AS INTEGER) * 1000 END")


_SAT_FROM = "json_extract(data, '$.sat_from')"
#: Each derived column and the SQL that computes it from the row's ts, kind and data.
DERIVED = {
    "ms": "CAST(round((julianday(ts) - 2440587.5) * 86400000) AS INTEGER)",
    "v": "CASE WHEN NOT json_valid(data) THEN NULL WHEN kind IN ('reminder', 'done') THEN json_extract(data, '$.reminder')"
         " WHEN kind IN ('snooze', 'skip') THEN"
         "  CASE WHEN json_type(data, '$.reminder') IS NULL THEN 'stretch' ELSE json_extract(data, '$.reminder') END"
         " WHEN kind = 'session' THEN json_extract(data, '$.outcome')"
         " WHEN kind = 'checkin' THEN CASE json_type(data, '$.rating') WHEN 'integer' THEN json_extract(data, '$.rating')"
         "  WHEN 'true' THEN 1 WHEN 'false' THEN 0 END END",
    "s_us": "CASE WHEN NOT json_valid(data) THEN NULL WHEN kind = 'natural_break' AND json_type(data, '$.sat_from') = 'text'"
            f" THEN {_us(_SAT_FROM)} WHEN kind = 'sitting' THEN {_us('ts')} END",
    "e_us": f"CASE WHEN kind = 'natural_break' THEN {_us('ts')}"
            " WHEN kind = 'sitting' AND json_valid(data) AND json_type(data, '$.duration_s') IN ('integer', 'real')"
            "  AND json_extract(data, '$.duration_s') > 0"
            f" THEN {_us('ts')} + CAST(round(json_extract(data, '$.duration_s') * 1000000) AS INTEGER) END",
}
_SET = "SET " + ", ".join(f"{column} = {sql}" for column, sql in DERIVED.items())
#: How Necka itself inserts an event: the derived columns computed in the same statement (the
#: trigger then has nothing to do, and an insert costs a third of what the trigger's update does).
INSERT = (f"INSERT INTO events(ts, kind, data, {', '.join(DERIVED)})"
          f" SELECT ts, kind, data, {', '.join(DERIVED.values())} FROM (SELECT ? AS ts, ? AS kind, ? AS data)")

#: The events that decide what became of a stretch reminder (``events_stretch`` indexes just them;
#: a query names this same condition to use it).
STRETCH_WHERE = ("WHERE ((kind IN ('reminder', 'done', 'snooze', 'skip') AND v = 'stretch')"
                 " OR kind IN ('session', 'natural_break'))")


def _v4(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE events ADD COLUMN ms INTEGER")
    db.execute("ALTER TABLE events ADD COLUMN v")  # no type: a name, an outcome or a rating as they are
    db.execute("ALTER TABLE events ADD COLUMN s_us INTEGER")
    db.execute("ALTER TABLE events ADD COLUMN e_us INTEGER")
    db.execute(f"UPDATE events {_SET}")
    db.execute("DROP INDEX events_kind")  # the first column of the one below
    db.execute("CREATE INDEX events_count ON events(kind, ms, v, s_us, e_us)")
    db.execute(f"CREATE INDEX events_stretch ON events(ms, id, kind, v) {STRETCH_WHERE}")
    # The cache's trigger read data as JSON even when it is not (and refused such a row).
    db.execute("DROP TRIGGER day_cache_stale")
    db.execute("CREATE TRIGGER day_cache_stale AFTER INSERT ON events BEGIN"
               " DELETE FROM day_cache WHERE day BETWEEN date(julianday(NEW.ts) - 2) AND"
               " date(julianday(NEW.ts) + COALESCE(CASE WHEN json_valid(NEW.data)"
               " THEN json_extract(NEW.data, '$.duration_s') END, 0) / 86400.0 + 2);"
               " END")
    db.execute(f"CREATE TRIGGER events_derive AFTER INSERT ON events WHEN NEW.ms IS NULL BEGIN"
               f" UPDATE events {_SET} WHERE id = NEW.id; END")
    db.execute(f"CREATE TRIGGER events_rederive AFTER UPDATE OF ts, kind, data ON events BEGIN"
               f" UPDATE events {_SET} WHERE id = NEW.id; END")


#: Schema migrations in order; the schema version is ``len(MIGRATIONS)``.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2, _v3, _v4]


