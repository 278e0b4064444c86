"""GNOME (Wayland or X11): Mutter's IdleMonitor over D-Bus, in milliseconds."""

from __future__ import annotations

from typing import Mapping

from necka_tray.desktop.idle.dbus import DBusIdle


def parse(milliseconds: int) -> float:
    return milliseconds / 1000.0


def open_source(env: Mapping[str, str]) -> DBusIdle:
    return DBusIdle("gnome", "org.gnome.Mutter.IdleMonitor", "/org/gnome/Mutter/IdleMonitor/Core",
                    "org.gnome.Mutter.IdleMonitor", "GetIdletime", parse)
