"""Statistics read from the history file: what ``necka-tray stats``, the statistics
window and the tray's today line show.

The counting rules are the pure ``core.stats``; this module only decides what
to read: the rolled-up rows and the raw events of the days asked for, and,
for a streak, older days in growing chunks until the streak breaks. The
tray's ``TrayStats`` reads past days once a day and only today's events
after that, so refreshing the menu line after each recorded event is cheap.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any

from necka_tray.core import stats
from necka_tray.core.clock import usable_offset
from necka_tray.core.stats import DayStats, Streak
from necka_tray.store.history import History

#: A sitting stretch that began this long before a day may still reach into it.
SPAN_LOOKBACK = timedelta(days=1)
#: Older days read per step while a streak has not broken yet (doubling each step).
STREAK_CHUNK_DAYS = 64
#: Days of events read and counted at a time (bounds the memory of a long report).
READ_CHUNK_DAYS = 31


class SystemLocalTime(tzinfo):
    """The OS's local time, DST rules included, as ``time.localtime`` knows it.

    Days are local days; a fixed offset (``datetime.now().astimezone()``)
    would put every event on the far side of a DST change an hour off. This
    asks the C library instead of naming the zone, so it needs no tz
    database and costs no import (the command line starts faster).
    """

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return usable_offset(timedelta(seconds=self._local(dt).tm_gmtoff))

    def dst(self, dt: datetime | None) -> timedelta:
        local = self._local(dt)
        if timedelta(seconds=local.tm_gmtoff) != usable_offset(timedelta(seconds=local.tm_gmtoff)):
            return timedelta(0)  # counted in UTC: no DST either
        return timedelta(hours=1) if local.tm_isdst > 0 else timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return self._local(dt).tm_zone

    def fromutc(self, dt: datetime) -> datetime:
        return dt + usable_offset(_offset_at(dt.year, dt.month, dt.day, dt.hour, dt.minute // 15, time.tzname))

    def __repr__(self) -> str:
        return "SystemLocalTime()"

    @staticmethod
    def _local(dt: datetime | None) -> time.struct_time:
        if dt is None:
            return time.localtime()
        return _wall(dt.year, dt.month, dt.day, dt.hour, dt.minute // 15, time.tzname)


# Offsets change on the quarter hour at most: the C library's answers are cached per quarter
# hour (and per zone: ``time.tzname`` changes with ``time.tzset()``).
@lru_cache(maxsize=4096)
def _offset_at(year: int, month: int, day: int, hour: int, quarter: int, zone: tuple[str, str]) -> timedelta:
    """The offset in force at this UTC quarter hour."""
    stamp = (datetime(year, month, day, hour, quarter * 15) - _EPOCH).total_seconds()
    return timedelta(seconds=time.localtime(stamp).tm_gmtoff)


@lru_cache(maxsize=4096)
def _wall(year: int, month: int, day: int, hour: int, quarter: int, zone: tuple[str, str]) -> time.struct_time:
    # isdst=-1: let the C library decide whether DST is in force at this wall time.
    return time.localtime(time.mktime((year, month, day, hour, quarter * 15, 0, 0, 0, -1)))


_EPOCH = datetime(1970, 1, 1)


def local_zone() -> tzinfo:
    """The time zone the statistics count days in: the system's."""
    return SystemLocalTime()


@dataclass(frozen=True)
class Report:
    """The statistics of the last ``len(days)`` days, today last."""

    today: date
    days: tuple[DayStats, ...]
    streak: Streak
    min_sessions: int
    generated: datetime

    @property
    def today_stats(self) -> DayStats:
        return self.days[-1]

    @property
    def today_line(self) -> str:
        return stats.today_line(self.today_stats)

    @property
    def streak_line(self) -> str:
        return stats.streak_line(self.streak, self.min_sessions)

    def to_json(self) -> dict[str, Any]:
        return {
            "generated": self.generated.isoformat(timespec="seconds"),
            "today": self.today.isoformat(),
            "today_line": self.today_line,
            "streak": {"days": self.streak.days, "today_met": self.streak.today_met,
                       "min_sessions": self.min_sessions},
            "totals": stats.totals(self.days),
            "days": [dict(d.to_dict(), checkin_mean=_round(d.checkin_mean)) for d in self.days],
        }


def load(path: Path, days: int, now: datetime, tz: tzinfo, min_sessions: int) -> Report:
    """The report for the ``days`` days ending today; an absent file is an empty history (not created)."""
    today = stats.local_day(now, tz)
    first = today - timedelta(days=days - 1)
    if not Path(path).exists():
        empty = tuple(DayStats(d) for d in stats.day_range(first, today))
        return Report(today, empty, Streak(0, False, True), min_sessions, now)
    with History(path) as h:
        found = read_days(h, first, today, tz, now)
        streak = walk_streak(h, found, first, today, tz, now, min_sessions)
    return Report(today, tuple(found), streak, min_sessions, now)


