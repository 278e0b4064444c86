"""What ``necka-tray status`` shows: the app's state as plain JSON values (minutes are configured minutes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from necka_tray.core.planner import Planner, ScheduleSnapshot
from necka_tray.core.reminders import Kind
from necka_tray.desktop.presence import PresenceMonitor
from necka_tray.owner.delivery import call_status
from necka_tray.store import config


def status(now: datetime, planner: Planner, snapshot: ScheduleSnapshot, presence: PresenceMonitor,
           settings: config.Settings, autostart: bool | None) -> dict[str, Any]:
    """From ``snapshot`` (just re-read by ``App.status``)."""
    view = planner.view(now, snapshot, presence.presence())
    reminders = {}
    for kind in Kind:
        entry: dict[str, Any] = {"enabled": kind in snapshot.next_runs,
                                 "interval_minutes": settings.reminder(kind).interval_minutes}
        if entry["enabled"]:
            due = snapshot.next_runs[kind]
            entry["next"] = due.isoformat() if due else None
            entry["minutes_left"] = planner.minutes_left(due, now) if due else None
        # A stretch break that fell due waits for the user; its job already counts toward the next one.
        entry["due_now"] = kind is Kind.STRETCH and view.stretch_due
        reminders[kind.value] = entry
    until = snapshot.paused_until
    return {"state": view.state, "tooltip": view.tooltip, "reminders": reminders,
            "paused_until": until.isoformat() if until else None,
            "session_running": view.session_running, "stretch_due": view.stretch_due,
            "idle_detection": presence.idle.name, "quiet_detection": presence.quiet_source.name,
            **call_status(presence),
            "autostart": autostart}
