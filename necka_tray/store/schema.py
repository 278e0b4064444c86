"""The settings ``config.toml`` may hold: each key's type, default, allowed values and help.

Kept apart from the loading and saving in ``config.py``: this is the one place to add a setting
(one line), and ``render`` is how values appear both in the default file and in messages.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any, Callable

from necka_tray.core.hours import parse_days, parse_time
from necka_tray.core.reminders import DEFAULT_INTERVALS, Kind
from necka_tray.core.routine import parse_routine_id
from necka_tray.texts.i18n import N_, _
from necka_tray.texts.i18n import available as available_languages

CONFIG_VERSION = 1
INTERVAL_RANGE = (5, 240)


#: The units a whole-number setting is counted in, for "a whole number of minutes from 5 to 240".
UNITS = {"minutes": N_("minutes"), "sessions": N_("sessions"), "days": N_("days")}


@dataclass(frozen=True)
class Field:
    """One setting: its type, default, allowed values and one line of help for the default file."""

    type: type
    default: Any
    help: str
    range: tuple[int, int] | None = None
    choices: tuple[Any, ...] | None = None
    unit: str = ""
    #: For strings with a format: raises ValueError with the reason; ``allowed`` describes the format.
    parse: Callable[[Any], Any] | None = None
    format: str = ""

    @property
    def allowed(self) -> str:
        if self.choices:
            return _(" or ").join(map(render, self.choices))
        if self.type is bool:
            return _("true or false")
        if self.type is float:
            if self.range:
                return _("a number from {least} to {most}").format(least=f"{self.range[0]:g}", most=f"{self.range[1]:g}")
            return _("a number")
        if self.type is int:
            if self.range and self.unit:
                return _("a whole number of {unit} from {least} to {most}").format(
                    unit=_(UNITS[self.unit]), least=self.range[0], most=self.range[1])
            if self.range:
                return _("a whole number from {least} to {most}").format(least=self.range[0], most=self.range[1])
            return _("a whole number")
        return _(self.format) if self.format else _("a string")

    def check(self, value: Any) -> str | None:
        """Why ``value`` is not allowed (a phrase), or None when it is."""
        # ``type() is`` and not ``isinstance``: bool is an int subclass, and TOML's 20.0 is a float.
        if type(value) is not self.type and not (self.type is float and type(value) is int):
            return _("has the wrong type ({type})").format(type=type_name(value))
        if self.range and not self.range[0] <= value <= self.range[1]:
            return _("is out of range")
        if self.choices and value not in self.choices:
            return _("is not allowed")
        if self.parse is not None:
            try:
                self.parse(value)
            except ValueError:
                return _("is not in the right format")
        return None


#: Every known setting by dotted key, in the order of the default file. One line per new key.
SCHEMA: dict[str, Field] = {
    "config_version": Field(int, CONFIG_VERSION, "Format of this file; leave it as it is.",
                            choices=(CONFIG_VERSION,)),
}
for _k in Kind:
    SCHEMA[f"reminders.{_k.value}.enabled"] = Field(bool, True, f'Show the "{_k.label}" reminder.')
    SCHEMA[f"reminders.{_k.value}.interval_minutes"] = Field(
        int, DEFAULT_INTERVALS[_k], f'Minutes between two "{_k.label}" reminders'
        + (" (the break interval)." if _k is Kind.STRETCH else "."), range=INTERVAL_RANGE, unit="minutes")
del _k
SCHEMA.update({
    "idle.natural_break_minutes": Field(int, 5, "Away from the computer this long counts as a break: "
                                        "the countdowns start again when you are back.", range=(1, 60), unit="minutes"),
    "quiet.fullscreen": Field(bool, True, "Hold reminders while a full-screen window is open "
                              "(a presentation, a film, a game) or do-not-disturb is on."),
    "quiet.calls": Field(bool, True, "Hold reminders during a call (microphone, camera or screen sharing in use); "
                         "one catch-up reminder comes when it ends."),
    "quiet.max_delay_minutes": Field(int, 30, "Show a held reminder anyway after this long (not during a call).",
                                     range=(1, 240), unit="minutes"),
    "schedule.enabled": Field(bool, False, "Remind only within working hours (the days and times below)."),
    "schedule.days": Field(str, "mon-fri", "Working days.", parse=parse_days,
                           format=N_('days like "mon-fri" or "mon,wed,fri"')),
    "schedule.start": Field(str, "09:00", "Start of working hours (24-hour clock).", parse=parse_time,
                            format=N_('a time like "09:00"')),
    "schedule.end": Field(str, "17:30", "End of working hours; before the start means past midnight.",
                          parse=parse_time, format=N_('a time like "17:30"')),
})
SCHEMA["stats.streak_min_sessions"] = Field(int, 2, "Stretch sessions a day that keep your streak going.", range=(1, 20), unit="sessions")
SCHEMA["history.retention_days"] = Field(int, 90, "Keep every event this long; older days are kept as one summary row each.", range=(14, 3650), unit="days")
SCHEMA["session.default_routine"] = Field(str, "neck", "The routine a stretch break runs (an id from the tray's Routines menu or your routines.toml).", parse=parse_routine_id, format=N_("a routine id like \"neck\" or \"shoulders\""))
SCHEMA["session.rotate"] = Field(bool, False, "Stretch breaks take turns through the routines instead of always the default.")
SCHEMA["session.theme"] = Field(str, "default", "The look of the session window and Necka's pages.", choices=("default", "high-contrast"))
SCHEMA["session.text_scale"] = Field(float, 1.0, "Text size in the session window, on top of the desktop's font scaling (1.25: a quarter larger).", range=(0.75, 2.0))
SCHEMA["session.reduced_motion"] = Field(bool, False, "Show still pictures instead of animations (the breathing circle).")
SCHEMA["session.sound"] = Field(bool, False, "Play a soft tone when the session moves to the next step.")
SCHEMA["session.voice"] = Field(bool, False, "Speak each step of the session (its instruction, the hold counted down, then next); V in the session window turns it on or off.")
SCHEMA["care.suggest_professional"] = Field(bool, True, "Suggest seeing a healthcare professional when your neck check-ins stay high or rise (README: Care).")
SCHEMA["care.weekly_summary"] = Field(bool, True, "On the first active day of a week, one bubble looking back at the week before.")
SCHEMA["ui.language"] = Field(str, "auto", "The language of menus, windows and messages: \"auto\" follows the desktop (LANGUAGE, LANG).", choices=("auto", *available_languages()))


def render(v: Any, depth: int = 0) -> str:
    """``v`` written as TOML (containers get a short stand-in: this is also used in messages)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + re.sub(r'["\\\x00-\x1f\x7f]', lambda m: f"\\u{ord(m[0]):04x}", v) + '"'
    if isinstance(v, (datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, list):
        if depth >= 3:
            return "[...]"
        return "[" + ", ".join(render(x, depth + 1) for x in v[:5]) + (", ...]" if len(v) > 5 else "]")
    return "{...}"


def type_name(v: Any) -> str:
    names = {bool: N_("a boolean"), int: N_("a whole number"), float: N_("a decimal number"), str: N_("a string"),
             list: N_("an array")}
    return _(names.get(type(v), N_("a table") if isinstance(v, dict) else N_("a date or time")))
