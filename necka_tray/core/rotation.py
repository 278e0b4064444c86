"""Which routine a session runs: the one of the reminder that is due, rotated or the default.

A posture check asks for the posture routine and a shoulder-roll reminder for
the shoulder routine; a stretch break runs the user's default routine, or,
with ``session.rotate``, the routine used least recently today, so a day of
breaks is not the same two minutes over and over. Deterministic (pool order
breaks ties), so tests and users can predict it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from necka_tray.core.clock import between
from necka_tray.core.reminders import Kind

#: The routine a reminder kind asks for (when it exists); a stretch break has none of its own.
REMINDER_ROUTINES = {Kind.POSTURE: "posture_reset", Kind.SHOULDER_ROLLS: "shoulders"}
#: A posture or shoulder reminder's routine stays the one to start for this long (configured time).
DUE_WINDOW = timedelta(minutes=15)


def next_routine(pool: Sequence[str], recent: Sequence[str]) -> str:
    """The pool's routine used least recently: first one not in ``recent`` (oldest first), in pool order."""
    if not pool:
        raise ValueError("no routines to choose from")
    last_use = {r: i for i, r in enumerate(recent)}
    return min(pool, key=lambda r: (last_use.get(r, -1), pool.index(r)))


@dataclass
class Due:
    kind: Kind
    routine: str
    at: datetime


@dataclass
class Chooser:
    """Remembers the routine of the last reminder and the routines used today."""

    due: Due | None = None
    recent: list[str] = field(default_factory=list)

    def on_reminder(self, kind: Kind, now: datetime, pool: Sequence[str], default: str, rotate: bool) -> str:
        """A reminder fired: which routine a session started for it runs."""
        routine = REMINDER_ROUTINES.get(kind)
        if routine not in pool:
            routine = next_routine(pool, self.recent) if rotate and kind is Kind.STRETCH else default
            if rotate and kind is Kind.STRETCH:
                self.recent.append(routine)  # chosen, even if the break is ignored: the next one differs
        self.due = Due(kind, routine, now)
        return routine

    def for_start(self, now: datetime, default: str, stretch_due: bool, window: timedelta = DUE_WINDOW) -> str:
        """The routine "Start stretch session" runs now: the due reminder's, else ``default``.

        ``window`` is real time (the app scales ``DUE_WINDOW``); a stretch break stays due
        until it is handled, however long that takes.
        """
        due = self.due
        if due is not None and ((due.kind is Kind.STRETCH and stretch_due) or between(due.at, now) <= window):
            return due.routine
        return default

    def on_session(self, routine: str) -> None:
        """A session ran: the due routine is done, and it counts as used today."""
        self.due = None
        if not self.recent or self.recent[-1] != routine:
            self.recent.append(routine)

    def new_day(self, used_today: Sequence[str] = ()) -> None:
        self.recent = list(used_today)
