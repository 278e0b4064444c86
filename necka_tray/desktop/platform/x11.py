"""Opening X connections cheaply: the display probes, and the XEmbed icon's python-xlib.

python-xlib's ``Display()`` asks the server about every extension it knows and
imports a module for each: 13 round trips and modules on a common X server,
~30 ms before Necka's icon could dock, paid again for every connection. The
probes and the tray icon speak the core protocol only, so they connect
without extensions; code that needs one (the idle counter's MIT-SCREEN-SAVER)
asks for just that one.

The start-up probes (is there a display, is there an XEmbed tray) share one
connection of ``xwire``'s, which needs no python-xlib: on a StatusNotifierItem
desktop the tray process never loads it (~2.5 MiB). Only the XEmbed icon, which
draws and docks a window, opens a python-xlib ``Display``.

Nor does Necka ever turn keys into keysyms, so a connection skips the
keyboard map that ``Display()`` fetches and indexes (a reply of every
keycode's keysyms): ~0.4 MiB of heap per connection, kept for its lifetime.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_probe: tuple[str | None, object] | None = None  # (display name, connection) kept for the tray


def open_display(name: str | None = None, extensions: tuple[str, ...] = ()):
    """An ``Xlib.display.Display`` with only the named extensions (X protocol names,
    e.g. ``"MIT-SCREEN-SAVER"``) loaded; raises as ``Display()`` does."""
    from Xlib import ext

    # python-xlib reads this list while connecting; it has no option to skip it.
    with _lock:
        saved = ext.__extensions__
        ext.__extensions__ = [e for e in saved if e[0] in extensions]
        try:
            return _display_class()(name)
        finally:
            ext.__extensions__ = saved


_Display = None


def _display_class():
    """``Xlib.display.Display`` without its keyboard map (built on first use: Xlib loads lazily)."""
    global _Display
    if _Display is None:
        import Xlib.display

        class Display(Xlib.display.Display):
            def _update_keymap(self, first_keycode, count):
                """Skipped: keysym lookups then find nothing, and Necka makes none."""

        _Display = Display
    return _Display


def probe(name: str | None):
    """The shared start-up ``xwire.Connection`` to ``name`` (opened on first use)."""
    global _probe
    if _probe is None or _probe[0] != name:
        drop()
        from necka_tray.desktop.platform.xwire import Connection

        _probe = (name, Connection(name))
    return _probe[1]


def take(name: str | None):
    """A python-xlib connection for the XEmbed icon (the start-up probes' one is closed first)."""
    drop()
    return open_display(name)


def drop() -> None:
    """Close the start-up connection if nobody took it."""
    global _probe
    if _probe is not None:
        _probe[1].close()
        _probe = None


# -- what a system-tray host tells its icons (the freedesktop system-tray protocol) --


def tray_is_vertical(owner, orientation_atom: int) -> bool:
    """The tray host's _NET_SYSTEM_TRAY_ORIENTATION is vertical (a side panel)."""
    from Xlib import Xatom, error as xerror

    try:
        prop = owner.get_full_property(orientation_atom, Xatom.CARDINAL)
    except xerror.XError:
        return False
    return bool(prop and prop.value and prop.value[0] == 1)


def tray_argb_visual(display, owner, visual_atom: int) -> int:
    """The 32-bit visual the tray host offers for translucent icons (_NET_SYSTEM_TRAY_VISUAL), or 0."""
    from Xlib import Xatom, error as xerror

    try:
        prop = owner.get_full_property(visual_atom, Xatom.VISUALID)
    except xerror.XError:
        return 0
    if not prop or not prop.value:
        return 0
    wanted = prop.value[0]
    for depth in display.screen().allowed_depths:
        if depth.depth == 32 and any(v.visual_id == wanted for v in depth.visuals):
            return wanted
    return 0
