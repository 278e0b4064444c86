"""X11: the MIT-SCREEN-SAVER extension's idle counter (what ``xprintidle`` reads), one round trip a query."""

from __future__ import annotations

from typing import Mapping


class X11Idle:
    name = "x11"

    def __init__(self, display_name: str) -> None:
        from necka_tray.desktop.platform.xwire import Connection, XWireError

        self._display = Connection(display_name)  # xwire: no python-xlib in the tray for this
        if not self._display.has_extension("MIT-SCREEN-SAVER"):
            self._display.close()
            raise XWireError("the X server has no MIT-SCREEN-SAVER extension")

    def idle_seconds(self) -> float | None:
        try:
            return self._display.idle_ms() / 1000.0
        except Exception:
            return None


def open_source(env: Mapping[str, str]) -> X11Idle | None:
    display = env.get("DISPLAY")
    return X11Idle(display) if display else None
