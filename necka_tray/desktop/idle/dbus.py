"""Idle time from one D-Bus method call over jeepney (pure Python): the GNOME and freedesktop sources."""

from __future__ import annotations

from typing import Callable


class DBusIdle:
    """Keeps one session-bus connection; ``idle_seconds`` makes one call and converts its answer."""

    def __init__(self, name: str, bus_name: str, path: str, interface: str, method: str,
                 to_seconds: Callable[[int], float]) -> None:
        from jeepney import DBusAddress, new_method_call

        from necka_tray.desktop.dbus_link import BlockingCaller

        self.name = name
        self._conn = BlockingCaller()  # opened again if the connection breaks
        address = DBusAddress(path, bus_name=bus_name, interface=interface)
        self._message = lambda: new_method_call(address, method)
        self._to_seconds = to_seconds
        self._call()  # probe: raises where the service does not answer

    def _call(self) -> int:
        reply = self._conn.request(self._message(), timeout=2)
        if reply.header.message_type.name == "error":
            raise RuntimeError(f"D-Bus error: {reply.body}")
        return reply.body[0]

    def idle_seconds(self) -> float | None:
        try:
            return self._to_seconds(self._call())
        except Exception:
            return None
