"""Two waits before a bubble: a call to end, and a lull in typing. Pure rules, times passed in.

**Calls.** A reminder that falls due during a call is held (``Planner.decide``)
and, unlike one held for a full-screen window, ``quiet.max_delay_minutes`` does
not force it out: a film can take a bubble in its corner, a person speaking
should not be cut off by one, and a call ends by itself. When the call ends,
one catch-up bubble says how long the call was. Necka looks for calls only
while a reminder is due or waits, so the length counts from the first time it
saw the call (when the reminder fell due), not from the call's real start.

**Typing.** A bubble that would land mid-sentence waits for ``LULL`` without
keys or pointer, at most ``MAX_LULL_WAIT``, as Workrave's prelude does. The
lull is the rhythm of a typing hand, in real seconds: a time scale cannot speed
up the typist. The longest wait is a delay like Necka's others: it scales (two
seconds at ``--time-scale 60``), so a sped-up test of a busy user is not held up.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from necka_tray.core.clock import TimeScale, between
from necka_tray.core.reminders import Kind
from necka_tray.texts.i18n import _

#: No keys or pointer this long: the sentence is finished.
LULL = timedelta(seconds=5)
#: A bubble never waits longer than this for a lull (configured time).
MAX_LULL_WAIT = timedelta(minutes=2)


class CallWatch:
    """Follows the calls seen at each check; says how long a call lasted when it ends."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self.since: datetime | None = None
        self._ended: timedelta | None = None

    def observe(self, now: datetime, reason: str | None, checked: bool = True) -> None:
        """One sample; ``checked=False``: calls were not looked at (nothing waits), so forget."""
        if not checked:
            self.reason = self.since = self._ended = None
            return
        if reason:
            if self.since is None:
                self.since, self._ended = now, None
            self.reason = reason
        elif self.since is not None:
            self._ended = between(self.since, now)
            self.reason = self.since = None

    def take_ended(self) -> timedelta | None:
        """The length of the call that just ended (once), None if none did."""
        ended, self._ended = self._ended, None
        return ended


def longest_lull_wait(scale: TimeScale) -> timedelta:
    """``MAX_LULL_WAIT`` in real time at this time scale."""
    return scale.real(MAX_LULL_WAIT)


def lull_wait(idle_seconds: float | None, waiting_since: datetime, now: datetime,
              longest: timedelta = MAX_LULL_WAIT) -> timedelta | None:
    """None: show the bubble now; else ask again after this long (the earliest a lull can be).

    ``longest``: the real time after which the bubble no longer waits (``longest_lull_wait``)."""
    if idle_seconds is None:  # no idle detection: nothing to wait for
        return None
    lull = LULL.total_seconds()
    left = longest - between(waiting_since, now)
    if idle_seconds >= lull or left <= timedelta(0):
        return None
    return min(timedelta(seconds=lull - idle_seconds), left)


_QUESTION = {Kind.STRETCH: _("Stretch now?"), Kind.SHOULDER_ROLLS: _("Roll your shoulders now?"),
             Kind.POSTURE: _("Check your posture now?")}


def catch_up_text(kind: Kind, call_minutes: float) -> str:
    """The bubble after a call: "You were in a call for 52 min. Stretch now?" (configured minutes)."""
    minutes = max(1, math.ceil(call_minutes - 1e-9))
    return _("You were in a call for {minutes} min. {question}").format(minutes=minutes, question=_QUESTION[kind])
