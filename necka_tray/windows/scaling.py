"""Follow the desktop's font scaling in a Tk window.

Tk guesses its DPI from the screen's reported physical size, which ignores
what the user chose in their desktop settings. GNOME's "large text", KDE's
"force font DPI" and Xfce's DPI setting all publish ``Xft.dpi`` in the X
resources (``RESOURCE_MANAGER`` on the root window, also under XWayland), so
on X11 that value becomes Tk's scaling. Windows and macOS tell Tk themselves.
"""

from __future__ import annotations

import os
import sys
import tkinter as tk

#: A DPI outside this range is a broken setting, not a choice.
_DPI_RANGE = (48.0, 480.0)


def desktop_dpi(display: str | None = None) -> float | None:
    """``Xft.dpi`` of the X display, or None (no X11, not set, or unreadable)."""
    if sys.platform != "linux" or not (display or os.environ.get("DISPLAY")):
        return None
    try:
        from Xlib import Xatom

        from necka_tray.desktop.platform.x11 import open_display

        d = open_display(display)
    except Exception:
        return None
    try:
        prop = d.screen().root.get_full_property(d.intern_atom("RESOURCE_MANAGER"), Xatom.STRING)
    except Exception:
        prop = None
    finally:
        d.close()
    if prop is None:
        return None
    value = prop.value.decode("utf-8", "replace") if isinstance(prop.value, bytes) else str(prop.value)
    return parse_xft_dpi(value)


def parse_xft_dpi(resources: str) -> float | None:
    for line in resources.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "Xft.dpi":
            try:
                dpi = float(value.strip())
            except ValueError:
                return None
            return dpi if _DPI_RANGE[0] <= dpi <= _DPI_RANGE[1] else None
    return None


def apply(root: tk.Tk, dpi: float | None = None) -> float:
    """Set Tk's scaling from the desktop's DPI (when known); returns pixels per 1/96 inch (at least 1)."""
    dpi = desktop_dpi() if dpi is None else dpi
    if dpi is not None:
        root.tk.call("tk", "scaling", dpi / 72.0)
    return max(1.0, root.winfo_fpixels("1i") / 96.0)
