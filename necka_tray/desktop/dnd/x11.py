"""X11: is the focused window full screen?

The EWMH way is ``_NET_WM_STATE_FULLSCREEN`` on ``_NET_ACTIVE_WINDOW``; without
a window manager that keeps those, a focused top-level window covering the
whole screen counts too (desktop-type windows, which always do, never count).
"""

from __future__ import annotations

from typing import Mapping

from necka_tray.desktop.platform.xwire import NONE, POINTER_ROOT, Connection  # xwire: no python-xlib in the tray


class X11Fullscreen:
    name = "x11-fullscreen"

    def __init__(self, display_name: str) -> None:
        self._d = Connection(display_name)
        self._root = self._d.screen.root
        atom = self._d.intern_atom
        self._active = atom("_NET_ACTIVE_WINDOW")
        self._state = atom("_NET_WM_STATE")
        self._fullscreen = atom("_NET_WM_STATE_FULLSCREEN")
        self._type = atom("_NET_WM_WINDOW_TYPE")
        self._desktop = atom("_NET_WM_WINDOW_TYPE_DESKTOP")

    def quiet(self) -> bool:
        window = self._focused()
        if window is None:
            return False
        if self._fullscreen in self._atoms(window, self._state):
            return True
        if self._desktop in self._atoms(window, self._type):
            return False
        geo = self._d.get_geometry(window)
        origin = self._d.translate_coords(self._root, window, 0, 0)  # the root's corner, seen from the window
        return (geo.width, geo.height) == (self._d.screen.width, self._d.screen.height) and origin == (0, 0)

    def _focused(self) -> int | None:
        active = self._d.get_property(self._root, self._active)
        if active and active[0]:
            return active[0]
        focus = self._d.get_input_focus()
        if focus in (NONE, POINTER_ROOT, self._root):
            return None
        return self._toplevel(focus)

    def _toplevel(self, window: int) -> int:
        while True:
            parent = self._d.query_parent(window)
            if parent in (NONE, self._root):
                return window
            window = parent

    def _atoms(self, window: int, prop: int) -> list[int]:
        return self._d.get_property(window, prop) or []


def open_source(env: Mapping[str, str]) -> X11Fullscreen | None:
    display = env.get("DISPLAY")
    return X11Fullscreen(display) if display else None
