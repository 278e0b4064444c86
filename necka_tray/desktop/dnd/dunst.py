"""dunst's own do-not-disturb (``dunstctl set-paused true``), read as a D-Bus property."""

from __future__ import annotations

from typing import Mapping


class DunstPaused:
    name = "dunst"

    def __init__(self) -> None:
        from jeepney import DBusAddress, Properties

        from necka_tray.desktop.dbus_link import BlockingCaller

        self._conn = BlockingCaller()  # opened again if the connection breaks
        address = DBusAddress("/org/freedesktop/Notifications", bus_name="org.freedesktop.Notifications",
                              interface="org.dunstproject.cmd0")
        self._msg = lambda: Properties(address).get("paused")
        self.quiet()  # probe: raises where dunst is not the notification daemon

    def quiet(self) -> bool:
        reply = self._conn.request(self._msg(), timeout=1)
        if reply.header.message_type.name == "error":
            raise RuntimeError(f"D-Bus error: {reply.body}")
        return bool(reply.body[0][1])


def open_source(env: Mapping[str, str]) -> DunstPaused:
    return DunstPaused()
