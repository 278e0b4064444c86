"""KDE and other freedesktop desktops: ``org.freedesktop.ScreenSaver.GetSessionIdleTime`` (seconds)."""

from __future__ import annotations

from typing import Mapping

from necka_tray.idle.dbus import DBusCaller


class ScreenSaverIdle:
    name = "freedesktop"

    def __init__(self) -> None:
        self._call = DBusCaller(
            "org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
            "org.freedesktop.ScreenSaver", "GetSessionIdleTime",
        ).call
        self._call()  # probe

    def idle_seconds(self) -> float | None:
        try:
            return float(self._call())
        except Exception:
            return None


def open_source(env: Mapping[str, str]) -> ScreenSaverIdle:
    return ScreenSaverIdle()
