"""What the user can ask Necka to do: one typed ``Action`` for the menu, the popup menu's reply and the control socket.

The menu model builds them, a reminder bubble's buttons map to them
(``owner/bubbles.py``), the xembed popup menu sends one back as JSON
(``children/protocol.py``), ``necka-tray pause|snooze|...`` arrives as one through the
control socket; the app dispatches them by a table (``owner/actions.py``). The
argument is checked here, where it enters: a popup's or a peer's JSON is data.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Any, Union

from necka_tray.core.reminders import Kind

Arg = Union[str, int, float, None]

#: The most days a statistics view covers (``necka-tray stats --days``, the window).
MAX_DAYS = 3650


class Verb(str, enum.Enum):
    SESSION = "session"  # arg: a routine id, or None for the due / default one
    ROUTINE = "routine"  # arg: a routine id
    SNOOZE = "snooze"  # arg: whole configured minutes
    SKIP = "skip"
    INTERVAL = "interval"  # arg: the stretch interval in minutes
    TOGGLE = "toggle"  # arg: a reminder Kind's value
    PAUSE = "pause"  # arg: "30m" / "1h" / "tomorrow", or configured minutes (the CLI)
    RESUME = "resume"
    STATISTICS = "statistics"  # arg: how many days the window shows, or None for its default
    CHECKIN = "checkin"
    INFO = "info"  # arg: "care" / "relief"
    OPEN_ROUTINES = "open_routines"
    OPEN_SETTINGS = "open_settings"
    AUTOSTART = "autostart"
    VOICE = "voice"  # turn session.voice on or off (the tray's check item)
    QUIT = "quit"
    DONE = "done"  # arg: a reminder Kind's value ("Done" on its bubble)


def _number(arg: Any) -> bool:
    """A JSON number: no bool, NaN or infinity (an int of any size: ``math.isfinite`` would overflow)."""
    if isinstance(arg, bool) or not isinstance(arg, (int, float)):
        return False
    return isinstance(arg, int) or math.isfinite(arg)


def _whole(arg: Any) -> bool:
    return isinstance(arg, int) and not isinstance(arg, bool)


#: verb -> does this argument fit it?
_ARG_OK = {
    Verb.SESSION: lambda a: a is None or (isinstance(a, str) and a != ""),
    Verb.ROUTINE: lambda a: isinstance(a, str) and a != "",
    Verb.SNOOZE: lambda a: _whole(a) and a > 0,
    Verb.INTERVAL: lambda a: _whole(a) and a > 0,
    Verb.TOGGLE: lambda a: a in {k.value for k in Kind},
    Verb.DONE: lambda a: a in {k.value for k in Kind},
    Verb.PAUSE: lambda a: isinstance(a, str) and a != "" or (_number(a) and a > 0),
    Verb.INFO: lambda a: a in ("care", "relief"),
    Verb.STATISTICS: lambda a: a is None or _whole(a) and 1 <= a <= MAX_DAYS,
}


@dataclass(frozen=True)
class Action:
    verb: Verb
    arg: Arg = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "verb", Verb(self.verb))
        except ValueError:
            raise ValueError(f"unknown action {str(self.verb)[:40]!r}") from None
        if not _ARG_OK.get(self.verb, lambda a: a is None)(self.arg):
            raise ValueError(f"action {self.verb.value}: bad argument {str(self.arg)[:40]!r}")

    def to_json(self) -> list[Arg]:
        return [self.verb.value] if self.arg is None else [self.verb.value, self.arg]

    @classmethod
    def from_json(cls, value: Any) -> Action:
        """From ``[verb]`` or ``[verb, arg]``; ValueError on anything else."""
        if not isinstance(value, list) or not 1 <= len(value) <= 2 or not isinstance(value[0], str):
            raise ValueError(f"not an action: {str(value)[:60]}")
        return cls(value[0], value[1] if len(value) == 2 else None)

    def __str__(self) -> str:
        return self.verb.value if self.arg is None else f"{self.verb.value}:{self.arg}"
