"""Which notifier this platform gets: Necka's own D-Bus client on Linux (buttons, bubbles replaced
per kind), plyer elsewhere and as its fallback. A module of its own, so that ``notify`` (the types
every notifier shares) imports none of the notifiers built on it: no import circle.
"""

from __future__ import annotations

import sys
from typing import Callable

from necka_tray.desktop.notify import Notifier, PlyerNotifier


def make_notifier(icon_path: str = "", on_event: Callable[[str, str], None] | None = None) -> Notifier:
    """The notifier for this platform. ``on_event(tag, key)``: a button pressed (``key`` is the
    action's key) or a bubble closed (``key`` "closed"), called on the D-Bus receiver thread."""
    plyer = PlyerNotifier(icon_path)
    if not sys.platform.startswith("linux"):
        return plyer
    from necka_tray.desktop.notify_dbus import DBusNotifier

    return DBusNotifier(icon_path, on_event, fallback=plyer)
