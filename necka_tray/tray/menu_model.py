"""The tray menu as plain data, so it is tested without a display.

``pystray_icon.py`` maps these entries to pystray items one to one, and the
xembed tray sends them to its popup menu helper (``to_json``); every action is
a ``core.actions.Action`` that the app dispatches (``owner/actions.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from necka_tray.core.actions import Action, Verb
from necka_tray.core.planner import TrayView
from necka_tray.core.reminders import Kind
from necka_tray.core.routine import duration_text
from necka_tray.texts.i18n import N_, _

#: The break-interval choices offered in the menu (minutes).
INTERVAL_CHOICES = (20, 30, 45, 60, 90)
PAUSE_CHOICES = (("30m", N_("For 30 minutes")), ("1h", N_("For 1 hour")), ("tomorrow", N_("Until tomorrow morning")))
_REMINDER_LABELS = {Kind.POSTURE: N_("Posture checks"), Kind.SHOULDER_ROLLS: N_("Shoulder rolls"),
                    Kind.STRETCH: N_("Stretch breaks")}
#: Necka's pages (``necka-tray info PAGE``), in menu order.
PAGES = (("relief", N_("Relief now…")), ("care", N_("When to see a professional…")))


@dataclass(frozen=True)
class RoutineChoice:
    """A routine as the menu offers it; ``locked``: why it cannot start yet (None: it can)."""

    id: str
    title: str
    seconds: float
    locked: str | None = None


@dataclass(frozen=True)
class Entry:
    label: str = ""
    action: Action | None = None
    checked: bool | None = None  # None: not a check item
    radio: bool = False
    enabled: bool = True
    default: bool = False
    children: tuple["Entry", ...] = ()
    separator: bool = False
    #: What the item is, stable while the menu lives ("interval:45"): dbusmenu derives the item's id from
    #: it, so an id never moves to another item when lines come and go ("" : derived from the action).
    key: str = ""


SEPARATOR = Entry(separator=True)


def separator(key: str) -> Entry:
    return Entry(separator=True, key=key)


def to_json(entries: tuple[Entry, ...]) -> list[dict[str, Any]]:
    """The entries as plain JSON values (actions as ``Action.to_json`` lists), for the popup menu helper."""
    out = []
    for e in entries:
        d = {f.name: getattr(e, f.name) for f in fields(e)}
        d["action"] = e.action.to_json() if e.action else None
        d["children"] = to_json(e.children)
        out.append(d)
    return out


def build_menu(view: TrayView, stretch_minutes: int, enabled: dict[Kind, bool],
               autostart: bool | None = None, today: tuple[str, ...] = (),
               routines: tuple[RoutineChoice, ...] = (), voice: bool | None = None,
               voice_engine: bool = True) -> tuple[Entry, ...]:
    """The whole menu for the current state (``autostart`` None: no "Start at login" item;
    ``today``: the history's today-at-a-glance and streak lines; ``routines``: the Routines menu;
    ``voice`` None: no "Voice guidance" item; ``voice_engine`` False: the item says none was found)."""
    entries: list[Entry] = [
        Entry(_("Start stretch session"), Action(Verb.SESSION), default=True, enabled=not view.session_running,
              key="session"),
    ]
    if routines:
        entries.append(Entry(_("Routines"), children=_routine_items(routines, not view.session_running),
                             key="routines"))
    if view.stretch_due:
        entries += [Entry(_("Snooze stretch 10 min"), Action(Verb.SNOOZE, 10), key="snooze"),
                    Entry(_("Skip next stretch"), Action(Verb.SKIP), key="skip")]
    entries.append(separator("sep-status"))
    if view.paused:
        entries.append(Entry(view.tooltip.removeprefix("Necka: ").capitalize(), enabled=False, key="paused"))
    entries += [Entry(line, enabled=False, key=f"status:{i}") for i, line in enumerate(view.status_lines)]
    entries += [Entry(line, enabled=False, key=f"today:{i}") for i, line in enumerate(today)]
    entries.append(separator("sep-settings"))
    entries.append(Entry(_("Break interval"), children=_interval_items(stretch_minutes), key="interval"))
    entries.append(
        Entry(
            _("Reminders"),
            children=tuple(
                Entry(_(_REMINDER_LABELS[k]), Action(Verb.TOGGLE, k.value), checked=enabled.get(k, False),
                      key=f"reminder:{k.value}") for k in Kind
            ),
            key="reminders",
        )
    )
    if view.paused:
        entries.append(Entry(_("Resume reminders"), Action(Verb.RESUME), key="resume"))
    entries.append(Entry(_("Pause"), children=tuple(Entry(_(label), Action(Verb.PAUSE, key), key=f"pause:{key}")
                                                   for key, label in PAUSE_CHOICES), key="pause"))
    entries += [Entry(_("Statistics…"), Action(Verb.STATISTICS), key="statistics"),
                Entry(_("How is your neck today?…"), Action(Verb.CHECKIN), key="checkin")]
    entries += [Entry(_(label), Action(Verb.INFO, page), key=f"info:{page}") for page, label in PAGES]
    entries.append(separator("sep-app"))
    if voice is not None:
        entries.append(Entry(_("Voice guidance") if voice_engine else _("Voice guidance (no speech engine found)"),
                             Action(Verb.VOICE), checked=voice, key="voice"))
    if autostart is not None:
        entries.append(Entry(_("Start at login"), Action(Verb.AUTOSTART), checked=autostart, key="autostart"))
    entries += [Entry(_("Open settings file"), Action(Verb.OPEN_SETTINGS), key="open-settings"),
                Entry(_("Quit Necka"), Action(Verb.QUIT), key="quit")]
    return tuple(entries)


def _routine_items(routines: tuple[RoutineChoice, ...], can_start: bool) -> tuple[Entry, ...]:
    """One item per routine with its length (shown before starting); a locked one says what unlocks it."""
    items = [
        Entry(_("{title}: {why}").format(title=r.title, why=r.locked), enabled=False, key=f"routine:{r.id}")
        if r.locked else
        Entry(_("{title} · {length}").format(title=r.title, length=duration_text(r.seconds)), Action(Verb.ROUTINE, r.id),
              enabled=can_start, key=f"routine:{r.id}")
        for r in routines
    ]
    return (*items, separator("sep-routines"), Entry(_("Edit my routines…"), Action(Verb.OPEN_ROUTINES), key="edit-routines"))


def _interval_items(current: int) -> tuple[Entry, ...]:
    choices = sorted(set(INTERVAL_CHOICES) | {current})
    return tuple(
        Entry(_("{minutes} min").format(minutes=m) if m in INTERVAL_CHOICES
              else _("{minutes} min (from settings file)").format(minutes=m), Action(Verb.INTERVAL, m),
              checked=(m == current), radio=True, key=f"interval:{m}")
        for m in choices
    )
