"""X11: the MIT-SCREEN-SAVER extension's idle counter (what ``xprintidle`` reads), one round trip a query."""

from __future__ import annotations

from typing import Mapping


class NoScreenSaverExtension(RuntimeError):
    """The X server lacks MIT-SCREEN-SAVER: the next idle source is tried."""


class X11Idle:
    name = "x11"

    def __init__(self, display_name: str) -> None:
        from necka_tray.desktop.platform import x11

        self._display = x11.shared(display_name)  # python-xlib, shared with the full-screen check
        if not self._display.has_extension("MIT-SCREEN-SAVER"):
            raise NoScreenSaverExtension("the X server has no MIT-SCREEN-SAVER extension")
        self._root = self._display.screen().root

    def idle_seconds(self) -> float | None:
        try:
            return self._root.screensaver_query_info().idle / 1000.0
        except Exception:
            return None


def open_source(env: Mapping[str, str]) -> X11Idle | None:
    display = env.get("DISPLAY")
    return X11Idle(display) if display else None
