"""The tray's two care bubbles: the suggestion to see a professional, and the weekly look back.

The rules are ``core.care``; this decides when to ask them. Each is read at
most once a day (the suggestion also after a check-in the tray recorded), and
only when a reminder's bubble could come too (the user is there, not paused,
not in a call or a full-screen window). What was
shown is a ``notice`` event in the history, so a restart does not repeat it:
the suggestion comes once, then at most once every 7 days while it holds; the
look back once a week, on the first day the user is there. Runs on the
dispatcher thread, like everything in ``App``; its reads run on the history
thread and answer back here.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from necka_tray.core import care, events, stats
from necka_tray.texts.i18n import _
from necka_tray.owner.ports import Owner

logger = logging.getLogger(__name__)

#: Bubbles stay long enough to read two sentences.
EXPIRE_S = 60


def buttons(tag: str) -> tuple[tuple[str, str], ...]:
    if tag == care.NOTICE_CARE:
        label = _(care.CARE_PAGE_BUTTON)
        return (("default", label), ("care", label))
    if tag == care.NOTICE_WEEKLY:
        label = _("Statistics…")
        return (("default", label), ("stats", label))
    return ()


def action_for(tag: str, key: str):
    """The app action for a care bubble's button (None: not a care bubble, or closed)."""
    from necka_tray.core.actions import Action, Verb

    if key not in {k for k, _label in buttons(tag)}:
        return None
    return Action(Verb.INFO, "care") if tag == care.NOTICE_CARE else Action(Verb.STATISTICS)


def may_show(app: Owner, now: datetime) -> bool:
    """Like a reminder: not while away, paused, in a session or outside working hours, nor while it is
    quiet (full screen, do-not-disturb) or in a call, as far as the tray last looked."""
    presence = app.presence.presence()
    return app.planner.may_remind(now, app.snapshot, presence) and not presence.quiet and presence.call is None


class CareNotices:
    def __init__(self) -> None:
        self._care_day: date | None = None  # the day the suggestion was last looked at
        self._week: date | None = None  # the Monday of the week the look back was handled for
        self.suggestion: care.Suggestion | None = None  # as last read (the strengthening routine rests)

    def checked_in(self, app: Owner) -> None:
        """A check-in was recorded: look at the suggestion (and the strengthening routine) again."""
        self._care_day = None
        app.routines.sessions_changed()

    def tick(self, app: Owner) -> None:
        """On the tray's tick and at start: ask what is due today, once, when a bubble may come."""
        stats_port = app.p.stats
        now = app.p.clock.now()
        if stats_port is None or not may_show(app, now):
            return  # asked again at the next tick
        today = stats.local_day(now, stats_port.tz)
        # Read on the history thread (a large, locked or upgrading history never holds up this
        # one), answered back here: the bubble is decided and shown on the dispatcher.
        if self._care_day != today:
            self._care_day = today
            app.p.history("read", read_suggestion, stats_port.path, stats_port.tz, now,
                          then=lambda found: self._suggested(app, now, found), stats=stats_port)
        monday = care.week_start(today)
        if self._week != monday:
            self._week = monday
            if app.settings["care.weekly_summary"]:
                app.p.history("read", read_look_back, stats_port.path, stats_port.tz, now,
                              then=lambda back: self._looked_back(app, now, back), stats=stats_port)

    def _suggested(self, app: Owner, now: datetime, found: tuple[care.Suggestion | None, datetime | None]) -> None:
        self.suggestion, last = found
        logger.info("action=care-check suggestion=%s on=%s", getattr(self.suggestion, "reason", "none"),
                    app.settings["care.suggest_professional"])
        if self.suggestion is None or not app.settings["care.suggest_professional"]:
            return
        if not care.bubble_due(last, now):
            logger.info("action=care-suggestion shown=%s (at most once in 7 days)", last)
            return
        self._show(app, now, care.NOTICE_CARE, _(care.SUGGESTION_TITLE), care.suggestion_line(self.suggestion),
                   reason=self.suggestion.reason)

    def _looked_back(self, app: Owner, now: datetime, back: care.WeekBack) -> None:
        if back.worth_saying:
            self._show(app, now, care.NOTICE_WEEKLY, _(care.WEEKLY_TITLE), care.week_back_line(back),
                       week=back.first.isoformat())

    def _show(self, app: Owner, now: datetime, tag: str, title: str, body: str, **data: Any) -> None:
        shown = app.p.notifier.notify(title, body, tag=tag, actions=buttons(tag), expire_s=EXPIRE_S)
        logger.info("action=care-notice notice=%s notified=%s", tag, shown)
        if shown:
            kind, ts, row = events.notice_event(now, tag, **data)
            app.record(kind, ts, **row)


# -- the reads, on the history thread -------------------------------------------------------------


def read_suggestion(path: Path, tz: tzinfo, now: datetime) -> tuple[care.Suggestion | None, datetime | None]:
    """The suggestion the check-ins call for (or None), and when its bubble was last shown."""
    from necka_tray.store import care_reads
    from necka_tray.store.history import History

    today = stats.local_day(now, tz)
    with History(path) as h:
        found = care.suggestion(care_reads.checkins_by_day(h, today, tz), today)
        last = None
        if found is not None:
            last = care_reads.last_notice(h, care.NOTICE_CARE, now - care.BUBBLE_EVERY - timedelta(days=1))
    return found, last


def read_look_back(path: Path, tz: tzinfo, now: datetime) -> care.WeekBack | None:
    """Last week's look back, or None when it was shown this week already (before a restart)."""
    from necka_tray.store import care_reads
    from necka_tray.store.history import History

    monday = care.week_start(stats.local_day(now, tz))
    with History(path) as h:
        if care_reads.last_notice(h, care.NOTICE_WEEKLY, stats.day_start(monday, tz)) is not None:
            return None
        return care_reads.week_back(h, now, tz)
