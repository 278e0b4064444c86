"""The tray's X connections, all python-xlib, imported only where X is asked.

Three kinds, so that the tray holds as few as it can:

- the start-up probe (``probe``): is there a display, who holds the XEmbed
  tray selection. On an XEmbed tray the icon ``take``\\ s this very connection
  (it docks and draws on it); otherwise ``drop`` closes it.
- the questions the app's dispatcher thread asks while Necka runs (``shared``):
  how long the user has been idle (MIT-SCREEN-SAVER), whether the focused
  window is full screen. The idle and the full-screen sources share one
  connection; python-xlib is not thread-safe, and both are called from that
  one thread only.
- ``open_display``, a connection of its own (the helper processes: monitors,
  scaling).

On a Wayland desktop without ``DISPLAY`` none of this is imported.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_probe: tuple[str | None, object] | None = None  # (display name, Display) until taken or dropped
_shared: dict[str | None, object] = {}


def open_display(name: str | None = None):
    """A new ``Xlib.display.Display``; raises as ``Display()`` does (e.g. ``DisplayConnectionError``)."""
    from Xlib import display

    return display.Display(name)


def probe(name: str | None):
    """The start-up connection to ``name`` (opened on first use, kept for the tray probes that follow)."""
    global _probe
    with _lock:
        if _probe is None or _probe[0] != name:
            _close_probe()
            _probe = (name, open_display(name))
        return _probe[1]


def take(name: str | None):
    """The start-up connection, handed over to the caller (the XEmbed icon), or a new one."""
    global _probe
    with _lock:
        if _probe is not None and _probe[0] == name:
            display, _probe = _probe[1], None
            return display
        _close_probe()
    return open_display(name)


def drop() -> None:
    """Close the start-up connection if nobody took it."""
    with _lock:
        _close_probe()


def _close_probe() -> None:
    global _probe
    if _probe is not None:
        try:
            _probe[1].close()
        except Exception:  # the server went away: nothing left to close
            pass
        _probe = None


def shared(name: str):
    """The dispatcher thread's connection to ``name`` for its questions (idle time, full screen)."""
    with _lock:
        display = _shared.get(name)
        if display is None:
            display = _shared[name] = open_display(name)
        return display


# -- what a system-tray host tells its icons (the freedesktop system-tray protocol) --


def tray_owner(display) -> int:
    """The window id owning the XEmbed tray selection of the default screen, or 0."""
    atom = display.intern_atom(f"_NET_SYSTEM_TRAY_S{display.get_default_screen()}")
    owner = display.get_selection_owner(atom)
    return owner if isinstance(owner, int) else owner.id  # X.NONE (0) comes as a plain int


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
