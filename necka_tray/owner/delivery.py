"""The last step before a bubble: not in the middle of a sentence, and worded for after a call.

A reminder the planner lets through is ``offer``-ed here. If the user is typing
(input less than ``hold.LULL`` ago), it waits: a one-shot scheduler event comes
back at the earliest moment a lull can have begun, and the minute tick checks
too; after ``hold.longest_lull_wait`` it is shown anyway. One idle query per check,
never a loop. Runs on the app's dispatcher thread, like the app.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from necka_tray.core.clock import TimeScale
from necka_tray.core.hold import catch_up_text, longest_lull_wait, lull_wait
from necka_tray.core.reminders import Kind
from necka_tray.texts.i18n import _

logger = logging.getLogger(__name__)


@dataclass
class Waiting:
    kind: Kind
    since: datetime
    held: bool
    body: str | None  # the catch-up text after a call; None: the kind's own message


class Delivery:
    def __init__(self, now: Callable[[], datetime], idle_seconds: Callable[[], float | None],
                 wake_at: Callable[[datetime], None], may_remind: Callable[[datetime], bool],
                 fire: Callable[[Kind, datetime, bool, str | None], None], scale: TimeScale = TimeScale()) -> None:
        self._now = now
        self._idle = idle_seconds
        self._wake_at = wake_at
        self._may_remind = may_remind
        self._fire = fire
        self._longest = longest_lull_wait(scale)
        self.waiting: Waiting | None = None

    def offer(self, kind: Kind, now: datetime, held: bool = False, body: str | None = None) -> None:
        """Show ``kind`` now, or as soon as the user pauses typing (the larger kind wins)."""
        w = self.waiting
        if w is None:
            self.waiting = Waiting(kind, now, held, body)
        elif kind.rank >= w.kind.rank:
            self.waiting = Waiting(kind, w.since, held or w.held, body or w.body)
        self.check()

    def check(self) -> None:
        """Show the waiting bubble if the user paused typing (or waited long enough), else wake later."""
        w = self.waiting
        if w is None:
            return
        now = self._now()
        if not self._may_remind(now):  # a session, a pause or a break came first
            logger.info("action=drop-waiting kind=%s", w.kind.value)
            self.waiting = None
            return
        wait = lull_wait(self._idle(), w.since, now, self._longest)
        if wait is not None:
            logger.info("action=hold kind=%s reason=typing again_in=%.1fs", w.kind.value, wait.total_seconds())
            self._wake_at(now + wait)
            return
        self.waiting = None
        self._fire(w.kind, now, w.held, w.body)


def catch_up(presence, scale: TimeScale, kind: Kind) -> str | None:
    """The bubble's text when a call just ended ("You were in a call for 52 min. ..."), else None."""
    length = presence.call_watch.take_ended()
    if length is None:
        return None
    logger.info("action=call-ended minutes=%.1f", length.total_seconds() / 60)
    return catch_up_text(kind, scale.configured(length).total_seconds() / 60)


def call_status(presence) -> dict:
    """For ``necka-tray status``: which call signals are read, and why Necka is quiet now."""
    call = presence.call_watch.reason
    reason = None
    if call:
        reason = _("in a call: {reason}").format(reason=_(call))
    elif presence.presence().quiet:
        reason = _("a full-screen window or do-not-disturb")
    quiet_by = getattr(presence.quiet_source, "answered", None) if presence.presence().quiet else None
    return {"call_detection": presence.call_source.name if presence.calls_enabled else "off",
            "in_call": call is not None, "quiet_reason": reason, "quiet_by": quiet_by}
