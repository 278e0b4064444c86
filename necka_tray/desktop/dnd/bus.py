"""The session-bus side of the shells' do-not-disturb sources: one blocking connection each
(``dbus_link.BlockingCaller``: reopened after it broke; a second or late answer is skipped).

A source asks only when a reminder is due or waits (no signal subscription, no thread).
``GetServerInformation`` tells which notification server runs, so a source probes only
its own shell's settings and never D-Bus-activates another shell's daemon.
"""

from __future__ import annotations

from typing import Any

NOTIFICATIONS = ("/org/freedesktop/Notifications", "org.freedesktop.Notifications", "org.freedesktop.Notifications")


class BusError(RuntimeError):
    """The service answered with a D-Bus error (``name`` is its error name)."""

    def __init__(self, name: str, body: Any) -> None:
        super().__init__(f"{name}: {body}")
        self.name = name


class SessionBus:
    def __init__(self) -> None:
        from necka_tray.desktop.dbus_link import BlockingCaller

        self._conn = BlockingCaller()  # opened again if the connection breaks

    def call(self, path: str, bus_name: str, interface: str, method: str, signature: str | None = None,
             body: tuple = (), timeout: float = 1.0) -> tuple:
        """The reply's body; raises ``BusError`` for an error reply."""
        from jeepney import DBusAddress, HeaderFields, new_method_call

        msg = new_method_call(DBusAddress(path, bus_name=bus_name, interface=interface), method, signature, body)
        reply = self._conn.request(msg, timeout=timeout)
        if reply.header.message_type.name == "error":
            raise BusError(str(reply.header.fields.get(HeaderFields.error_name)), reply.body)
        return reply.body

    def get_property(self, path: str, bus_name: str, interface: str, name: str) -> Any:
        return self.call(path, bus_name, "org.freedesktop.DBus.Properties", "Get", "ss", (interface, name))[0][1]

    def server_name(self) -> str:
        """The notification server's own name ("mako", "Plasma", "Xfce Notify Daemon", "gnome-shell")."""
        return self.call(*NOTIFICATIONS, "GetServerInformation")[0]

    def close(self) -> None:
        self._conn.close()


def open_for(server: str, bus: SessionBus | None = None) -> SessionBus:
    """A connection, when the running notification server is ``server``; else LookupError (closed)."""
    bus = bus or SessionBus()
    try:
        name = bus.server_name()
    except BaseException:
        bus.close()
        raise
    if name != server:
        bus.close()
        raise LookupError(f"the notification server is {name!r}, not {server!r}")
    return bus
