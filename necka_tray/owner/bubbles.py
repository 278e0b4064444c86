"""What a reminder's bubble offers, and which app action each of its buttons runs.

A stretch break offers Start stretch (also a click on the bubble: the
"default" action), Snooze and Skip; a posture check or shoulder rolls offer
Done. The buttons run the very actions the tray menu and the command line
run (``App.handle_action``), so a bubble can do nothing they cannot: Snooze
is ``necka-tray snooze`` with its default length, Skip is ``necka-tray skip``.
The notifier shows the buttons only where the server supports actions.
"""

from __future__ import annotations

from typing import Any

from necka_tray.core import actions
from necka_tray.core.reminders import Kind
from necka_tray.desktop.notify import Action
from necka_tray.texts.i18n import _
from necka_tray.channel.control import SNOOZE_DEFAULT_MINUTES

#: Seconds a bubble stays: a stretch break long enough to act on (the icon keeps asking after
#: it), a posture check or shoulder rolls a short nudge.
EXPIRE_S = {Kind.STRETCH: 300, Kind.SHOULDER_ROLLS: 60, Kind.POSTURE: 30}


def buttons(kind: Kind) -> tuple[Action, ...]:
    if kind is Kind.STRETCH:
        start = _("Start stretch")
        return (("default", start), ("session", start),
                ("snooze", _("Snooze {minutes} min").format(minutes=SNOOZE_DEFAULT_MINUTES)), ("skip", _("Skip")))
    return (("done", _("Done")),)


def options(kind: Kind) -> dict[str, Any]:
    """The notifier's keyword arguments for ``kind``'s bubble (the tag makes each kind replace its own)."""
    return {"tag": kind.value, "actions": buttons(kind), "expire_s": EXPIRE_S[kind]}


def action_for(tag: str, key: str) -> actions.Action | None:
    """The app action for button ``key`` of the bubble tagged ``tag``; None for a closed bubble."""
    try:
        kind = Kind(tag)
    except ValueError:
        from necka_tray.owner import care_notices

        return care_notices.action_for(tag, key)
    if key not in {k for k, _label in buttons(kind)}:
        return None  # "closed", or a key we never offered
    if key in ("default", "session"):
        return actions.Action(actions.Verb.SESSION)
    if key == "snooze":
        return actions.Action(actions.Verb.SNOOZE, SNOOZE_DEFAULT_MINUTES)
    if key == "skip":
        return actions.Action(actions.Verb.SKIP)
    return actions.Action(actions.Verb.DONE, kind.value)
