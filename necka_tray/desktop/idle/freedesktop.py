"""KDE and other freedesktop desktops: ``org.freedesktop.ScreenSaver.GetSessionIdleTime`` (seconds)."""

from __future__ import annotations

from typing import Mapping

from necka_tray.desktop.idle.dbus import DBusIdle


def open_source(env: Mapping[str, str]) -> DBusIdle:
    return DBusIdle("freedesktop", "org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
                    "org.freedesktop.ScreenSaver", "GetSessionIdleTime", float)
