"""The tray menu as plain data, so it is tested without a display.

``tray.py`` maps these entries to pystray items one to one; every action is
a tuple the app's ``handle_action`` understands, posted to its dispatcher.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from necka_tray.core.planner import TrayView
from necka_tray.core.reminders import Kind

#: The break-interval choices offered in the menu (minutes).
INTERVAL_CHOICES = (20, 30, 45, 60, 90)
PAUSE_CHOICES = (("30m", "For 30 minutes"), ("1h", "For 1 hour"), ("tomorrow", "Until tomorrow morning"))
_REMINDER_LABELS = {Kind.POSTURE: "Posture checks", Kind.SHOULDER_ROLLS: "Shoulder rolls", Kind.STRETCH: "Stretch breaks"}


@dataclass(frozen=True)
class Entry:
    label: str = ""
    action: tuple[Any, ...] | None = None
    checked: bool | None = None  # None: not a check item
    radio: bool = False
    enabled: bool = True
    default: bool = False
    children: tuple["Entry", ...] = ()
    separator: bool = False


SEPARATOR = Entry(separator=True)


def build_menu(view: TrayView, stretch_minutes: int, enabled: dict[Kind, bool],
               autostart: bool | None = None, today: tuple[str, ...] = ()) -> tuple[Entry, ...]:
    """The whole menu for the current state (``autostart`` None: no "Start at login" item;
    ``today``: the history's today-at-a-glance and streak lines)."""
    entries: list[Entry] = [
        Entry("Start stretch session", ("session",), default=True, enabled=not view.session_running),
    ]
    if view.stretch_due:
        entries += [Entry("Snooze stretch 10 min", ("snooze", 10)), Entry("Skip next stretch", ("skip",))]
    entries.append(SEPARATOR)
    if view.paused:
        entries.append(Entry(view.tooltip.removeprefix("Necka: ").capitalize(), enabled=False))
    entries += [Entry(line, enabled=False) for line in view.status_lines]
    entries += [Entry(line, enabled=False) for line in today]
    entries.append(SEPARATOR)
    entries.append(Entry("Break interval", children=_interval_items(stretch_minutes)))
    entries.append(
        Entry(
            "Reminders",
            children=tuple(
                Entry(_REMINDER_LABELS[k], ("toggle", k.value), checked=enabled.get(k, False)) for k in Kind
            ),
        )
    )
    if view.paused:
        entries.append(Entry("Resume reminders", ("resume",)))
    entries.append(Entry("Pause", children=tuple(Entry(label, ("pause", key)) for key, label in PAUSE_CHOICES)))
    entries += [Entry("Statistics…", ("statistics",)), Entry("How is your neck today?…", ("checkin",))]
    entries.append(SEPARATOR)
    if autostart is not None:
        entries.append(Entry("Start at login", ("autostart",), checked=autostart))
    entries += [Entry("Open settings file", ("open_settings",)), Entry("Quit Necka", ("quit",))]
    return tuple(entries)


def _interval_items(current: int) -> tuple[Entry, ...]:
    choices = sorted(set(INTERVAL_CHOICES) | {current})
    return tuple(
        Entry(f"{m} min" if m in INTERVAL_CHOICES else f"{m} min (from settings file)", ("interval", m),
              checked=(m == current), radio=True)
        for m in choices
    )
