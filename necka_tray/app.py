"""The app's state owner: turns job runs, menu actions and session results into effects.

Every method here runs on the dispatcher thread (see ``dispatch.py``); other
threads only ``post``. The collaborators are passed in, so tests drive the
whole loop with a fake clock, a fake notifier and a fake tray on a real
scheduler and job store. ``main.py`` builds the real ones.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

from necka_tray import config, jobs
from necka_tray.core.clock import Clock
from necka_tray.core.planner import Planner, ScheduleSnapshot, TrayView
from necka_tray.core.reminders import MESSAGES, Kind
from necka_tray.notify import Notifier
from necka_tray.scheduling import ReminderScheduler
from necka_tray.ui.menu_model import Entry, build_menu

logger = logging.getLogger(__name__)


class View(Protocol):
    def render(self, view: TrayView, entries: tuple[Entry, ...]) -> None: ...

    def stop(self) -> None: ...


class Launcher(Protocol):
    @property
    def running(self) -> bool: ...

    def launch(self) -> bool: ...


@dataclass
class Ports:
    """What the app talks to: real adapters in ``main.py``, fakes in tests."""

    clock: Clock
    scheduler: ReminderScheduler
    notifier: Notifier
    view: View
    launcher: Launcher
    post: Callable[..., None]
    open_file: Callable[[Path], None]
    record: Callable[..., None]  # history: record(kind, ts, **data)
    quit_loop: Callable[[], None]


class App:
    def __init__(self, config_file: Path, planner: Planner, ports: Ports) -> None:
        self.config_file = config_file
        self.planner = planner
        self.p = ports
        self.settings = config.load(config_file).settings
        self.snapshot = ScheduleSnapshot()

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> None:
        """Attach to the scheduler and the job functions, reconcile the stored jobs, draw."""
        jobs.set_handler(lambda event, *args: self.p.post(self.on_job, event, *args))
        self.p.scheduler.start(on_job_event=lambda _job_id: self.p.post(self.refresh))
        self.p.scheduler.reconcile(self._intervals(), self.p.clock.now())
        self.refresh()

    def quit(self) -> None:
        logger.info("action=quit")
        jobs.set_handler(None)
        self.p.scheduler.shutdown()
        self.p.view.stop()
        self.p.quit_loop()

    # -- events ----------------------------------------------------------------

    def on_job(self, event: str, *args: str) -> None:
        if event == "reminder":
            self.on_reminder(Kind(args[0]))
        elif event == "end_pause":
            self.resume()
        elif event == "tick":
            self.render()

    def on_reminder(self, kind: Kind) -> None:
        now = self.p.clock.now()
        self.snapshot = self.p.scheduler.snapshot()
        if not self.planner.should_fire(kind, now, self.snapshot):
            logger.info("action=suppress kind=%s", kind.value)
            return
        self.planner.record_fired(kind, now)
        message = MESSAGES[kind]
        shown = self.p.notifier.notify(message.title, message.body)
        logger.info("action=remind kind=%s notified=%s", kind.value, shown)
        self._record("reminder", now, reminder=kind.value, notified=shown)
        self.render()

    def on_session_end(self, result: dict[str, Any]) -> None:
        """A session finished or was stopped: that is a break, the stretch countdown restarts."""
        now = self.p.clock.now()
        logger.info("action=session-end outcome=%s", result.get("outcome"))
        self.planner.session_ended()
        self.p.scheduler.restart(Kind.STRETCH, now)
        self.refresh()

    def handle_action(self, action: tuple[Any, ...]) -> None:
        """A menu choice (posted from the tray thread)."""
        name, *args = action
        logger.info("action=menu choice=%s args=%s", name, args)
        handler = getattr(self, f"_action_{name}", None)
        if handler is None:
            logger.warning("action=menu unknown=%s", name)
            return
        handler(*args)

    # -- menu actions ------------------------------------------------------------

    def _action_session(self) -> None:
        if self.p.launcher.running:
            logger.info("action=session state=already-running")
            return
        if self.p.launcher.launch():
            self.planner.session_started()
            self.render()

    def _action_interval(self, minutes: int) -> None:
        self._save({f"reminders.{Kind.STRETCH.value}.interval_minutes": minutes})
        self.p.scheduler.apply(Kind.STRETCH, self._interval_of(Kind.STRETCH), self.p.clock.now())
        self.refresh()

    def _action_toggle(self, kind_value: str) -> None:
        kind = Kind(kind_value)
        enabled = not self.settings.reminder(kind).enabled
        self._save({f"reminders.{kind.value}.enabled": enabled})
        self.p.scheduler.apply(kind, self._interval_of(kind), self.p.clock.now())
        self.refresh()

    def _action_pause(self, choice: str) -> None:
        now = self.p.clock.now()
        until = Planner.pause_end(choice, now, self.planner.scale)
        self.p.scheduler.pause(until)
        self.planner.paused()
        self._record("pause", now, until=until.isoformat())
        self.refresh()

    def _action_resume(self) -> None:
        self.resume()

    def _action_open_settings(self) -> None:
        config.ensure_exists(self.config_file)
        try:
            self.p.open_file(self.config_file)
        except Exception as exc:
            logger.warning("Could not open %s (%s)", self.config_file, exc)
            self.p.notifier.notify("Necka settings", f"Could not open the settings file: {self.config_file}")

    def _action_quit(self) -> None:
        self.quit()

    def resume(self) -> None:
        now = self.p.clock.now()
        self.p.scheduler.resume(now)
        self._record("resume", now)
        self.refresh()

    # -- drawing -----------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the schedule (after it changed) and draw."""
        self.snapshot = self.p.scheduler.snapshot()
        self.render()

    def render(self) -> None:
        view = self.planner.view(self.p.clock.now(), self.snapshot)
        enabled = {k: self.settings.reminder(k).enabled for k in Kind}
        entries = build_menu(view, self.settings.reminder(Kind.STRETCH).interval_minutes, enabled)
        self.p.view.render(view, entries)

    # -- helpers -----------------------------------------------------------------

    def _intervals(self) -> dict[Kind, int | None]:
        return {k: self._interval_of(k) for k in Kind}

    def _interval_of(self, kind: Kind) -> int | None:
        r = self.settings.reminder(kind)
        return r.interval_minutes if r.enabled else None

    def _save(self, changes: dict[str, Any]) -> None:
        """Write a menu change to config.toml; if that fails it still applies until quit."""
        try:
            for message in config.update(self.config_file, changes):
                logger.warning("%s", message)
        except OSError as exc:
            logger.warning("Could not save %s (%s); the change applies until Necka quits.", self.config_file, exc)
            self.p.notifier.notify("Necka settings", f"Could not save your change to {self.config_file}.")
            self.settings = self.settings.replace(changes)
            return
        self.settings = config.load(self.config_file).settings

    def _record(self, kind: str, ts, **data: Any) -> None:
        try:
            self.p.record(kind, ts, **data)
        except Exception:
            logger.exception("action=history-write kind=%s failed", kind)
