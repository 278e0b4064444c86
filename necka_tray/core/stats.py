"""Statistics over history events: is the habit working?

Pure functions of a list of events, a time zone and ``now`` (never the real
clock), so the tray's today line, ``necka-tray stats``, the chart and the
per-day roll-ups all count the same way, and tests pin every rule down.

The rules, in one place:

- A day is a calendar day in the given time zone; an event belongs to the day
  of its timestamp (a session to the day it started). A sitting stretch that
  crosses midnight is split between the two days.
- Sitting stretches come from natural breaks (each ends the stretch that
  began at its ``sat_from``), from ``sitting`` events (stretches that ended
  some other way, such as quitting) and, for today, from the stretch still
  going on (``sitting_since``).
- What became of a reminder is derived, not stored: a stretch reminder is
  *acted on* when a stretch session or a natural break starts within
  ``ACT_WINDOW`` after it; *snoozed* or *skipped* when the user said so
  first; *ignored* when its window passed with none of these (*pending*
  while the window is still open). Posture checks and shoulder rolls ask for
  nothing Necka can see, so unless snoozed or skipped they count as *shown*.
- Stretch breaks *due* are the stretch reminders that fired, less the snoozed
  ones (a snooze fires the reminder again later; one break is still one due).
- A streak counts days in a row with at least ``min_sessions`` completed
  stretch sessions. Days on which Necka recorded no activity (a weekend, a
  holiday) neither break nor extend it, and today counts once it is reached:
  until then yesterday's streak still stands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

from necka_tray.core import events as ev
from necka_tray.core.events import Event
from necka_tray.texts.i18n import _, ngettext

#: How long after a reminder a session or natural break still counts as acting on it.
ACT_WINDOW = timedelta(minutes=15)

ACTED_ON, SNOOZED, SKIPPED, IGNORED, PENDING, SHOWN = "acted_on", "snoozed", "skipped", "ignored", "pending", "shown"
STRETCH, POSTURE, SHOULDER_ROLLS = "stretch", "posture", "shoulder_rolls"
#: Kinds that show the user was at the computer that day (a check-in or a pause alone does not).
ACTIVITY = frozenset({ev.REMINDER, ev.SESSION, ev.SITTING, ev.NATURAL_BREAK, ev.SNOOZE, ev.SKIP, ev.DONE})
_ACTIVITY = ACTIVITY  # what makes a day active (the history's day_activity counts the same)


@dataclass(frozen=True)
class DayStats:
    """One day's numbers; also the shape of a per-day roll-up row."""

    day: date
    stretch_done: int = 0  # completed sessions
    stretch_stopped: int = 0  # sessions stopped early
    stretch_due: int = 0
    stretch_acted_on: int = 0
    stretch_snoozed: int = 0
    stretch_skipped: int = 0
    stretch_ignored: int = 0
    posture_checks: int = 0
    shoulder_rolls: int = 0
    natural_breaks: int = 0
    sitting_s: float | None = None  # None: nothing measured sitting time that day
    longest_sitting_s: float | None = None
    checkins: tuple[int, ...] = ()  # ratings in time order
    active: bool = False  # Necka saw the user at the computer (reminders, sessions, sitting)

    @property
    def checkin_mean(self) -> float | None:
        return sum(self.checkins) / len(self.checkins) if self.checkins else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (the roll-up row and ``stats --json``)."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}  # flat: asdict's deep copies cost 0.15 ms a day
        d["day"] = self.day.isoformat()
        d["checkins"] = list(self.checkins)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> DayStats:
        """The inverse of ``to_dict``; unknown keys (from a later Necka) are ignored, missing ones default."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in d.items() if k in known}
        values["day"] = date.fromisoformat(d["day"])
        values["checkins"] = tuple(int(r) for r in d.get("checkins", ()))
        return cls(**values)


@dataclass(frozen=True)
class Streak:
    days: int  # days in a row reaching the goal (today included once reached)
    today_met: bool
    complete: bool  # False: the days given ran out before the streak broke; older days may extend it


# -- days ------------------------------------------------------------------------------------------


def local_day(ts: datetime, tz: tzinfo) -> date:
    return ts.astimezone(tz).date()


def day_start(day: date, tz: tzinfo) -> datetime:
    """Local midnight starting ``day`` (a zone with DST rules gets each day's own offset)."""
    return datetime.combine(day, time(), tzinfo=tz)


def day_range(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# -- reminders ------------------------------------------------------------------------------------


def reminder_outcomes(events: Sequence[Event], now: datetime, window: timedelta = ACT_WINDOW) -> list[tuple[Event, str]]:
    """Each reminder event in ``events`` (sorted by time) with what became of it."""
    pending: dict[str, tuple[Event, float]] = {}  # reminder name -> the one waiting, when its window closes
    result: dict[int, str] = {}
    limit = window.total_seconds()

    def settle(name: str, outcome: str | None = None) -> None:
        waiting = pending.pop(name, None)
        if waiting is not None:
            result[id(waiting[0])] = outcome or (IGNORED if name == STRETCH else SHOWN)

    for e in events:
        t = e.ts.timestamp()  # UTC seconds: no wall-clock arithmetic across DST
        for name in [n for n, (_, closes) in pending.items() if t > closes]:
            settle(name)
        if e.kind == ev.REMINDER:
            name = str(e.data.get("reminder", ""))
            settle(name)  # a new one ends the previous one's chance
            pending[name] = (e, t + limit)
        elif e.kind == ev.DONE:
            settle(str(e.data.get("reminder", "")), ACTED_ON)
        elif e.kind in (ev.SNOOZE, ev.SKIP):
            settle(str(e.data.get("reminder", STRETCH)), SNOOZED if e.kind == ev.SNOOZE else SKIPPED)
        elif e.kind in (ev.SESSION, ev.NATURAL_BREAK):
            settle(STRETCH, ACTED_ON)
    end = now.timestamp()
    for name, (_, closes) in list(pending.items()):
        settle(name, None if end > closes else PENDING)
    return [(e, result[id(e)]) for e in events if e.kind == ev.REMINDER]


# -- per day ---------------------------------------------------------------------------------------


class _Day:
    """A mutable accumulator for one day."""

    def __init__(self, day: date) -> None:
        self.day = day
        self.n = dict.fromkeys(_COUNTS, 0)
        self.sitting: list[int] = []  # microseconds: summed exactly, as SQLite sums them (store/day_counts.py)
        self.checkins: list[int] = []
        self.active = False

    def freeze(self) -> DayStats:
        return DayStats(
            day=self.day,
            **self.n,
            sitting_s=seconds(sum(self.sitting)) if self.sitting else None,
            longest_sitting_s=seconds(max(self.sitting)) if self.sitting else None,
            checkins=tuple(self.checkins),
            active=self.active,
        )


#: The whole-number fields of ``DayStats`` (the counters).
_COUNTS = tuple(f.name for f in fields(DayStats) if f.type in ("int", int))
_OUTCOME_FIELD = {ACTED_ON: "stretch_acted_on", SNOOZED: "stretch_snoozed", SKIPPED: "stretch_skipped",
                  IGNORED: "stretch_ignored"}
_COUNT_FIELD = {POSTURE: "posture_checks", SHOULDER_ROLLS: "shoulder_rolls"}


def summarize(
    events: Iterable[Event],
    first: date,
    last: date,
    tz: tzinfo,
    now: datetime,
    rollups: Mapping[date, DayStats] | None = None,
    window: timedelta = ACT_WINDOW,
    sitting_since: datetime | None = None,
) -> list[DayStats]:
    """One ``DayStats`` per day from ``first`` to ``last``, oldest first.

    A day found in ``rollups`` is taken from there as it is (its raw events
    are gone or ignored); every other day is counted from ``events``, which
    may hold events outside the range (they are only read for context).
    ``sitting_since``: the start of a sitting stretch still going on at ``now``.
    """
    rollups = rollups or {}
    ordered = sorted(events, key=lambda e: (e.ts, e.id))
    days = {d: _Day(d) for d in day_range(first, last) if d not in rollups}
    outcomes = {id(e): outcome for e, outcome in reminder_outcomes(ordered, now, window)}

    if sitting_since is not None:
        _add_sitting(days, sitting_since, now, tz)
    for e in ordered:
        if e.kind == ev.SITTING:
            seconds = _number(e.data.get("duration_s"))
            if seconds:
                _add_sitting(days, e.ts, e.ts + timedelta(seconds=seconds), tz)
            continue
        if e.kind == ev.NATURAL_BREAK and isinstance(e.data.get("sat_from"), str):
            try:
                _add_sitting(days, datetime.fromisoformat(e.data["sat_from"]), e.ts, tz)
            except ValueError:
                pass
        acc = days.get(local_day(e.ts, tz))
        if acc is None:
            continue
        if e.kind in _ACTIVITY:
            acc.active = True
        if e.kind == ev.REMINDER:
            name = e.data.get("reminder")
            if name == STRETCH:
                outcome = outcomes[id(e)]
                if outcome != SNOOZED:
                    acc.n["stretch_due"] += 1
                if outcome in _OUTCOME_FIELD:
                    acc.n[_OUTCOME_FIELD[outcome]] += 1
            elif name in _COUNT_FIELD:
                acc.n[_COUNT_FIELD[name]] += 1
        elif e.kind == ev.SESSION:
            acc.n["stretch_done" if e.data.get("outcome") == ev.COMPLETED else "stretch_stopped"] += 1
        elif e.kind == ev.NATURAL_BREAK:
            acc.n["natural_breaks"] += 1
        elif e.kind == ev.CHECKIN and isinstance(e.data.get("rating"), int):
            acc.checkins.append(e.data["rating"])
    return [rollups[d] if d in rollups else days[d].freeze() for d in day_range(first, last)]


def _add_sitting(days: dict[date, _Day], start: datetime, end: datetime, tz: tzinfo) -> None:
    """Credit each day with its share of one sitting stretch (in UTC: no wall-clock arithmetic)."""
    if start.tzinfo is None or end.tzinfo is None:
        return
    start, end = start.astimezone(timezone.utc), end.astimezone(timezone.utc)
    day = local_day(start, tz)
    while start < end:
        next_day = day + timedelta(days=1)
        lo = max(start, day_start(day, tz).astimezone(timezone.utc))
        hi = min(end, day_start(next_day, tz).astimezone(timezone.utc))
        acc = days.get(day)
        if acc is not None and hi > lo:
            acc.sitting.append((hi - lo) // _US)
            acc.active = True
        if hi >= end:
            return
        day = next_day


_US = timedelta(microseconds=1)


def seconds(microseconds: int) -> float:
    """A day's sitting time as stored: seconds to a tenth."""
    return round(microseconds / 1e6, 1)


def _number(value: Any) -> float:
    """A positive number of seconds from stored data, or 0."""
    return float(value) if type(value) in (int, float) and value > 0 else 0.0


# -- streaks ---------------------------------------------------------------------------------------


def streak(days: Iterable[DayStats], today: date, min_sessions: int) -> Streak:
    """The current streak, walking back from ``today`` over ``days`` (any order; gaps are rest days)."""
    by_day = {d.day: d for d in days}
    t = by_day.get(today)
    today_met = t is not None and t.stretch_done >= min_sessions
    count = int(today_met)
    earliest = min(by_day, default=today)
    d = today - timedelta(days=1)
    while d >= earliest:
        s = by_day.get(d)
        if s is not None and s.active:
            if s.stretch_done < min_sessions:
                return Streak(count, today_met, complete=True)
            count += 1
        d -= timedelta(days=1)
    return Streak(count, today_met, complete=False)


# -- words -----------------------------------------------------------------------------------------


def format_duration(seconds: float | None) -> str:
    """"52 min", "1 h 12 min", "3 h"; "—" when unknown."""
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("{minutes} min").format(minutes=minutes)
    h, m = divmod(minutes, 60)
    return _("{hours} h {minutes} min").format(hours=h, minutes=m) if m else _("{hours} h").format(hours=h)


def today_line(day: DayStats) -> str:
    """The tray's today-at-a-glance line."""
    parts = [ngettext("{count} stretch", "{count} stretches", day.stretch_done).format(count=day.stretch_done),
             ngettext("{count} posture check", "{count} posture checks", day.posture_checks).format(
                 count=day.posture_checks)]
    if day.longest_sitting_s is not None and day.longest_sitting_s >= 30:
        parts.append(_("longest sitting {duration}").format(duration=format_duration(day.longest_sitting_s)))
    return _("Today: {parts}").format(parts=" · ".join(parts))


def streak_line(s: Streak, min_sessions: int) -> str:
    goal = ngettext("{count}+ stretch a day", "{count}+ stretches a day", min_sessions).format(count=min_sessions)
    if s.days == 0:
        return _("No streak yet ({goal})").format(goal=goal)
    days = ngettext("{count} day", "{count} days", s.days).format(count=s.days)
    return _("Streak: {days} ({goal})").format(days=days, goal=goal)


def totals(days: Sequence[DayStats]) -> dict[str, Any]:
    """Sums over a period, for a table's last line and the JSON."""
    ratings = [r for d in days for r in d.checkins]
    sitting = [d.sitting_s for d in days if d.sitting_s is not None]
    longest = [d.longest_sitting_s for d in days if d.longest_sitting_s is not None]
    out: dict[str, Any] = {name: sum(getattr(d, name) for d in days) for name in _COUNTS}
    out["sitting_s"] = round(sum(sitting), 1) if sitting else None
    out["longest_sitting_s"] = max(longest) if longest else None
    out["checkins"] = len(ratings)
    out["checkin_mean"] = round(sum(ratings) / len(ratings), 2) if ratings else None
    out["active_days"] = sum(d.active for d in days)
    return out
