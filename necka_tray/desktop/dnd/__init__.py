"""Whether the user asked for quiet: a full-screen window (a presentation, a film, a game)
or the desktop's own do-not-disturb (dunst, mako, Plasma, Xfce, GNOME). One module per platform, each with
``open_source(env)`` returning an object whose ``quiet() -> bool`` is cheap;
called from the app's dispatcher thread only, when a reminder is due or waits.
"""

from __future__ import annotations

import os
import sys
from typing import Mapping, Protocol

from necka_tray.desktop import AnySource, open_sources


class QuietSource(Protocol):
    name: str

    def quiet(self) -> bool: ...


class AnyQuiet(AnySource):
    """Quiet when any of its sources says so (a failing source says no)."""

    what = "quiet"
    #: The source that said quiet at the last ask (``necka-tray status`` names it), else None.
    answered: str | None = None

    def quiet(self) -> bool:
        said: list[str] = []

        def ask(source: QuietSource) -> bool:
            if source.quiet():
                said.append(source.name)
                return True
            return False

        quiet = bool(self.first(ask))
        self.answered = said[0] if said else None
        return quiet


#: Each notification server's own do-not-disturb; each probes only where its server runs.
SERVERS = ["dunst", "mako", "plasma", "xfce", "gnome"]


def linux_candidates(env: Mapping[str, str]) -> list[str]:
    """Full screen from the compositor on Wayland (sway's IPC, Necka's KWin script), from the X server
    on X11, never from Xwayland: it sees only X clients' windows. Then the notification server's DND."""
    if env.get("WAYLAND_DISPLAY"):
        screen = ["sway", "kwin"]  # each answers only where its compositor runs
    else:
        screen = ["x11"] if env.get("DISPLAY") else []
    return screen + SERVERS


def detect(env: Mapping[str, str] = os.environ, platform: str = sys.platform) -> AnyQuiet:
    if platform == "win32":
        names = ["windows"]
    elif platform == "darwin":
        names = []
    else:
        names = linux_candidates(env)
    return AnyQuiet(list(open_sources("dnd", names, env, "quiet")))
