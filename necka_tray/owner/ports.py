"""What the state owner talks to (``Ports``), and what its parts see of it (``Owner``).

``App`` (``app.py``) is the one ``Owner``; the action handlers (``actions.py``)
and the care bubbles (``care_notices.py``) are typed against this protocol,
not against ``App``, so none of them imports ``app.py`` and the import graph
has no circle (``tests/unit/test_import_graph.py``). ``status.py`` and
``settings_file.py`` get plain values instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Protocol

from necka_tray.core.clock import Clock
from necka_tray.core.planner import Planner, ScheduleSnapshot, TrayView
from necka_tray.core.reminders import Kind
from necka_tray.core.rotation import Chooser
from necka_tray.desktop.notify import Notifier
from necka_tray.desktop.presence import PresenceMonitor
from necka_tray.owner import history_reads
from necka_tray.schedule.scheduling import ReminderScheduler
from necka_tray.store import config
from necka_tray.store.routines import RoutineBook
from necka_tray.tray.menu_model import Entry


class View(Protocol):
    def render(self, view: TrayView, entries: tuple[Entry, ...]) -> None: ...
    def stop(self) -> None: ...


class Launcher(Protocol):
    @property
    def running(self) -> bool: ...
    def launch(self, routine: str | None = None) -> bool: ...


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
    record: Callable[..., None]  # the history writer: record(kind, ts, **data), the tray's one way to write it
    quit_loop: Callable[[], None]
    presence: PresenceMonitor  # PresenceMonitor.without_detection(...) in tests
    autostart: Any = None  # enabled() / set(on); None: no "Start at login" item (tests)
    stats: Any = None  # reports.TrayStats: today_lines(), roll_up(); None: no today line (tests)
    open_window: Callable[..., bool] | None = None  # (helper name, *args): "stats", "checkin", "info PAGE"
    routines: RoutineBook | None = None  # None: the built-in routines only, none unlocked by history (tests)
    flush_history: Callable[[], None] | None = None  # write events that wait (a locked file); on the tick
    end_helpers: Callable[[], None] | None = None  # at quit: SIGTERM the open windows, wait for their reports
    #: Where history reads run (history_reads.HistoryThread.run in main.py): never on this thread.
    history: Callable[..., None] = history_reads.run_now


class Owner(Protocol):
    """The state owner as a menu action or a care bubble uses it (on the dispatcher thread)."""

    p: Ports
    planner: Planner
    settings: config.Settings
    snapshot: ScheduleSnapshot
    presence: PresenceMonitor
    routines: RoutineBook
    chooser: Chooser
    chooser_window: timedelta
    config_file: Path

    def startable(self, now: datetime) -> list[str]: ...
    def default_routine(self) -> str: ...
    def interval_of(self, kind: Kind) -> int | None: ...
    def save(self, changes: dict[str, Any]) -> None: ...
    def record(self, kind: str, ts: datetime, **data: Any) -> None: ...
    def render(self) -> None: ...
    def refresh(self) -> None: ...
    def resume(self) -> None: ...
    def quit(self) -> None: ...
    def open_window(self, name: str, *args: str) -> None: ...
    def autostart_enabled(self) -> bool | None: ...
