"""Plasma's notification server: its ``Inhibited`` property (do-not-disturb, or an app inhibiting).

Plasma answers GetServerInformation with "Plasma" and keeps ``Inhibited`` on the
org.freedesktop.Notifications interface; read when a reminder is due.
"""

from __future__ import annotations

from typing import Mapping

from necka_tray.desktop.dnd.bus import NOTIFICATIONS, SessionBus, open_for


class PlasmaInhibited:
    name = "plasma-dnd"

    def __init__(self, bus: SessionBus) -> None:
        self._bus = bus
        self.quiet()  # probe

    def quiet(self) -> bool:
        return bool(self._bus.get_property(*NOTIFICATIONS, "Inhibited"))


def open_source(env: Mapping[str, str], bus: SessionBus | None = None) -> PlasmaInhibited:
    return PlasmaInhibited(open_for("Plasma", bus))
