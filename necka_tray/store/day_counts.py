"""Finished days counted by SQLite, for a report or a roll-up over days never counted before.

The rules are ``core.stats.summarize``'s; this counts the same numbers from what schema 4 keeps
beside each event (``history_migrations``: its instant ``ms``, the value ``v`` a rule looks at, a
sitting stretch ``s_us``..``e_us``), through two indexes that hold all of it (``events_count`` by
kind and time, ``events_stretch`` over the events a stretch reminder waits for). Each day is a few
short range walks of those indexes: no event's text or JSON is read, nothing is loaded into
Python, and the work is about one index entry per event (a dense history of two million events
is counted in about a second).

How each rule is counted:

- An event's local day: its instant between the day's local midnight and the next
  (``stats.day_start``), so DST changes and odd offsets fall where ``stats.local_day`` puts them.
- What became of a stretch reminder: the next stretch-relevant event (in time order, then id)
  within ``ACT_WINDOW``: a session, natural break or done acts on it, a snooze or skip answers it,
  another stretch reminder ends its chance; nothing within the window is ignored. Only finished
  days are counted here, so nothing is still pending.
- Sitting stretches (natural breaks' ``sat_from`` .. ``ts``; ``sitting`` events' ``ts`` plus
  ``duration_s``) are split at local midnights in whole microseconds, as ``core.stats`` does.

Timestamps whose offset SQLite cannot read (seconds in the offset) have no ``ms`` and are left
out, as ``History.events`` leaves them out.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date, timedelta

from necka_tray.core import events as ev
from necka_tray.core import stats
from necka_tray.core.stats import DayStats
from necka_tray.store.history_migrations import STRETCH_WHERE
from necka_tray.store.history_rows import epoch_ms

#: A sitting stretch is looked for this long before a day (its event is stamped with its start)
#: and a natural break this long after it (it is stamped with its end): as ``reports.SPAN_LOOKBACK``.
LOOKBACK = timedelta(days=1)

_MS = timedelta(milliseconds=1)
_WINDOW_MS = stats.ACT_WINDOW // _MS
_LOOKBACK_MS = LOOKBACK // _MS
_ACTIVITY = ", ".join(f"'{k}'" for k in sorted(stats.ACTIVITY))

# One day's numbers, each a walk of ``events_count`` over (kind, the day's instants); :lo..:hi in ms.
_SESSIONS = (f"SELECT COUNT(*), TOTAL(v = '{ev.COMPLETED}') FROM events INDEXED BY events_count"
             f" WHERE kind = '{ev.SESSION}' AND ms >= :lo AND ms < :hi")
_REMINDERS = (f"SELECT TOTAL(v = 'posture'), TOTAL(v = 'shoulder_rolls') FROM events INDEXED BY events_count"
              f" WHERE kind = '{ev.REMINDER}' AND ms >= :lo AND ms < :hi")
_BREAKS = (f"SELECT COUNT(*) FROM events INDEXED BY events_count"
           f" WHERE kind = '{ev.NATURAL_BREAK}' AND ms >= :lo AND ms < :hi")
_ACTIVE = (f"SELECT EXISTS (SELECT 1 FROM events INDEXED BY events_count"
           f" WHERE kind IN ({_ACTIVITY}) AND ms >= :lo AND ms < :hi)")
_CHECKINS = (f"SELECT v FROM events INDEXED BY events_count"
             f" WHERE kind = '{ev.CHECKIN}' AND ms >= :lo AND ms < :hi AND v IS NOT NULL ORDER BY ms, id")
# Each stretch reminder of the day and the first stretch-relevant event after it within the window
# (one probe of ``events_stretch``, whose order is ms then id): its kind says what became of it.
_OUTCOMES = f"""
WITH o AS MATERIALIZED (
  SELECT (SELECT CASE kind WHEN '{ev.REMINDER}' THEN 'i' WHEN '{ev.SNOOZE}' THEN 'z' WHEN '{ev.SKIP}' THEN 'k' ELSE 'a' END
          FROM events INDEXED BY events_stretch {STRETCH_WHERE}
          AND ms >= r.ms AND ms <= r.ms + {_WINDOW_MS} AND (ms > r.ms OR id > r.id) ORDER BY ms, id LIMIT 1) AS oc
  FROM events AS r INDEXED BY events_count
  WHERE r.kind = '{ev.REMINDER}' AND r.ms >= :lo AND r.ms < :hi AND r.v = 'stretch'
) SELECT COALESCE(oc, 'i'), COUNT(*) FROM o GROUP BY 1"""
# The day's pieces of the sitting stretches that reach into it (:lo_us..:hi_us, its microseconds):
# a natural break is stamped with the stretch's end, a sitting event with its start.
_SITTING = f"""
SELECT SUM(p), MAX(p) FROM (
  SELECT MIN(e_us, :hi_us) - MAX(s_us, :lo_us) AS p FROM events INDEXED BY events_count
  WHERE kind = '{ev.NATURAL_BREAK}' AND ms >= :lo AND ms < :hi + {_LOOKBACK_MS}
    AND s_us < :hi_us AND e_us > :lo_us AND e_us > s_us
  UNION ALL
  SELECT MIN(e_us, :hi_us) - MAX(s_us, :lo_us) AS p FROM events INDEXED BY events_count
  WHERE kind = '{ev.SITTING}' AND ms >= :lo - {_LOOKBACK_MS} AND ms < :hi
    AND s_us < :hi_us AND e_us > :lo_us AND e_us > s_us
) WHERE p > 0"""


def count_days(db: sqlite3.Connection, days: Iterable[date], tz) -> dict[date, DayStats]:
    """``DayStats`` of each of ``days`` (finished days: nothing in them is pending any more)."""
    return {day: _count_day(db, day, _span(day, tz)) for day in sorted(set(days))}


def _span(day: date, tz) -> dict[str, int]:
    lo, hi = epoch_ms(stats.day_start(day, tz)), epoch_ms(stats.day_start(day + timedelta(days=1), tz))
    return {"lo": lo, "hi": hi}


def _count_day(db: sqlite3.Connection, day: date, span: dict[str, int]) -> DayStats:
    sessions, done = db.execute(_SESSIONS, span).fetchone()
    posture, rolls = db.execute(_REMINDERS, span).fetchone()
    breaks = db.execute(_BREAKS, span).fetchone()[0]
    outcome = dict(db.execute(_OUTCOMES, span).fetchall())
    sat, longest = db.execute(_SITTING, {**span, "lo_us": span["lo"] * 1000, "hi_us": span["hi"] * 1000}).fetchone()
    checkins = tuple(int(r) for (r,) in db.execute(_CHECKINS, span))
    active = bool(sessions or posture or rolls or breaks or outcome or sat is not None) \
        or bool(db.execute(_ACTIVE, span).fetchone()[0])
    due = sum(outcome.values())
    done = int(done)
    return DayStats(
        day=day, stretch_done=done, stretch_stopped=sessions - done, stretch_due=due - outcome.get("z", 0),
        stretch_acted_on=outcome.get("a", 0), stretch_snoozed=outcome.get("z", 0),
        stretch_skipped=outcome.get("k", 0), stretch_ignored=outcome.get("i", 0),
        posture_checks=int(posture), shoulder_rolls=int(rolls), natural_breaks=breaks,
        sitting_s=None if sat is None else stats.seconds(sat),
        longest_sitting_s=None if longest is None else stats.seconds(longest),
        checkins=checkins, active=active,
    )


def streak_counts(db: sqlite3.Connection, days: list[date], tz) -> dict[date, tuple[bool, int]]:
    """Just what a streak needs of ``days``: (any activity, completed sessions) per active day.

    A day without a completed session is looked at only to see whether it had any activity (one
    probe of the index)."""
    out = {}
    for day in sorted(set(days)):
        span = _span(day, tz)
        done = int(db.execute(_SESSIONS, span).fetchone()[1])
        if done or db.execute(_ACTIVE, span).fetchone()[0]:
            out[day] = (True, done)
    return out
