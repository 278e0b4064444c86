"""When the StatusNotifierItem tells the watcher it exists: only once its first menu is drawn.

A host builds its menu from the item's dbusmenu when it learns of the item, and
Xfce's panel (libdbusmenu-gtk3) shows its own plugin menu on a right click while
that menu is still empty. So the item must not be announced with the empty
menu it has before the app's first render. A stand-in watcher on a real
private bus records the ``RegisterStatusNotifierItem`` calls; checked without
sleeping: the item sends its start-up calls before its receiving loop answers
anything, so a Ping's reply to the watcher comes after any call it sent there.
"""

from __future__ import annotations

from jeepney import DBusAddress, HeaderFields, MessageType, new_method_call, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

from tests.integration.test_sni_bus import Host, entries, serving, view

WATCHER = "org.kde.StatusNotifierWatcher"


class Watcher:
    """The watcher's name on the bus: answers registrations (and says a host runs) and keeps them."""

    def __init__(self, address: str) -> None:
        self.conn = open_dbus_connection(address)
        reply = self.conn.send_and_get_reply(message_bus.RequestName(WATCHER, 4), timeout=5)
        assert reply.body == (1,), reply.body  # the primary owner
        self.registered: list[str] = []

    def pump(self, until) -> None:
        """Answer what comes until ``until(msg)`` is true for a message."""
        while True:
            msg = self.conn.receive(timeout=5)
            fields = msg.header.fields
            if msg.header.message_type == MessageType.method_call:
                member = fields.get(HeaderFields.member)
                if member == "RegisterStatusNotifierItem":
                    self.registered.append(msg.body[0])
                    self.conn.send(new_method_return(msg))
                elif member == "Get":  # IsStatusNotifierHostRegistered
                    self.conn.send(new_method_return(msg, "v", (("b", True),)))
            if until(msg):
                return

    def ping(self, item: str) -> None:
        """Every call the item sent here before it answers this Ping has been answered."""
        msg = new_method_call(DBusAddress("/StatusNotifierItem", bus_name=item, interface="org.freedesktop.DBus.Peer"),
                              "Ping")
        serial = next(self.conn.outgoing_serial)
        self.conn.send(msg, serial=serial)
        self.pump(lambda m: m.header.fields.get(HeaderFields.reply_serial) == serial)


def test_the_item_registers_only_once_its_first_menu_is_drawn(private_bus, tmp_path, monkeypatch):
    watcher = Watcher(private_bus)
    running = serving(private_bus, tmp_path, monkeypatch, Host)
    tray, host, _ = next(running)
    try:
        watcher.ping(tray._conn.unique_name)
        assert watcher.registered == [], "announced to the hosts with an empty menu"
        tray.render(view(), entries(view()))
        watcher.pump(lambda m: bool(watcher.registered))
        assert watcher.registered == [tray.bus_name]
        # What a host reads the moment it hears of the item: the whole menu.
        revision, root = host.call("/MenuBar", "com.canonical.dbusmenu", "GetLayout", "iias", (0, -1, []))
        labels = [child[1][1].get("label", ("s", ""))[1] for child in root[2]]
        assert revision >= 1 and "Start stretch session" in labels and "Quit Necka" in labels, labels
        tray.render(view(), entries(view()))  # later renders do not register again
        watcher.ping(tray._conn.unique_name)
        assert watcher.registered == [tray.bus_name]
    finally:
        running.close()
        watcher.conn.close()
