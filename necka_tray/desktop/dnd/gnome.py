"""GNOME Shell's do-not-disturb: ``org.gnome.desktop.notifications show-banners`` set to false.

GSettings has no D-Bus read API (dconf is a file the client maps), so Necka runs ``gsettings get``
when a reminder is due, only where gnome-shell is the notification server, and keeps GTK and
GObject out of the tray process.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Callable, Mapping

from necka_tray.desktop.dnd.bus import SessionBus, open_for

KEY = ["org.gnome.desktop.notifications", "show-banners"]


def _gsettings(key: list[str]) -> str:
    return subprocess.run(["gsettings", "get", *key], capture_output=True, text=True, timeout=2, check=True,
                          stdin=subprocess.DEVNULL).stdout


def parse(text: str) -> bool:
    """gsettings prints a GVariant boolean: "true" or "false"."""
    value = text.strip()
    if value not in ("true", "false"):
        raise ValueError(f"show-banners is not a boolean: {value[:40]!r}")
    return value == "true"


class GnomeBanners:
    name = "gnome-dnd"

    def __init__(self, read: Callable[[list[str]], str] = _gsettings) -> None:
        self._read = read
        self.quiet()  # probe: raises where the schema is missing

    def quiet(self) -> bool:
        return not parse(self._read(KEY))


def open_source(env: Mapping[str, str], bus: SessionBus | None = None) -> GnomeBanners:
    if shutil.which("gsettings") is None:
        raise LookupError("gsettings is not installed")
    open_for("gnome-shell", bus).close()
    return GnomeBanners()