def read_days(h: History, first: date, last: date, tz: tzinfo, now: datetime,
              sitting_since: datetime | None = None) -> list[DayStats]:
    """``DayStats`` for ``first``..``last``: rolled-up rows where there are some, events for the rest.

    The events are read ``READ_CHUNK_DAYS`` at a time (through the time index), so memory stays
    bounded by a month of events however many days are shown or how dense the history is."""
    zone = _zone_key(first, last, tz)
    known = {**h.cached_days(first, last, zone), **h.day_rows(first, last)}
    # Finished days never counted before are counted by SQLite (store/day_counts.py): a dense
    # history is not loaded into Python. Only the last day or two are counted from their events.
    begun = max(first, h.earliest_day(tz) or last)  # the first day shown that the history reaches
    uncounted = [d for d in stats.day_range(begun, last) if d not in known and _finished(d, tz, now)]
    counted = h.count_days(uncounted, tz)
    known_before = known
    known = {**known, **counted}
    out: list[DayStats] = []
    start = first
    while start <= last:
        end = min(last, start + timedelta(days=READ_CHUNK_DAYS - 1))
        open_days = [d for d in stats.day_range(start, end) if d not in known]
        events = []
        if open_days:
            events = h.events(since=stats.day_start(open_days[0], tz) - SPAN_LOOKBACK,
                              until=stats.day_start(open_days[-1] + timedelta(days=1), tz) + stats.ACT_WINDOW)
        out += stats.summarize(events, start, end, tz, now, known,
                               sitting_since=sitting_since if end == last else None)
        start = end + timedelta(days=1)
    # Days before the history began are empty without reading anything: not worth a row each.
    h.cache_days(zone, [d for d in out if d.day >= begun and d.day not in known_before
                        and _finished(d.day, tz, now)])
    return out


#: Part of each cached day's key: a change in how days are counted leaves old rows unused.
COUNTING_VERSION = 1


def _zone_key(first: date, last: date, tz: tzinfo) -> str:
    """The zone days are counted in, as the cache's key (its offsets over the period, and its name)."""
    ends = (stats.day_start(first, tz), stats.day_start(last, tz) + timedelta(hours=12))
    return f"{COUNTING_VERSION}:{tz.tzname(ends[0])}:{ends[0].utcoffset()}:{ends[1].utcoffset()}"


def _finished(day: date, tz: tzinfo, now: datetime) -> bool:
    """Nothing can change ``day``'s numbers any more (a reminder late in it is answered by now)."""
    return stats.day_start(day + timedelta(days=1), tz) + stats.ACT_WINDOW * 2 <= now


def streak_days(h: History, first: date, last: date, tz: tzinfo, now: datetime) -> list[DayStats]:
    """Just what a streak needs of ``first``..``last`` (active, sessions done), counted by SQLite.

    A finished day counted only for a streak is kept in ``day_cache`` under its own key (``s`` and
    the zone's), so the next report reads it back instead of counting it again."""
    zone = _zone_key(first, last, tz)
    known = {**h.cached_days(first, last, STREAK_KEY + zone), **h.cached_days(first, last, zone),
             **h.day_rows(first, last)}
    unknown = [d for d in stats.day_range(first, last) if d not in known]
    activity = h.day_activity(unknown, tz)
    counted = {}
    for d in unknown:
        active, done = activity.get(d, (False, 0))
        counted[d] = DayStats(d, stretch_done=done, active=active)
    h.cache_days(STREAK_KEY + zone, [d for d in counted.values() if _finished(d.day, tz, now)])
    known.update(counted)
    return [known[d] for d in stats.day_range(first, last)]


#: The ``day_cache`` key of days counted only for a streak (sessions done and activity).
STREAK_KEY = "s"


def walk_streak(h: History, known: list[DayStats], first: date, today: date, tz: tzinfo, now: datetime,
                min_sessions: int) -> Streak:
    """The streak over ``known`` (the days from ``first``), reading older days only while it holds."""
    s = stats.streak(known, today, min_sessions)
    earliest = h.earliest_day(tz) if not s.complete else None
    chunk = STREAK_CHUNK_DAYS
    while not s.complete and earliest is not None and first > earliest:
        older_first = max(earliest, first - timedelta(days=chunk))
        known = streak_days(h, older_first, first - timedelta(days=1), tz, now) + known
        first, chunk = older_first, chunk * 2
        s = stats.streak(known, today, min_sessions)
    return Streak(s.days, s.today_met, complete=True)


class TrayStats:
    """The tray's port to the statistics: the today and streak lines, and the daily roll-up.

    The streak of the days before today is read once per day (and per goal);
    after that a refresh reads only today's events.
    """

    def __init__(self, path: Path, tz: tzinfo | None = None) -> None:
        self.path = Path(path)
        self._tz = tz
        self._past: tuple[tuple[date, int], int] | None = None  # ((day, goal), streak before that day)

    @property
    def tz(self) -> tzinfo:
        if self._tz is None:
            self._tz = local_zone()
        return self._tz

    def today_lines(self, now: datetime, min_sessions: int,
                    sitting_since: datetime | None = None) -> tuple[str, str]:
        """The menu's "Today: ..." and streak lines; ``sitting_since``: the stretch going on now."""
        tz = self.tz
        today = stats.local_day(now, tz)
        with History(self.path) as h:
            day = read_days(h, today, today, tz, now, sitting_since)[0]
            if self._past is None or self._past[0] != (today, min_sessions):
                before = walk_streak(h, [DayStats(today)], today, today, tz, now, min_sessions)
                self._past = ((today, min_sessions), before.days)
        met = day.stretch_done >= min_sessions
        streak = Streak(self._past[1] + met, met, complete=True)
        return stats.today_line(day), stats.streak_line(streak, min_sessions)

    def roll_up(self, now: datetime, keep_days: int) -> int:
        with History(self.path) as h:
            rolled = h.roll_up(now, self.tz, keep_days)
        if rolled:
            import logging  # here: the command line never needs it

            logging.getLogger(__name__).info("action=history-roll-up days=%s keep_days=%s", rolled, keep_days)
        return rolled


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
