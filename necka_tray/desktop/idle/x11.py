"""X11: the MIT-SCREEN-SAVER extension's idle counter (what ``xprintidle`` reads), ~130 µs a query."""

from __future__ import annotations

from typing import Mapping


class X11Idle:
    name = "x11"

    def __init__(self, display_name: str) -> None:
        from Xlib.ext import screensaver

        from necka_tray.desktop.platform.x11 import open_display

        self._display = open_display(display_name, extensions=("MIT-SCREEN-SAVER",))
        if not self._display.has_extension("MIT-SCREEN-SAVER"):
            self._display.close()
            raise RuntimeError("the X server has no MIT-SCREEN-SAVER extension")
        self._query = screensaver.query_info
        self._root = self._display.screen().root

    def idle_seconds(self) -> float | None:
        try:
            return self._query(self._root).idle / 1000.0
        except Exception:
            return None


def open_source(env: Mapping[str, str]) -> X11Idle | None:
    display = env.get("DISPLAY")
    return X11Idle(display) if display else None
