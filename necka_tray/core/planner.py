"""What the user should see and be told, given what the scheduler holds.

The scheduler decides *when* a reminder job runs; the planner decides whether
that run becomes a notification (only the larger of two kinds that fall due
together, nothing during a stretch session) and turns the schedule into the
words and the progress ring the tray shows. All methods are pure functions
of their arguments and of the planner's small state; the app's dispatcher
thread is the only caller.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from typing import Mapping

from necka_tray.core.clock import TimeScale, between
from necka_tray.core.hours import _local
from necka_tray.core.reminders import Kind
from necka_tray.texts.i18n import _, lower_first, weekday

#: Two reminders this close (configured time) count as falling due together.
TOGETHER = timedelta(minutes=5)
#: How many steps the tray's progress ring has; it changes only at a step.
RING_STEPS = 8
#: A new interval never makes a reminder due sooner than this (configured time).
MIN_LEAD = timedelta(minutes=1)


@dataclass(frozen=True)
class ScheduleSnapshot:
    """The scheduler's facts, read by the adapter: next run per enabled kind (None = paused)."""

    next_runs: Mapping[Kind, datetime | None] = field(default_factory=dict)
    intervals: Mapping[Kind, int] = field(default_factory=dict)  # configured minutes
    paused_until: datetime | None = None


@dataclass(frozen=True)
class Presence:
    """What the user's desktop says right now (sampled by the app when it wakes)."""

    away_since: datetime | None = None
    #: A full-screen window (or the desktop's do-not-disturb) asks for quiet.
    quiet: bool = False
    #: Outside working hours until this moment (None: inside, or no working hours set).
    outside_until: datetime | None = None
    idle_detection: bool = True
    #: In a call, and why ("microphone in use"); None: not in one, or not looked at.
    call: str | None = None


class Decision(enum.Enum):
    FIRE = "fire"
    DEFER = "defer"  # quiet for now: fire when the quiet ends (or the delay runs out)
    DROP = "drop"


@dataclass(frozen=True)
class TrayView:
    """Everything the tray renders; equal views need no redraw."""

    tooltip: str
    status_lines: tuple[str, ...]
    ring_step: int  # 0..RING_STEPS
    stretch_due: bool
    paused: bool
    session_running: bool
    #: One word for scripts and tests: active, away, paused, quiet, outside_hours, session.
    state: str = "active"

    @property
    def icon_key(self) -> tuple[int, bool, bool]:
        """What the icon image depends on: it is redrawn only when this changes."""
        return (self.ring_step, self.stretch_due, self.paused)


