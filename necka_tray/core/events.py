"""The history's vocabulary: one ``Event`` type and the names of its kinds.

It lives in the core so the pure statistics can read events without the
database; ``history.py`` stores them and documents each kind's data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

REMINDER = "reminder"  # a reminder fired (the tray)
SNOOZE = "snooze"  # the user snoozed a due reminder
SKIP = "skip"  # the user skipped a due reminder
DONE = "done"  # the user pressed "Done" on a posture or shoulder-rolls bubble
SESSION = "session"  # a stretch session ended; stamped with its start
CHECKIN = "checkin"  # "How does your neck feel?" answered
NATURAL_BREAK = "natural_break"  # the user was away long enough to count as a break
SITTING = "sitting"  # one unbroken stretch of sitting at the computer ended
PAUSE = "pause"
NOTICE = "notice"  # a care bubble was shown (``notice``: care | weekly), so a restart does not repeat it
RESUME = "resume"

#: Session outcomes.
COMPLETED, STOPPED = "completed", "stopped"
#: Check-in ratings: 0 (no pain) to 10 (worst pain), a standard numeric rating scale.
RATING_MIN, RATING_MAX = 0, 10


@dataclass(frozen=True)
class Event:
    id: int
    ts: datetime  # timezone-aware
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


# -- the events, built one way for every writer (the tray's HistoryWriter; a window without a tray) --

Row = tuple[str, datetime, dict[str, Any]]


def _iso(ts: datetime) -> str:
    if ts.tzinfo is None or ts.utcoffset() is None:
        raise ValueError("history timestamps must be timezone-aware")
    return ts.isoformat()


def _seconds(started: datetime, ended: datetime) -> float:
    from necka_tray.core.clock import between  # real time, across a DST change

    return round(between(started, ended).total_seconds(), 3)


def session_event(started: datetime, ended: datetime, outcome: str, steps_done: int, steps_total: int,
                  routine: str, **extra: Any) -> Row:
    """A finished stretch session, stamped with its start time."""
    return SESSION, started, dict(ended=_iso(ended), duration_s=_seconds(started, ended), outcome=outcome,
                                  steps_done=steps_done, steps_total=steps_total, routine=routine, **extra)


def checkin_event(ts: datetime, rating: int, source: str) -> Row:
    """An answer to "How does your neck feel?" (0 no pain .. 10 worst pain); ``source``: session, daily, cli."""
    return CHECKIN, ts, {"rating": rating, "source": source}


def sitting_event(started: datetime, ended: datetime, until: str) -> Row:
    """A sitting stretch that ended other than by a natural break (``until``: quit, ...)."""
    return SITTING, started, {"duration_s": _seconds(started, ended), "ended": _iso(ended), "until": until}


def reminder_event(kind: Any, ts: datetime, notified: bool, **extra: Any) -> Row:
    """A reminder that fired (``kind``: a ``Kind`` or its value); ``notified``: its bubble reached the service."""
    return REMINDER, ts, {"reminder": getattr(kind, "value", kind), "notified": bool(notified), **extra}


def notice_event(ts: datetime, notice: str, **extra: Any) -> Row:
    """A care bubble shown (``notice``: "care", the suggestion to see a professional; "weekly", the look back)."""
    return NOTICE, ts, {"notice": notice, **extra}
