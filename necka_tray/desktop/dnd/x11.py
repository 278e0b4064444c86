"""X11: is the focused window full screen?

The EWMH way is ``_NET_WM_STATE_FULLSCREEN`` on ``_NET_ACTIVE_WINDOW``; without
a window manager that keeps those, a focused top-level window covering the
whole screen counts too (desktop-type windows, which always do, never count).
"""

from __future__ import annotations

from typing import Mapping

from Xlib import X


class X11Fullscreen:
    name = "x11-fullscreen"

    def __init__(self, display_name: str) -> None:
        from necka_tray.desktop.platform.x11 import open_display

        self._d = open_display(display_name)  # core protocol only
        self._root = self._d.screen().root
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
        geo = window.get_geometry()
        screen = self._d.screen()
        origin = window.translate_coords(self._root, 0, 0)
        return (geo.width, geo.height) == (screen.width_in_pixels, screen.height_in_pixels) and (
            -origin.x, -origin.y) == (0, 0)

    def _focused(self):
        prop = self._root.get_full_property(self._active, X.AnyPropertyType)
        if prop is not None and prop.value and prop.value[0]:
            return self._d.create_resource_object("window", prop.value[0])
        focus = self._d.get_input_focus().focus
        if isinstance(focus, int) or focus == self._root:  # None or PointerRoot
            return None
        return self._toplevel(focus)

    def _toplevel(self, window):
        while True:
            parent = window.query_tree().parent
            if parent is None or parent == self._root or parent.id == 0:
                return window
            window = parent

    @staticmethod
    def _atoms(window, prop) -> list[int]:
        value = window.get_full_property(prop, X.AnyPropertyType)
        return list(value.value) if value is not None else []


def open_source(env: Mapping[str, str]) -> X11Fullscreen | None:
    display = env.get("DISPLAY")
    return X11Fullscreen(display) if display else None