class Planner:
    """The reminder state that no scheduler stores: what fired, what is due, the session."""

    def __init__(self, scale: TimeScale = TimeScale(), tz: tzinfo | None = None) -> None:
        self.scale = scale
        #: The user's zone for "until 06:00" and working hours; None = the system's.
        self.tz = tz
        self.last_fired: dict[Kind, datetime] = {}
        self.stretch_due_since: datetime | None = None
        self.session_running = False
        #: Countdowns last started afresh (natural break, gap, resume): runs just before it are stale.
        self.restarted_at: datetime | None = None
        self.pending: Kind | None = None
        self.pending_since: datetime | None = None

    # -- decisions -----------------------------------------------------

    def decide(self, kind: Kind, now: datetime, schedule: ScheduleSnapshot, presence: Presence = Presence()) -> Decision:
        """What a run of ``kind``'s job at ``now`` becomes.

        Nothing reaches a user who is away, outside working hours, paused or
        in a session, nor right after the countdowns restarted (a run the
        scheduler had already queued when the user came back). A smaller kind
        yields to a larger one that fired or falls due within ``TOGETHER``:
        the stretch break already covers a posture check. During quiet
        (full screen) and during a call the reminder waits: ``pending`` keeps the largest one.
        """
        if not self._may_remind(now, schedule, presence):
            return Decision.DROP
        window = self.scale.real(TOGETHER)
        if self.restarted_at is not None and between(self.restarted_at, now) < window:
            return Decision.DROP
        if self._larger_kind_near(kind, now, schedule, window):
            return Decision.DROP
        if presence.quiet or presence.call:
            if self.pending is None or kind.rank > self.pending.rank:
                self.pending = kind
            self.pending_since = self.pending_since or now
            return Decision.DEFER
        return Decision.FIRE

    def deferred_due(self, now: datetime, schedule: ScheduleSnapshot, presence: Presence, max_delay: timedelta) -> Kind | None:
        """The waiting reminder to show now: the quiet ended, or it waited ``max_delay`` (configured).

        A call is never cut short: the delay does not apply while one goes on (see ``hold.py``).
        """
        if self.pending is None:
            return None
        if not self._may_remind(now, schedule, presence):
            self.pending = self.pending_since = None  # a break or a pause replaces it
            return None
        if presence.call:
            return None
        if presence.quiet and between(self.pending_since, now) < self.scale.real(max_delay):
            return None
        kind, self.pending, self.pending_since = self.pending, None, None
        return kind

    def may_remind(self, now: datetime, schedule: ScheduleSnapshot, presence: Presence) -> bool:
        """Whether a bubble may reach the user at all now (not away, paused, in a session...)."""
        return self._may_remind(now, schedule, presence)

    def _may_remind(self, now: datetime, schedule: ScheduleSnapshot, presence: Presence) -> bool:
        return not (
            self.session_running
            or schedule.paused_until is not None
            or presence.away_since is not None
            or presence.outside_until is not None
        )

    def _larger_kind_near(self, kind: Kind, now: datetime, schedule: ScheduleSnapshot, window: timedelta) -> bool:
        for other in Kind:
            if other.rank <= kind.rank or other not in schedule.next_runs:
                continue
            fired = self.last_fired.get(other)
            if fired is not None and abs(between(fired, now)) <= window:
                return True
            due = schedule.next_runs.get(other)
            if due is None:
                continue
            # Jobs due at the same moment run one after another, and the
            # scheduler has already moved a larger one to its next slot by
            # the time this one is handled: so look at its previous slot too.
            previous = due - self.scale.real(timedelta(minutes=schedule.intervals.get(other, 0)))
            if abs(between(now, due)) <= window or abs(between(now, previous)) <= window:
                return True
        return False

    def record_fired(self, kind: Kind, now: datetime) -> None:
        self.last_fired[kind] = now
        if kind is Kind.STRETCH:
            self.stretch_due_since = now

    def session_started(self) -> None:
        self.session_running = True

    def session_ended(self) -> None:
        """A finished or stopped session is a break taken: the due state clears."""
        self.session_running = False
        self.stretch_due_since = None

    def break_taken(self, now: datetime) -> None:
        """Countdowns restart at ``now`` (natural break, long gap, end of a pause)."""
        self.restarted_at = now
        self.stretch_due_since = None
        self.pending = self.pending_since = None

    def paused(self) -> None:
        self.stretch_due_since = None
        self.pending = self.pending_since = None

    def stretch_handled(self) -> None:
        """The due stretch break was snoozed or skipped: the icon stops asking."""
        self.stretch_due_since = None
        if self.pending is Kind.STRETCH:
            self.pending = self.pending_since = None

    # -- timing rules ----------------------------------------------------

    def first_run(self, minutes: int, now: datetime) -> datetime:
        """When a countdown of ``minutes`` started ``now`` ends (real time)."""
        return now + self.scale.real(timedelta(minutes=minutes))

    def retime(self, next_run: datetime, old_minutes: int, new_minutes: int, now: datetime) -> datetime:
        """Next run after the interval changes: the countdown keeps its start.

        Ten minutes into a 60-minute countdown, choosing 45 leaves 35 minutes;
        if the new interval has already passed, the reminder comes after a
        short lead instead of at once.
        """
        started = next_run - self.scale.real(timedelta(minutes=old_minutes))
        candidate = started + self.scale.real(timedelta(minutes=new_minutes))
        return max(candidate, now + self.scale.real(MIN_LEAD))

    def pause_end(self, choice: str, now: datetime) -> datetime:
        """End of a pause chosen from the menu: ``"30m"``, ``"1h"`` or ``"tomorrow"``.

        "Until tomorrow" ends at the next 06:00 local time, so a pause taken
        after midnight still lasts the night; it is wall-clock time (DST-aware)
        and does not scale.
        """
        if choice == "tomorrow":
            local = now.astimezone(self.tz)
            morning = _local(local.date(), time(6, 0), self.tz)
            if morning <= now:
                morning = _local(local.date() + timedelta(days=1), time(6, 0), self.tz)
            return morning
        minutes = {"30m": 30, "1h": 60}[choice]
        return now + self.scale.real(timedelta(minutes=minutes))

    # -- what the tray shows -------------------------------------------

    def minutes_left(self, due: datetime, now: datetime) -> int:
        """Whole configured minutes until ``due``, rounded up (0 = due now)."""
        seconds = self.scale.configured(between(now, due)).total_seconds()
        return max(0, math.ceil(seconds / 60 - 1e-9))

    def view(self, now: datetime, schedule: ScheduleSnapshot, presence: Presence = Presence()) -> TrayView:
        lines = [self._status_line(kind, now, schedule) for kind in Kind]
        if not presence.idle_detection:
            lines.append(_("Idle detection unavailable"))
        if presence.call:
            lines.append(_("Quiet: in a call ({reason})").format(reason=_(presence.call)))
        paused = schedule.paused_until is not None
        stretch_due = self.stretch_due_since is not None and not paused
        if paused:
            state, tooltip = "paused", _("paused until {time}").format(time=self._clock(schedule.paused_until, now))
        elif self.session_running:
            state, tooltip = "session", _("stretch session in progress")
        elif presence.outside_until is not None:
            state, tooltip = "outside_hours", _("outside working hours until {time}").format(
                time=self._clock(presence.outside_until, now))
        elif presence.away_since is not None:
            state, tooltip = "away", _("away since {time}").format(time=self._clock(presence.away_since, now))
        elif presence.quiet or presence.call:
            state = "quiet"
            tooltip = (_("in a call: {reason}").format(reason=_(presence.call)) if presence.call
                       else _("quiet while a full-screen window is open"))
            if self.pending is not None:
                tooltip = _("{quiet}; {reminder} waiting").format(quiet=tooltip, reminder=lower_first(self.pending.label))
        elif stretch_due:
            state, tooltip = "active", _("stretch break due. Click for a guided stretch")
        else:
            state, tooltip = "active", lower_first(self._headline(now, schedule))
        return TrayView(
            tooltip=_("Necka: {status}").format(status=tooltip),
            status_lines=tuple(lines),
            ring_step=RING_STEPS if stretch_due else self._ring_step(now, schedule),
            stretch_due=stretch_due,
            paused=paused,
            session_running=self.session_running,
            state=state,
        )

    def _clock(self, when: datetime, now: datetime) -> str:
        """``14:30`` today, ``Tue 06:00`` on another day (local time)."""
        when, now = when.astimezone(self.tz), now.astimezone(self.tz)
        if when.date() == now.date():
            return f"{when:%H:%M}"
        return f"{weekday(when.weekday())} {when:%H:%M}"

    def _headline(self, now: datetime, schedule: ScheduleSnapshot) -> str:
        if schedule.next_runs.get(Kind.STRETCH) is not None:
            return self._status_line(Kind.STRETCH, now, schedule)
        upcoming = [(t, k) for k, t in schedule.next_runs.items() if t is not None]
        if not upcoming:
            return _("All reminders are off")
        _when, kind = min(upcoming, key=lambda tk: tk[0])
        return self._status_line(kind, now, schedule)

    def _status_line(self, kind: Kind, now: datetime, schedule: ScheduleSnapshot) -> str:
        if kind not in schedule.next_runs:
            return _("{reminder}: off").format(reminder=kind.label)
        due = schedule.next_runs[kind]
        if due is None:
            return _("{reminder}: paused").format(reminder=kind.label)
        left = self.minutes_left(due, now)
        if left == 0:
            return _("{reminder} due now").format(reminder=kind.label)
        return _("{reminder} in {minutes} min").format(reminder=kind.label, minutes=left)

    def _ring_step(self, now: datetime, schedule: ScheduleSnapshot) -> int:
        due = schedule.next_runs.get(Kind.STRETCH)
        minutes = schedule.intervals.get(Kind.STRETCH)
        if due is None or not minutes:
            return 0
        total = self.scale.real(timedelta(minutes=minutes)).total_seconds()
        left = between(now, due).total_seconds()
        done = min(1.0, max(0.0, 1 - left / total))
        return min(RING_STEPS - 1, int(done * RING_STEPS)) if done < 1 else RING_STEPS - 1



