"""The app's state owner: turns job runs, menu actions and session results into effects.

Every method here runs on the dispatcher thread (see ``dispatch.py``); other
threads only ``post``. The collaborators are passed in (``ports.Ports``; ``main.py`` builds the
real ones), so tests drive the whole loop with a fake clock, notifier and tray
on a real scheduler and job store.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from necka_tray.children import protocol
from necka_tray.core.actions import Action
from necka_tray.core.activity import Effect, Observation
from necka_tray.core.planner import Decision, Planner, ScheduleSnapshot
from necka_tray.core.reminders import MESSAGES, Kind
from necka_tray.core.rotation import DUE_WINDOW, Chooser
from necka_tray.core.routine import DEFAULT_ROUTINE
from necka_tray.desktop import speech
from necka_tray.texts.i18n import _
from necka_tray.core import events
from necka_tray.store import config
from necka_tray.owner.delivery import catch_up
from necka_tray.store.routines import RoutineBook, unknown_default
from necka_tray.owner import actions, settings_file
from necka_tray.schedule import jobs
from necka_tray.owner.care_notices import CareNotices
from necka_tray.owner.ports import Ports
from necka_tray.tray.menu_model import RoutineChoice, build_menu

logger = logging.getLogger(__name__)


class App:
    def __init__(self, config_file: Path, settings: config.Settings, planner: Planner, ports: Ports) -> None:
        self.config_file = config_file
        self.planner = planner
        self.p = ports
        self.settings = settings  # loaded once, by main.py (and re-read only after a menu change)
        self.config_stamp = config.stamp(config_file)  # what on_tick compares to find hand edits
        self.snapshot = ScheduleSnapshot()
        self.today: tuple[str, ...] = ()  # the menu's today and streak lines
        self._day = None  # the date of the last roll-up (new_day)
        self.presence = ports.presence
        self.presence.configure(self.settings)
        self.routines = ports.routines or RoutineBook()
        self.routines.reads_history = False  # the history thread reads (_refresh_unlocks), never render
        self.chooser = Chooser()
        self._routine_problem: str | None = None  # the user's routines.toml problem last notified
        self._default_problem: str | None = None  # likewise for session.default_routine
        self.quitting = False  # quit runs once, whichever way it was asked for (menu, signal, logout)
        self.delivery = self._delivery()
        self.care = CareNotices()  # the care bubbles (issue 26)

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> None:
        """Attach to the scheduler and the job functions, reconcile the stored jobs, draw."""
        jobs.set_handler(lambda event, *args: self.p.post(self.on_job, event, *args))
        self.p.scheduler.start(on_job_event=lambda _job_id: self.p.post(self.refresh))
        self.p.scheduler.reconcile(self._intervals(), self.p.clock.now())
        self._observe(check_quiet=False)  # nothing waits yet: no quiet or call signal is read
        self._refresh_unlocks()
        self.refresh()
        self.p.post(self.new_day)

    def quit(self) -> None:
        if self.quitting:
            return
        self.quitting = True
        logger.info("action=quit")
        since = self._sitting_since()
        if since is not None:
            self._add(events.sitting_event(since, self.p.clock.now(), until="quit"))
        if self.p.end_helpers is not None:
            self.p.end_helpers()  # open windows end; their reports are posted here, and run after this
        if self.p.flush_history is not None:
            # The last chance for events that waited (a full disk, a lock), posted behind those reports:
            # a session ended by this quit is recorded first, then written with the rest.
            flush = self.p.flush_history
            self.p.post(lambda: flush(final=True))
        jobs.set_handler(None)
        self.p.scheduler.shutdown()
        self.p.view.stop()
        self.p.quit_loop()

    # -- events ----------------------------------------------------------------

    def on_job(self, event: str, *args: str) -> None:
        if event == "reminder":
            self._observe()
            self.on_reminder(Kind(args[0]))
        elif event == "end_pause":
            self.resume()
        elif event == "tick":
            self.on_tick()
        elif event == "lull":
            self.delivery.check()

    def on_tick(self) -> None:
        """Once a configured minute: look at the desktop, show a held reminder, redraw.

        Full screen and do-not-disturb matter only to a reminder that waits: a tick with none
        waiting does not ask for them (a window-manager and a D-Bus round trip, most of a tick).
        """
        self._pick_up_hand_edits()
        self._observe(check_quiet=self.planner.pending is not None)
        if self.p.flush_history is not None:
            self.p.flush_history()  # returns at once unless events wait and their retry is due
        now = self.p.clock.now()
        kind = self.planner.deferred_due(now, self.snapshot, self.presence.presence(), self.presence.max_delay)
        if kind is not None:
            # Its countdown runs from when it was finally shown, not from when it was held.
            self.p.scheduler.restart(kind, now)
            self.snapshot = self.p.scheduler.snapshot()
            self.delivery.offer(kind, now, held=True, body=catch_up(self.presence, self.planner.scale, kind))
        self.delivery.check()
        if now.date() != self._day:
            self.new_day()
        self.care.tick(self)
        self.render()

    def on_reminder(self, kind: Kind) -> None:
        now = self.p.clock.now()
        self.snapshot = self.p.scheduler.snapshot()
        decision = self.planner.decide(kind, now, self.snapshot, self.presence.presence())
        if decision is not Decision.FIRE:
            logger.info("action=%s kind=%s", "hold" if decision is Decision.DEFER else "suppress", kind.value)
            self.render()
            return
        self.delivery.offer(kind, now)

    def _fire(self, kind: Kind, now, held: bool = False, body: str | None = None) -> None:
        self.planner.record_fired(kind, now)
        routine = self.chooser.on_reminder(kind, now, self.startable(now), self.default_routine(),
                                           self.settings["session.rotate"])
        logger.info("action=due-routine kind=%s routine=%s", kind.value, routine)
        message = MESSAGES[kind]
        from necka_tray.owner import bubbles

        shown = self.p.notifier.notify(message.title, body or message.body, **bubbles.options(kind))
        logger.info("action=remind kind=%s notified=%s held=%s", kind.value, shown, held)
        self._add(events.reminder_event(kind, now, shown, held=held))
        self.render()

    def _observe(self, check_quiet: bool = True) -> None:
        """Sample idle time, clocks and quiet; apply what a break, suspend or clock change means."""
        now = self.p.clock.now()
        obs: Observation = self.presence.observe(now, self.p.clock.monotonic(), check_quiet)
        for change in obs.changes:
            if change.effect is Effect.RESTART:
                self.p.scheduler.restart_all(change.at)
                self.planner.break_taken(change.at)
            else:
                self.p.scheduler.shift_all(change.delta)
            logger.info("action=%s reason=%s delta=%s", change.effect.value, change.reason, change.delta)
        if obs.went_away:
            logger.info("action=away since=%s", self.presence.tracker.away_since)
        if obs.natural_break is not None:
            b = obs.natural_break
            self.record("natural_break", b.start, end=b.end.isoformat(), sat_from=b.sat_from.isoformat(),
                         minutes=round(b.length.total_seconds() / 60, 1))
        if obs.changes:
            self.snapshot = self.p.scheduler.snapshot()

    def on_session_end(self, result: protocol.SessionEnd | None, _code: int = 0) -> None:
        """A session finished or was stopped: that is a break, the stretch countdown restarts.

        The window reports it (``protocol.SessionEnd``) and the tray records it, and the check-in
        given on its last screen: one writer of the history while the tray runs. A window that
        died without a result counts as a stop that cannot be recorded."""
        now = self.p.clock.now()
        if result is not None:  # recorded before it is logged: a reader of the log finds it in the history
            self._add(events.session_event(result.started, result.ended, result.outcome, result.steps_done,
                                            result.steps_total, result.routine))
            if result.checkin is not None:
                self._add(events.checkin_event(result.ended, result.checkin, "session"))
                self.care.checked_in(self)
        outcome, routine = (result.outcome, result.routine) if result else ("stopped", None)
        logger.info("action=session-end outcome=%s routine=%s", outcome, routine)
        if self.quitting:  # a window ended by quit: recorded above; the scheduler is gone
            return
        self.planner.session_ended()
        if routine:
            self.chooser.on_session(routine)
        self._refresh_unlocks()
        self.p.scheduler.restart(Kind.STRETCH, now)
        self.update_today()
        self.refresh()

    def handle_action(self, action: Action) -> None:
        """A menu choice (posted from the tray thread) or a control command: ``owner/actions.py``."""
        actions.dispatch(self, action)

    def on_bubble(self, tag: str, key: str) -> None:
        """A reminder bubble's button was pressed, or the bubble closed (posted by the notifier)."""
        from necka_tray.owner import bubbles

        action = bubbles.action_for(tag, key)
        logger.info("action=bubble tag=%s key=%s", tag, key)
        if action is not None:
            self.handle_action(action)

    def open_window(self, name: str, *args: str) -> None:
        if self.p.open_window is not None:
            self.p.open_window(name, *args)

    def on_window_end(self, result: protocol.CheckinResult | protocol.InfoClosed | None, _code: int = 0) -> None:
        """A statistics, check-in or info window closed: a check-in's answer is recorded here."""
        if isinstance(result, protocol.CheckinResult) and result.rating is not None:
            self._add(events.checkin_event(result.at, result.rating, "daily"))
            self.care.checked_in(self)
            self._refresh_unlocks()  # the care rule may now rest the strengthening routines (or not)
        if not self.quitting:
            self.render()

    # -- history statistics --------------------------------------------------------

    def new_day(self) -> None:
        """At start and on the first tick of a day: roll old events up, start the day's line afresh."""
        now = self.p.clock.now()
        self._day = now.date()
        if self.p.stats is not None:  # on the history thread: a roll-up of years never holds up a command
            self.p.history("roll-up", self.p.stats.roll_up, now, self.settings["history.retention_days"],
                           stats=self.p.stats)
        self.update_today()
        self._refresh_unlocks()
        self.p.history("read", self.routines.used_since, now, then=self.chooser.new_day, stats=self.p.stats)
        self.care.tick(self)
        self.render()

    def update_today(self) -> None:
        """Re-read today's numbers (on the history thread): only after something was recorded, never on an idle tick."""
        if self.p.stats is None:
            return
        self.p.history("read", self.p.stats.today_lines, self.p.clock.now(),
                       self.settings["stats.streak_min_sessions"], self._sitting_since(),
                       then=self._today_read, stats=self.p.stats)

    def _today_read(self, lines) -> None:
        lines = tuple(lines)
        if lines != self.today:
            self.today = lines
            if not self.quitting:
                self.render()

    def _refresh_unlocks(self) -> None:
        """Read again which routines a session unlocked (on the history thread), then redraw."""
        if self.routines.history_db is None:
            return
        self.p.history("read", self.routines.read_progress, then=self._unlocks_read, stats=self.p.stats)
        self.p.history("read", self.routines.read_care, self.p.clock.now(), then=self._care_read, stats=self.p.stats)

    def _unlocks_read(self, days) -> None:
        changed = set(days) != self.routines.known_days
        self.routines.progress_read(days)
        if changed and not self.quitting:
            self.render()

    def _care_read(self, found) -> None:
        now = self.p.clock.now()
        before = self.routines.care_holds(now)
        self.routines.care_read(found)
        if self.routines.care_holds(now) != before and not self.quitting:
            self.render()

    def _sitting_since(self):
        """Start of the sitting stretch going on now, when idle detection can tell."""
        tracker = self.presence.tracker
        if self.presence.idle.name == "none" or tracker.away:
            return None
        return tracker.sitting_since

    def resume(self) -> None:
        now = self.p.clock.now()
        self.p.scheduler.resume(now)
        self.planner.break_taken(now)
        self.record("resume", now)
        self.refresh()

    # -- drawing -----------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the schedule (after it changed) and draw."""
        self.snapshot = self.p.scheduler.snapshot()
        self.render()

    def render(self) -> None:
        view = self.planner.view(self.p.clock.now(), self.snapshot, self.presence.presence())
        enabled = {k: self.settings.reminder(k).enabled for k in Kind}
        entries = build_menu(view, self.settings.reminder(Kind.STRETCH).interval_minutes, enabled,
                             autostart=self.autostart_enabled(), today=self.today, routines=self._routine_choices(),
                             voice=self.settings["session.voice"], voice_engine=speech.available())
        self.p.view.render(view, entries)

    # -- routines ------------------------------------------------------------------

    #: How long a posture or shoulder reminder's routine is the one "Start stretch session" runs.
    chooser_window = DUE_WINDOW

    def _routine_choices(self) -> tuple[RoutineChoice, ...]:
        now = self.p.clock.now()
        catalogue = self.routines.catalogue()
        if catalogue.problem != self._routine_problem:
            self._routine_problem = catalogue.problem
            if catalogue.problem:  # once per new problem, not on every redraw
                self.p.notifier.notify(_("Necka routines"), catalogue.problem)
        default_problem = unknown_default(self.settings["session.default_routine"], catalogue.routines)
        if default_problem != self._default_problem:
            self._default_problem = default_problem
            if default_problem:  # like a bad value in config.toml: the log, stderr and one bubble
                logger.warning("%s", default_problem)
                self.p.notifier.notify(_("Necka settings"), _("{problem} See {path} (details in the log).").format(
                    problem=default_problem, path=self.config_file))
        return tuple(RoutineChoice(r.id, _(r.title), r.total_seconds, self.routines.locked(r, now))
                     for r in catalogue.routines.values())

    def startable(self, now) -> list[str]:
        """The routines that can start now, in menu order (never empty: the built-ins have unlocked ones)."""
        return [r.id for r in self.routines.catalogue().routines.values() if self.routines.locked(r, now) is None]

    def default_routine(self) -> str:
        chosen = self.settings["session.default_routine"]
        return chosen if chosen in self.routines.catalogue().routines else DEFAULT_ROUTINE

    # -- helpers -----------------------------------------------------------------

    def _intervals(self) -> dict[Kind, int | None]:
        return {k: self.interval_of(k) for k in Kind}

    def interval_of(self, kind: Kind) -> int | None:
        r = self.settings.reminder(kind)
        return r.interval_minutes if r.enabled else None

    def save(self, changes: dict[str, Any]) -> None:
        """Write a menu change to config.toml (``settings_file.save``); our own write is no hand edit."""
        self.settings = settings_file.save(self.config_file, self.settings, changes, self.p.notifier.notify)
        self.config_stamp = config.stamp(self.config_file)
        self.presence.configure(self.settings)

    def _pick_up_hand_edits(self) -> None:
        """A hand edit of config.toml (``settings_file.hand_edit``) applies on this tick."""
        self.config_stamp, edited = settings_file.hand_edit(self.config_file, self.config_stamp, self.settings)
        if edited is None:
            return
        old, self.settings = self.settings, edited
        self.presence.configure(self.settings)
        now = self.p.clock.now()
        for kind in Kind:
            if old.reminder(kind) != self.settings.reminder(kind):
                self.p.scheduler.apply(kind, self.interval_of(kind), now)
        self.snapshot = self.p.scheduler.snapshot()

    def record(self, kind: str, ts, **data: Any) -> None:
        try:
            self.p.record(kind, ts, **data)
        except Exception:
            logger.exception("action=history-write kind=%s failed", kind)
            return
        self.update_today()

    def _add(self, event: events.Row) -> None:
        kind, ts, data = event
        self.record(kind, ts, **data)

    # -- control (necka-tray status, start at login): what control.Handler may use ----------

    def act(self, action: Action) -> None:
        self.handle_action(action)

    def act_later(self, action: Action) -> None:
        """After the current call (the control reply is sent first)."""
        self.p.post(self.handle_action, action)

    def status(self) -> dict[str, Any]:
        """The state as plain JSON values for ``necka-tray status`` (``owner/status.py``)."""
        from necka_tray.owner.status import status

        self.snapshot = self.p.scheduler.snapshot()
        return status(self.p.clock.now(), self.planner, self.snapshot, self.presence, self.settings,
                      self.autostart_enabled())

    def autostart_enabled(self) -> bool | None:
        if self.p.autostart is None:
            return None
        try:
            return bool(self.p.autostart.enabled())
        except Exception as exc:
            logger.debug("autostart state unknown (%s)", exc)
            return False

    # -- calls and typing (issue 13): the hooks above stay one line each ------------------

    def _delivery(self):
        from necka_tray.owner.delivery import Delivery

        return Delivery(self.p.clock.now, lambda: self.presence.idle.idle_seconds(),
                        lambda when: self.p.scheduler.wake_at(when),
                        lambda now: self.planner.may_remind(now, self.snapshot, self.presence.presence()),
                        self._fire, self.planner.scale)
