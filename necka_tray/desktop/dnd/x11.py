"""X11: is the focused window full screen?

The EWMH way is ``_NET_WM_STATE_FULLSCREEN`` on ``_NET_ACTIVE_WINDOW``; without
a window manager that keeps those, a focused top-level window covering the
whole screen counts too (desktop-type windows, which always do, never count).
Asked through python-xlib (``XQuestions``), on the connection the idle source shares.
"""

from __future__ import annotations

from typing import Mapping, NamedTuple

NONE = 0  # X.NONE
POINTER_ROOT = 1  # X.PointerRoot


class Screen(NamedTuple):
    root: int
    width: int
    height: int


class Geometry(NamedTuple):
    x: int
    y: int
    width: int
    height: int


class X11Fullscreen:
    name = "x11-fullscreen"

    def __init__(self, display_name: str) -> None:
        from necka_tray.desktop.platform import x11

        self._d = XQuestions(x11.shared(display_name))
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


class XQuestions:
    """The few requests the check makes, on a python-xlib ``Display``, in window ids (ints)."""

    def __init__(self, display) -> None:
        self._d = display
        screen = display.screen()
        self.screen = Screen(screen.root.id, screen.width_in_pixels, screen.height_in_pixels)

    def intern_atom(self, name: str) -> int:
        return self._d.intern_atom(name)

    def get_property(self, window: int, prop: int) -> list[int] | None:
        """The values of a format-32 property (atoms, windows), or None if it is unset."""
        from Xlib import X

        reply = self._window(window).get_full_property(prop, X.AnyPropertyType)
        if reply is None:
            return None
        return list(reply.value) if reply.format == 32 else []

    def get_input_focus(self) -> int:
        return _id(self._d.get_input_focus().focus)

    def query_parent(self, window: int) -> int:
        return _id(self._window(window).query_tree().parent)

    def get_geometry(self, window: int) -> Geometry:
        geo = self._window(window).get_geometry()
        return Geometry(geo.x, geo.y, geo.width, geo.height)

    def translate_coords(self, src: int, dst: int, x: int, y: int) -> tuple[int, int]:
        """(x, y) of ``src``'s point in ``dst``'s coordinates."""
        reply = self._window(dst).translate_coords(self._window(src), x, y)
        return reply.x, reply.y

    def _window(self, window: int):
        return self._d.create_resource_object("window", window)


def _id(window) -> int:
    """A window's id; python-xlib gives X.NONE and X.PointerRoot as plain ints."""
    return window if isinstance(window, int) else window.id


def open_source(env: Mapping[str, str]) -> X11Fullscreen | None:
    display = env.get("DISPLAY")
    return X11Fullscreen(display) if display else None
