"""One D-Bus method call over jeepney (pure Python), shared by the D-Bus idle sources."""

from __future__ import annotations

from typing import Any


class DBusCaller:
    """Keeps one session-bus connection and calls one method on it."""

    def __init__(self, bus_name: str, path: str, interface: str, method: str) -> None:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection

        self._conn = open_dbus_connection(bus="SESSION")
        self._make = lambda: new_method_call(DBusAddress(path, bus_name=bus_name, interface=interface), method)

    def call(self) -> Any:
        reply = self._conn.send_and_get_reply(self._make(), timeout=2)
        if reply.header.message_type.name == "error":
            raise RuntimeError(f"D-Bus error: {reply.body}")
        return reply.body[0]
