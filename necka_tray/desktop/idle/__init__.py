"""Seconds since the user's last keyboard or pointer input, one module per desktop.

Every source has ``name`` and ``idle_seconds() -> float | None`` (None: this
query failed; the caller treats the user as present). ``detect`` picks the
source for this desktop; ``NECKA_IDLE`` (x11, wayland, gnome, freedesktop,
windows, macos, none) overrides it. Sources are called from the app's dispatcher
thread only: the X11 one keeps a connection of its own for that thread.

An event-driven source (Wayland's, told idle/resumed by the compositor) also has
``set_resolution(seconds)``: the shortest idle run that matters, which the app
passes from the settings and the time scale (``resolution``).
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import timedelta
from typing import Mapping, Protocol

from necka_tray.desktop import open_sources

logger = logging.getLogger(__name__)


class IdleSource(Protocol):
    name: str

    def idle_seconds(self) -> float | None: ...


def linux_candidates(env: Mapping[str, str]) -> list[str]:
    """On a Wayland session the compositor's own protocols come first, and never X11: Xwayland's
    counter sees only the input that goes to X clients (sway's Xwayland has no MIT-SCREEN-SAVER at all)."""
    if env.get("WAYLAND_DISPLAY"):
        return ["wayland", "gnome", "freedesktop"]
    return (["x11"] if env.get("DISPLAY") else []) + ["gnome", "freedesktop"]


def resolution(lull: timedelta, min_pause: timedelta) -> float:
    """Seconds: the shortest idle run the tracker and the typing lull tell apart."""
    return min(lull, min_pause).total_seconds()


def detect(env: Mapping[str, str] = os.environ, platform: str = sys.platform) -> IdleSource:
    """The first source that answers on this desktop, else ``NoIdle`` (said once in the log)."""
    forced = env.get("NECKA_IDLE")
    if forced:
        candidates = [forced]
    elif platform == "win32":
        candidates = ["windows"]
    elif platform == "darwin":
        candidates = ["macos"]
    else:
        candidates = linux_candidates(env)
    source = next(open_sources("idle", candidates, env, "idle"), None)  # the first that answers
    if source is not None:
        logger.info("action=idle-source name=%s", source.name)
        return source
    from necka_tray.desktop.idle.none import NoIdle

    logger.warning("No idle detection on this desktop: reminders count wall-clock time, and natural breaks are not seen.")
    return NoIdle()
