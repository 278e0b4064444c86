"""Which monitor the user looks at, so a window opens on it and never across two.

X11 tells us the monitors through Xinerama (what multi-head Xorg and Xephyr
report, and what RandR emulates) or RandR 1.5 monitors, read with
python-xlib on a connection of our own that is closed at once; anywhere else
(Windows, macOS, Wayland without XWayland, a failed query) the whole screen
counts as one monitor. The pointer says which one is looked at; without a
pointer on any monitor, the focused window does. The choosing and centring
are pure functions of rectangles, tested without a display.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    width: int
    height: int

    def contains(self, px: int, py: int) -> bool:
        return self.x <= px < self.x + self.width and self.y <= py < self.y + self.height

    def holds(self, other: Rect) -> bool:
        """``other`` lies entirely on this rectangle."""
        return (self.x <= other.x and self.y <= other.y and other.x + other.width <= self.x + self.width
                and other.y + other.height <= self.y + self.height)


def pick(monitors: list[Rect], point: tuple[int, int] | None, focus: Rect | None = None) -> Rect | None:
    """The monitor holding ``point``, else the one holding the centre of ``focus``, else the first."""
    if point is not None:
        for m in monitors:
            if m.contains(*point):
                return m
    if focus is not None:
        centre = (focus.x + focus.width // 2, focus.y + focus.height // 2)
        for m in monitors:
            if m.contains(*centre):
                return m
    return monitors[0] if monitors else None


def centred(monitor: Rect, width: int, height: int, height_share: int = 3) -> tuple[int, int]:
    """Where a ``width`` x ``height`` window goes on ``monitor``: centred across, a
    ``1/height_share`` of the free room above it; pushed on the monitor if it is larger."""
    x = monitor.x + max(0, (monitor.width - width) // 2)
    y = monitor.y + max(0, (monitor.height - height) // height_share)
    return x, y


def clamped(monitor: Rect, x: int, y: int, width: int, height: int) -> tuple[int, int]:
    """(x, y) moved as little as it takes to keep a ``width`` x ``height`` box on ``monitor``."""
    x = max(monitor.x, min(x, monitor.x + monitor.width - width))
    y = max(monitor.y, min(y, monitor.y + monitor.height - height))
    return x, y


def x11_monitors(display: str | None = None) -> list[Rect]:
    """The X display's monitors (Xinerama, else RandR monitors); [] when neither answers."""
    if sys.platform != "linux" or not (display or os.environ.get("DISPLAY")):
        return []
    try:
        from necka_tray.desktop.platform.x11 import open_display

        d = open_display(display)
    except Exception:
        return []
    try:
        return _xinerama(d) or _randr(d)
    finally:
        d.close()


def _xinerama(d) -> list[Rect]:
    try:
        if not d.has_extension("XINERAMA"):
            return []
        active = d.xinerama_is_active()  # python-xlib 0.33 answers a plain int
        if not getattr(active, "state", active):
            return []
        return [Rect(s.x, s.y, s.width, s.height) for s in d.xinerama_query_screens().screens]
    except Exception:
        return []


def _randr(d) -> list[Rect]:
    try:
        if not d.has_extension("RANDR"):
            return []
        found = d.screen().root.xrandr_get_monitors(is_active=True).monitors
        return [Rect(m.x, m.y, m.width_in_pixels, m.height_in_pixels) for m in found]
    except Exception:
        return []


def current(root) -> Rect:
    """The monitor the user looks at, as seen from the Tk ``root``; the whole screen without X11 monitors."""
    screen = Rect(0, 0, root.winfo_screenwidth(), root.winfo_screenheight())
    found = x11_monitors(root.winfo_screen() if sys.platform == "linux" else None)
    if not found:
        return screen
    try:
        point = root.winfo_pointerxy()
    except Exception:
        point = None
    if point is not None and point[0] < 0:  # Tk's "pointer not on this screen"
        point = None
    return pick(found, point, _focused(root)) or screen


def _focused(root) -> Rect | None:
    """The focused toplevel's rectangle, when Tk knows it (only one of our own windows)."""
    try:
        w = root.focus_displayof()
        if w is None:
            return None
        top = w.winfo_toplevel()
        return Rect(top.winfo_rootx(), top.winfo_rooty(), top.winfo_width(), top.winfo_height())
    except Exception:
        return None
