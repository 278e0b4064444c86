"""Finished days counted by SQLite, for a report or a roll-up over days never counted before.

The rules are ``core.stats.summarize``'s; this counts the same numbers in one SQL statement per
month of days, so a dense history (two million events merged back, or never rolled up) is read
once through the time index and never loaded into Python: memory holds a month of small rows
inside SQLite and a few hundred per-day rows here.

How each rule is counted:

- An event's local day: its instant plus the zone's offset at that instant, in whole days. The
  offsets are found here in Python (``_segments``: each day start, and the exact instant of any
  change between two), so DST changes and odd offsets fall where ``stats.local_day`` puts them.
- What became of a stretch reminder: the next stretch-relevant event (``LEAD`` over them in time
  order, then id): within ``ACT_WINDOW`` a session, natural break or done acts on it, a snooze or
  skip answers it, another stretch reminder ends its chance; nothing within the window is ignored.
  Only finished days are counted here, so nothing is still pending.
- Sitting stretches (natural breaks' ``sat_from`` .. ``ts``; ``sitting`` events' ``ts`` plus
  ``duration_s``) are split at local midnights in whole microseconds, as ``core.stats`` does.

Instants are SQLite's ``julianday`` (milliseconds) for ordering and days, and microseconds parsed
from Python's ISO form for sitting time; timestamps whose offset SQLite cannot read (seconds in
the offset) are left out, as ``History.events`` leaves them out.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone, tzinfo

from necka_tray.core import events as ev
from necka_tray.core import stats
from necka_tray.core.stats import DayStats

#: Days counted per statement: bounds what SQLite holds at once (a month of a dense history).
CHUNK_DAYS = 31
#: A sitting stretch is looked for this long before a day (its event is stamped with its start)
#: and a natural break this long after it (it is stamped with its end): as ``reports.SPAN_LOOKBACK``.
LOOKBACK = timedelta(days=1)

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MS = timedelta(milliseconds=1)
_DAY_MS = 86_400_000
_WINDOW_MS = stats.ACT_WINDOW // _MS


def _us(x: str) -> str:
    """SQL for the microseconds since 1970 of the ISO text ``x`` (Python's isoformat; NULL if naive)."""
    whole = "CAST(round((julianday({}) - 2440587.5) * 86400) AS INTEGER) * 1000000"
    return (f"CASE WHEN substr({x}, 20, 1) = '.' AND length({x}) = 32 AND substr({x}, 27, 1) IN ('+', '-')"
            f" THEN {whole.format(f'substr({x}, 1, 19) || substr({x}, 27)')} + CAST(substr({x}, 21, 6) AS INTEGER)"
            f" WHEN length({x}) = 25 AND substr({x}, 20, 1) IN ('+', '-') THEN {whole.format(x)}"
            f" WHEN {x} GLOB '*[+-][0-9][0-9]:[0-9][0-9]' OR {x} GLOB '*Z'"
            f" THEN CAST(round((julianday({x}) - 2440587.5) * 86400000) AS INTEGER) * 1000 END")


_STRETCH_RELEVANT = (f"WHERE (kind IN ('{ev.REMINDER}', '{ev.DONE}', '{ev.SNOOZE}', '{ev.SKIP}') AND v = 'stretch')"
                     f" OR kind IN ('{ev.SESSION}', '{ev.NATURAL_BREAK}')")
_ACTIVITY = ", ".join(f"'{k}'" for k in sorted(stats.ACTIVITY))

# {day}: the local day number of ``ms`` (filled in per chunk: the zone's offsets over it).
_SQL = f"""
WITH raw AS NOT MATERIALIZED (
  SELECT id, CAST(round((julianday(ts) - 2440587.5) * 86400000) AS INTEGER) AS ms, ts, kind, data
  FROM events WHERE julianday(ts) >= julianday(:lo) AND julianday(ts) < julianday(:hi)
), e AS MATERIALIZED (
  SELECT id, ms, {{day}} AS dn, kind,
    CASE WHEN kind IN ('{ev.REMINDER}', '{ev.DONE}') THEN json_extract(data, '$.reminder')
         WHEN kind IN ('{ev.SNOOZE}', '{ev.SKIP}') THEN
           CASE WHEN json_type(data, '$.reminder') IS NULL THEN 'stretch' ELSE json_extract(data, '$.reminder') END
         WHEN kind = '{ev.SESSION}' THEN json_extract(data, '$.outcome')
         WHEN kind = '{ev.CHECKIN}' THEN
           CASE json_type(data, '$.rating') WHEN 'integer' THEN json_extract(data, '$.rating')
                WHEN 'true' THEN 1 WHEN 'false' THEN 0 END
    END AS v,
    CASE WHEN kind = '{ev.NATURAL_BREAK}' AND json_type(data, '$.sat_from') = 'text'
           THEN {_us("json_extract(data, '$.sat_from')")}
         WHEN kind = '{ev.SITTING}' THEN {_us("ts")} END AS s_us,
    CASE WHEN kind = '{ev.NATURAL_BREAK}' THEN {_us("ts")}
         WHEN kind = '{ev.SITTING}' AND json_type(data, '$.duration_s') IN ('integer', 'real')
              AND json_extract(data, '$.duration_s') > 0
           THEN {_us("ts")} + CAST(round(json_extract(data, '$.duration_s') * 1000000) AS INTEGER) END AS e_us
  FROM raw
), r AS (
  SELECT dn, kind, ms, LEAD(kind) OVER w AS nk, LEAD(ms) OVER w AS nms
  FROM e {_STRETCH_RELEVANT} WINDOW w AS (ORDER BY ms, id)
), o AS (
  SELECT dn, CASE WHEN nms IS NULL OR nms - ms > {_WINDOW_MS} OR nk = '{ev.REMINDER}' THEN 'i'
                  WHEN nk = '{ev.SNOOZE}' THEN 'z' WHEN nk = '{ev.SKIP}' THEN 'k' ELSE 'a' END AS oc
  FROM r WHERE kind = '{ev.REMINDER}' AND dn BETWEEN :first AND :last
), d(dn, lo, hi) AS MATERIALIZED (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
  FROM json_each(:days)
), st AS MATERIALIZED (
  SELECT s_us, e_us FROM e WHERE s_us IS NOT NULL AND e_us > s_us
), s AS (
  SELECT d.dn, MIN(st.e_us, d.hi) - MAX(st.s_us, d.lo) AS piece FROM st JOIN d ON st.s_us < d.hi AND st.e_us > d.lo
)
SELECT 'n', dn, SUM(kind = '{ev.SESSION}' AND v = '{ev.COMPLETED}'), SUM(kind = '{ev.SESSION}'),
       SUM(kind = '{ev.REMINDER}' AND v = 'posture'), SUM(kind = '{ev.REMINDER}' AND v = 'shoulder_rolls'),
       SUM(kind = '{ev.NATURAL_BREAK}'), MAX(kind IN ({_ACTIVITY}))
  FROM e WHERE dn BETWEEN :first AND :last GROUP BY dn
UNION ALL
SELECT 'o', dn, COUNT(*) - SUM(oc = 'z'), SUM(oc = 'a'), SUM(oc = 'z'), SUM(oc = 'k'), SUM(oc = 'i'), NULL
  FROM o GROUP BY dn
UNION ALL
SELECT 's', dn, SUM(piece), MAX(piece), NULL, NULL, NULL, NULL FROM s WHERE piece > 0 GROUP BY dn
UNION ALL
SELECT 'c', dn, ms, id, v, NULL, NULL, NULL FROM e
  WHERE kind = '{ev.CHECKIN}' AND v IS NOT NULL AND dn BETWEEN :first AND :last
"""


def count_days(db: sqlite3.Connection, days: Iterable[date], tz: tzinfo) -> dict[date, DayStats]:
    """``DayStats`` of each of ``days`` (finished days: nothing in them is pending any more)."""
    wanted = sorted(set(days))
    out: dict[date, DayStats] = {}
    run: list[date] = []
    for day in wanted:
        if run and (day - run[-1] != timedelta(days=1) or len(run) == CHUNK_DAYS):
            out.update(_count_run(db, run[0], run[-1], tz))
            run = []
        run.append(day)
    if run:
        out.update(_count_run(db, run[0], run[-1], tz))
    return out


def _count_run(db: sqlite3.Connection, first: date, last: date, tz: tzinfo) -> dict[date, DayStats]:
    """Days ``first``..``last`` (consecutive) in one statement."""
    starts = [_ms(stats.day_start(first + timedelta(days=i), tz)) for i in range(-1, (last - first).days + 3)]
    lookback = LOOKBACK // _MS
    lo, hi = starts[1] - lookback, starts[-2] + lookback
    segments = _segments(tz, [lo, *starts[1:-1], hi])
    day_sql = _day_sql(segments)
    base = _day_number(first)
    spans = [[base + i, starts[i + 1] * 1000, starts[i + 2] * 1000] for i in range((last - first).days + 1)]
    rows = db.execute(_SQL.format(day=day_sql), {
        "lo": _iso(lo), "hi": _iso(hi), "first": base, "last": _day_number(last), "days": json.dumps(spans),
    }).fetchall()
    n: dict[int, tuple] = {}
    o: dict[int, tuple] = {}
    s: dict[int, tuple] = {}
    c: dict[int, list[tuple[int, int, int]]] = {}
    for tag, dn, a, b, x, y, z, w in rows:
        if tag == "n":
            n[dn] = (a, b, x, y, z, w)
        elif tag == "o":
            o[dn] = (a, b, x, y, z)
        elif tag == "s":
            s[dn] = (a, b)
        else:
            c.setdefault(dn, []).append((a, b, int(x)))
    out = {}
    for dn, _lo, _hi in spans:
        day = date(1970, 1, 1) + timedelta(days=dn)
        done, sessions, posture, rolls, breaks, active = n.get(dn, (0, 0, 0, 0, 0, 0))
        due, acted, snoozed, skipped, ignored = o.get(dn, (0, 0, 0, 0, 0))
        sat, longest = s.get(dn, (None, None))
        out[day] = DayStats(
            day=day, stretch_done=done, stretch_stopped=sessions - done, stretch_due=due,
            stretch_acted_on=acted, stretch_snoozed=snoozed, stretch_skipped=skipped, stretch_ignored=ignored,
            posture_checks=posture, shoulder_rolls=rolls, natural_breaks=breaks,
            sitting_s=None if sat is None else stats.seconds(sat),
            longest_sitting_s=None if longest is None else stats.seconds(longest),
            checkins=tuple(r for _ms_, _id, r in sorted(c.get(dn, ()))),
            active=bool(active) or sat is not None,
        )
    return out


def _segments(tz: tzinfo, marks: list[int]) -> list[tuple[int, int]]:
    """``(from_ms, offset_ms)`` over ``marks[0]``..``marks[-1]``: where the zone's offset changes."""
    out = [(marks[0], _offset(tz, marks[0]))]
    for a, b in zip(marks, marks[1:]):
        after = _offset(tz, b)
        if after == out[-1][1]:
            continue
        lo, hi = a, b  # the offset at lo is the old one, at hi the new: find the first ms of the new
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if _offset(tz, mid) == after:
                hi = mid
            else:
                lo = mid
        out.append((hi, after))
    return out


def _day_sql(segments: list[tuple[int, int]]) -> str:
    """SQL for the local day number of ``ms`` (whole numbers, so written into the text)."""
    if len(segments) == 1:
        return f"(ms + {segments[0][1]}) / {_DAY_MS}"
    cases = " ".join(f"WHEN ms < {start} THEN {offset}" for (_s, offset), (start, _o) in zip(segments, segments[1:]))
    return f"(ms + CASE {cases} ELSE {segments[-1][1]} END) / {_DAY_MS}"


def _offset(tz: tzinfo, ms: int) -> int:
    """The zone's offset at this instant, as ``stats.local_day`` applies it (``astimezone``)."""
    u = _EPOCH + timedelta(milliseconds=ms)
    return (u.astimezone(tz).replace(tzinfo=None) - u.replace(tzinfo=None)) // _MS


def _ms(ts: datetime) -> int:
    return (ts - _EPOCH) // _MS


def _iso(ms: int) -> str:
    return (_EPOCH + timedelta(milliseconds=ms)).isoformat()


def _day_number(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def streak_counts(db: sqlite3.Connection, days: list[date], tz: tzinfo) -> dict[date, tuple[bool, int]]:
    """Just what a streak needs of ``days``: (any activity, completed sessions) per active day.

    A day without a completed session is looked at only to see whether it had any activity (one
    probe of the time index)."""
    if not days:
        return {}
    first, last = min(days), max(days)
    lo, hi = _ms(stats.day_start(first, tz)), _ms(stats.day_start(last + timedelta(days=1), tz))
    marks = [lo, *(_ms(stats.day_start(d, tz)) for d in stats.day_range(first, last)[1:]), hi]
    rows = db.execute(
        f"SELECT {_day_sql(_segments(tz, marks))} AS dn, COUNT(*) FROM ("
        " SELECT CAST(round((julianday(ts) - 2440587.5) * 86400000) AS INTEGER) AS ms FROM events"
        f" WHERE kind = '{ev.SESSION}' AND julianday(ts) >= julianday(:lo) AND julianday(ts) < julianday(:hi)"
        f" AND json_extract(data, '$.outcome') = '{ev.COMPLETED}') GROUP BY dn",
        {"lo": _iso(lo), "hi": _iso(hi)}).fetchall()
    done = {date(1970, 1, 1) + timedelta(days=dn): n for dn, n in rows}
    probe = (f"SELECT EXISTS (SELECT 1 FROM events INDEXED BY events_time WHERE julianday(ts) >= julianday(?) AND julianday(ts) < julianday(?)"
             f" AND kind IN ({_ACTIVITY}))")
    out = {}
    for day in sorted(set(days)):
        if day in done:
            out[day] = (True, done[day])
            continue
        span = (stats.day_start(day, tz).isoformat(), stats.day_start(day + timedelta(days=1), tz).isoformat())
        if db.execute(probe, span).fetchone()[0]:
            out[day] = (True, 0)
    return out
