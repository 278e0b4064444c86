"""GNOME (Wayland or X11): Mutter's IdleMonitor over D-Bus, in milliseconds."""

from __future__ import annotations

from typing import Mapping

from necka_tray.idle.dbus import DBusCaller


def parse(milliseconds: int) -> float:
    return milliseconds / 1000.0


class MutterIdle:
    name = "gnome"

    def __init__(self) -> None:
        self._call = DBusCaller(
            "org.gnome.Mutter.IdleMonitor", "/org/gnome/Mutter/IdleMonitor/Core",
            "org.gnome.Mutter.IdleMonitor", "GetIdletime",
        ).call
        self._call()  # probe: raises where Mutter does not answer

    def idle_seconds(self) -> float | None:
        try:
            return parse(self._call())
        except Exception:
            return None


def open_source(env: Mapping[str, str]) -> MutterIdle:
    return MutterIdle()
