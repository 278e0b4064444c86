"""The StatusNotifierItem and its dbusmenu on a real (private) D-Bus session bus, no display.

A jeepney client plays the host: it reads the item's properties and menu,
clicks, and listens to the signals. Checks what a host relies on: a click on
a menu item or the icon reaches the app as the same action the XEmbed popup
sends, every visible change is signalled, and nothing is signalled when
nothing changed (checked without sleeping: a Ping's reply comes after any
signal the item sent before it).
"""

from __future__ import annotations

import threading

import pytest
from jeepney import DBusAddress, HeaderFields, MessageType, new_method_call
from jeepney.bus_messages import MatchRule, message_bus
from jeepney.io.blocking import open_dbus_connection

from necka_tray.core.actions import Action, Verb
from necka_tray.core.planner import TrayView
from necka_tray.core.reminders import Kind
from necka_tray.tray import menu_model

@pytest.fixture
def bus(private_bus):
    return private_bus


def view(**kw) -> TrayView:
    base = dict(tooltip="Necka: stretch break in 23 min", status_lines=("Posture check in 12 min",), ring_step=2,
                stretch_due=False, paused=False, session_running=False)
    return TrayView(**{**base, **kw})


def entries(v: TrayView):
    return menu_model.build_menu(v, 60, {k: True for k in Kind}, autostart=False)


class Host:
    """A minimal SNI host: calls the item and collects the signals it sends."""

    def __init__(self, address: str, item: str) -> None:
        self.conn = open_dbus_connection(address)
        self.item = item
        self.signals: list[str] = []
        self.conn.send_and_get_reply(message_bus.AddMatch(MatchRule(type="signal", sender=item)), timeout=5)

    def call(self, path: str, interface: str, member: str, signature: str | None = None, body=()):
        msg = new_method_call(DBusAddress(path, bus_name=self.item, interface=interface), member, signature, body)
        serial = next(self.conn.outgoing_serial)
        self.conn.send(msg, serial=serial)
        while True:
            reply = self.conn.receive(timeout=5)
            if reply.header.message_type == MessageType.signal:
                self.signals.append(reply.header.fields[HeaderFields.member])
            elif reply.header.fields.get(HeaderFields.reply_serial) == serial:
                if reply.header.message_type == MessageType.error:
                    raise RuntimeError(reply.header.fields.get(HeaderFields.error_name))
                return reply.body

    def signals_until_now(self) -> list[str]:
        """Every signal the item sent before now (a Ping's reply comes after them)."""
        self.signals = []
        self.call("/StatusNotifierItem", "org.freedesktop.DBus.Peer", "Ping")
        return self.signals


def serving(bus, tmp_path, monkeypatch, host_type):
    """The item on its own thread, as in the tray, and a ``host_type`` host talking to it."""
    from necka_tray.tray import sni_pixmaps
    from necka_tray.tray.sni import SniTray

    # No icon-drawing helper: its pixmaps arriving later would be a (correct) NewIcon in the middle of a test.
    monkeypatch.setattr(sni_pixmaps.Pixmaps, "_draw", lambda self, sizes: None)
    actions: list[tuple] = []
    tray = SniTray(actions.append, cache_dir=tmp_path, bus=bus)
    ready = threading.Event()
    thread = threading.Thread(target=tray.run, args=(ready.set,), daemon=True)
    thread.start()
    assert ready.wait(5)
    host = host_type(bus, tray._conn.unique_name)
    yield tray, host, actions
    tray.stop()
    thread.join(5)
    assert not thread.is_alive()
    host.conn.close()


@pytest.fixture
def item(bus, tmp_path, monkeypatch):
    yield from serving(bus, tmp_path, monkeypatch, Host)


def find(node, label):
    item_id, props, children = node
    if props.get("label") == ("s", label):
        return item_id
    return next((f for c in children if (f := find(c[1], label)) is not None), None)


def test_menu_click_and_icon_clicks_reach_the_app_as_the_popups_actions(item):
    tray, host, actions = item
    tray.render(view(), entries(view()))
    assert "LayoutUpdated" in host.signals_until_now()
    revision, root = host.call("/MenuBar", "com.canonical.dbusmenu", "GetLayout", "iias", (0, -1, []))
    chosen = find(root, "45 min")
    host.call("/MenuBar", "com.canonical.dbusmenu", "Event", "isvu", (chosen, "clicked", ("s", ""), 0))
    host.call("/StatusNotifierItem", "org.kde.StatusNotifierItem", "Activate", "ii", (0, 0))
    host.call("/StatusNotifierItem", "org.kde.StatusNotifierItem", "SecondaryActivate", "ii", (0, 0))
    assert actions == [Action(Verb.INTERVAL, 45), Action(Verb.SESSION), Action(Verb.PAUSE, "30m")]


def test_properties_and_signals_follow_the_view_and_stay_quiet_without_change(item):
    tray, host, _ = item
    tray.render(view(), entries(view()))
    host.signals_until_now()
    (props,) = host.call("/StatusNotifierItem", "org.freedesktop.DBus.Properties", "GetAll", "s",
                         ("org.kde.StatusNotifierItem",))
    assert props["Status"] == ("s", "Active") and props["ItemIsMenu"] == ("b", False)
    assert props["Menu"] == ("o", "/MenuBar") and props["ToolTip"][1][2] == "Necka: stretch break in 23 min"
    tray.render(view(), entries(view()))
    assert host.signals_until_now() == []  # the minute's refresh of an unchanged view
    later = view(status_lines=("Posture check in 11 min",), tooltip="Necka: stretch break in 22 min")
    tray.render(later, entries(later))
    assert sorted(host.signals_until_now()) == ["ItemsPropertiesUpdated", "NewToolTip"]
    due = view(stretch_due=True, ring_step=8)
    tray.render(due, entries(due))
    assert {"LayoutUpdated", "NewStatus", "NewToolTip"} <= set(host.signals_until_now())
    (status,) = host.call("/StatusNotifierItem", "org.freedesktop.DBus.Properties", "Get", "ss",
                          ("org.kde.StatusNotifierItem", "Status"))
    assert status == ("s", "NeedsAttention")


def test_bad_calls_get_errors_not_silence(item):
    tray, host, _ = item
    tray.render(view(), entries(view()))
    with pytest.raises(RuntimeError, match="InvalidArgs"):
        host.call("/MenuBar", "com.canonical.dbusmenu", "GetLayout", "iias", (999, -1, []))
    with pytest.raises(RuntimeError, match="UnknownMethod"):
        host.call("/StatusNotifierItem", "org.kde.StatusNotifierItem", "Explode")
    with pytest.raises(RuntimeError, match="InvalidArgs"):
        host.call("/MenuBar", "com.canonical.dbusmenu", "GetLayout", "i", (0,))  # too few arguments
    assert host.call("/StatusNotifierItem", "org.freedesktop.DBus.Introspectable", "Introspect")[0].startswith("<node>")


class MenuHost(Host):
    """A dbusmenu host as GNOME's extension and libdbusmenu are: it caches each id's properties from
    GetLayout / GetGroupProperties and applies ItemsPropertiesUpdated; LayoutUpdated makes it re-read."""

    def __init__(self, address: str, item: str) -> None:
        super().__init__(address, item)
        self.cache: dict[int, dict] = {}
        self.bodies: list[tuple[str, tuple]] = []

    def call(self, path, interface, member, signature=None, body=()):
        msg = new_method_call(DBusAddress(path, bus_name=self.item, interface=interface), member, signature, body)
        serial = next(self.conn.outgoing_serial)
        self.conn.send(msg, serial=serial)
        while True:
            reply = self.conn.receive(timeout=5)
            if reply.header.message_type == MessageType.signal:
                name = reply.header.fields[HeaderFields.member]
                self.signals.append(name)
                self.bodies.append((name, reply.body))
                if name == "ItemsPropertiesUpdated":
                    for item_id, props in reply.body[0]:
                        self.cache.setdefault(item_id, {}).update(props)
                    for item_id, names in reply.body[1]:
                        for n in names:
                            self.cache.get(item_id, {}).pop(n, None)
            elif reply.header.fields.get(HeaderFields.reply_serial) == serial:
                if reply.header.message_type == MessageType.error:
                    raise RuntimeError(reply.header.fields.get(HeaderFields.error_name))
                return reply.body

    def menu_signals(self) -> list[str]:
        return [s for s in self.signals_until_now() if s in ("LayoutUpdated", "ItemsPropertiesUpdated")]

    def menu(self, member, signature, body):
        return self.call("/MenuBar", "com.canonical.dbusmenu", member, signature, body)

    def read(self) -> list[tuple[int, str, dict]]:
        """GetLayout of only type and children-display (as GNOME asks), full properties of new ids only."""
        revision, root = self.menu("GetLayout", "iias", (0, -1, ["type", "children-display"]))
        rows: list[tuple[int, int]] = []

        def walk(node, depth):
            item_id, props, children = node
            if item_id not in self.cache:
                (fresh,) = self.menu("GetGroupProperties", "aias", ([item_id], []))
                self.cache[item_id] = dict(fresh[0][1]) if fresh else {}
            else:
                self.cache[item_id].update(props)
            if item_id:
                rows.append((item_id, depth))
            for _, child in children:
                walk(child, depth + 1)

        walk(root, -1)
        return [(i, "  " * d + self.cache[i].get("label", ("s", "---"))[1], self.cache[i]) for i, d in rows]


@pytest.fixture
def menu_item(bus, tmp_path, monkeypatch):
    yield from serving(bus, tmp_path, monkeypatch, MenuHost)


def full(v: TrayView, interval=60, today=("Today: 3 stretches",)):
    return menu_model.build_menu(v, interval, {k: True for k in Kind}, autostart=False, today=today)


def test_a_caching_host_draws_the_menu_right_after_lines_appear_and_a_stale_click_does_nothing(menu_item):
    tray, host, actions = menu_item
    assert host.read() == []  # before the first menu: empty, revision 0
    tray.render(view(), full(view()))
    assert host.menu_signals() == ["LayoutUpdated"]
    first = host.read()
    ids = {label.strip(): i for i, label, _ in first}
    due = view(stretch_due=True, status_lines=("Stretch break due",))
    tray.render(due, full(due, today=("Today: 3 stretches", "Streak: 2 days")))
    assert host.menu_signals() == ["ItemsPropertiesUpdated", "LayoutUpdated"]
    assert [b for name, b in host.bodies if name == "LayoutUpdated"][-1] == (2, 0)  # the new revision
    drawn = host.read()
    assert drawn == [(i, label, host.cache[i]) for i, label, _ in drawn]
    expected = [(label.strip(), dict(p)) for label, p in _labels(full(due, today=("Today: 3 stretches",
                                                                                  "Streak: 2 days")))]
    assert [(label.strip(), props) for _, label, props in drawn] == expected  # what the host cached is right
    again = {label.strip(): i for i, label, _ in drawn}
    assert all(again[label] == ids[label] for label in ("Break interval", "45 min", "Start at login", "Quit Necka"))
    host.menu("Event", "isvu", (ids["45 min"], "clicked", ("i", 0), 0))
    assert actions == [Action(Verb.INTERVAL, 45)]
    tray.render(view(), full(view()))  # Snooze and Skip go
    host.read()
    with pytest.raises(RuntimeError, match="InvalidArgs"):
        host.menu("Event", "isvu", (again["Snooze stretch 10 min"], "clicked", ("i", 0), 0))
    assert actions == [Action(Verb.INTERVAL, 45)]
    tray.render(view(), full(view(), interval=45))
    assert host.menu_signals() == ["ItemsPropertiesUpdated"]
    radios = [(label.strip(), p["toggle-state"][1]) for _, label, p in host.read() if "min" in label and
              p.get("toggle-type") == ("s", "radio")]
    assert radios == [("20 min", 0), ("30 min", 0), ("45 min", 1), ("60 min", 0), ("90 min", 0)]


def _labels(entries, depth=0):
    from necka_tray.tray.dbusmenu import props

    for e in entries:
        p = props(e)
        yield "  " * depth + (p.get("label", ("s", "---"))[1]), p
        yield from _labels(e.children, depth + 1)


def test_every_property_a_host_asks_for_is_answered_and_an_activation_token_is_taken(item):
    from necka_tray.tray import activation

    tray, host, _ = item
    tray.render(view(), entries(view()))
    for name in ("IconAccessibleDesc", "AttentionAccessibleDesc", "XAyatanaLabel", "XAyatanaLabelGuide",
                 "XAyatanaOrderingIndex", "Category", "Id", "Title", "Status", "WindowId", "IconThemePath", "Menu",
                 "ItemIsMenu", "IconName", "IconPixmap", "OverlayIconName", "OverlayIconPixmap",
                 "AttentionIconName", "AttentionIconPixmap", "AttentionMovieName", "ToolTip"):
        host.call("/StatusNotifierItem", "org.freedesktop.DBus.Properties", "Get", "ss",
                  ("org.kde.StatusNotifierItem", name))
    (desc,) = host.call("/StatusNotifierItem", "org.freedesktop.DBus.Properties", "Get", "ss",
                        ("org.kde.StatusNotifierItem", "IconAccessibleDesc"))
    assert desc == ("s", "Necka")
    host.call("/StatusNotifierItem", "org.kde.StatusNotifierItem", "ProvideXdgActivationToken", "s", ("tok-1",))
    assert activation.take() == "tok-1" and activation.take() is None
    host.call("/StatusNotifierItem", "org.kde.StatusNotifierItem", "XAyatanaSecondaryActivate", "u", (0,))
    xml = host.call("/StatusNotifierItem", "org.freedesktop.DBus.Introspectable", "Introspect")[0]
    assert 'name="ProvideXdgActivationToken"' in xml and 'name="IconAccessibleDesc"' in xml


def test_only_gnome_shell_gets_the_status_lines_hidden_while_a_submenu_is_open(menu_item):
    tray, host, _ = menu_item
    tray.render(view(), full(view()))
    ids = {label.strip(): i for i, label, _ in host.read()}
    opened = ("isvu", (ids["Break interval"], "opened", ("i", 0), 0))
    host.menu("Event", *opened)
    assert host.menu_signals() == []  # Plasma, Xfce: submenus beside the menu, nothing to make room for
    host.menu("Event", "isvu", (0, "closed", ("i", 0), 0))
    host.conn.send_and_get_reply(message_bus.RequestName("org.gnome.Shell"), timeout=5)
    host.signals_until_now()  # the item heard NameOwnerChanged before the Ping's reply
    host.menu("Event", *opened)
    assert host.menu_signals() == ["ItemsPropertiesUpdated"]
    line = ids["Posture check in 12 min"]
    assert host.cache[line]["visible"] == ("b", False)
    host.menu("Event", "isvu", (ids["Break interval"], "closed", ("i", 0), 0))
    assert host.menu_signals() == ["ItemsPropertiesUpdated"] and host.cache[line]["visible"] == ("b", True)


def test_forged_watcher_news_from_another_program_is_ignored(item, bus, caplog):
    """Only the bus says who owns the watcher's name, only the watcher that a host came: anyone else
    sending those signals (broadcast or addressed to the item) makes the item do nothing."""
    import logging

    from jeepney import DBusAddress, HeaderFields, new_signal

    tray, host, _ = item
    with caplog.at_level(logging.INFO, logger="necka_tray.tray.sni"):
        host.call("/StatusNotifierItem", "org.freedesktop.DBus.Peer", "Ping")
        before = caplog.text.count("action=tray-wait")
        with open_dbus_connection(bus) as hostile:
            for destination in (None, tray._conn.unique_name):
                for msg in (new_signal(DBusAddress("/org/freedesktop/DBus", interface="org.freedesktop.DBus"),
                                       "NameOwnerChanged", "sss",
                                       ("org.kde.StatusNotifierWatcher", "", hostile.unique_name)),
                            new_signal(DBusAddress("/StatusNotifierWatcher", interface="org.kde.StatusNotifierWatcher"),
                                       "StatusNotifierHostRegistered", None, ())):
                    if destination:
                        msg.header.fields[HeaderFields.destination] = destination
                    hostile.send(msg)
            # The item reads in order: after two answers, any registering those signals caused has been answered.
            host.call("/StatusNotifierItem", "org.freedesktop.DBus.Peer", "Ping")
            host.call("/StatusNotifierItem", "org.freedesktop.DBus.Peer", "Ping")
        assert "action=sni-watcher-started" not in caplog.text and "action=sni-host-started" not in caplog.text
        assert caplog.text.count("action=tray-wait") == before


def test_a_connection_that_breaks_under_the_item_is_opened_again(item, bus, caplog):
    import logging
    import socket

    tray, host, actions = item
    tray.render(view(), entries(view()))
    old = tray._conn
    with caplog.at_level(logging.INFO, logger="necka_tray.tray.sni"):
        old.sock.shutdown(socket.SHUT_RDWR)  # the socket breaks under the receiving loop
        done = threading.Event()
        for _ in range(200):
            if "action=sni-connection state=reopened" in caplog.text:
                break
            done.wait(0.05)
    assert "state=reopened" in caplog.text and tray._conn is not old
    again = Host(bus, tray.bus_name)  # the item's own bus name, taken again on the new connection
    again.call("/StatusNotifierItem", "org.kde.StatusNotifierItem", "Activate", "ii", (0, 0))
    assert actions == [Action(Verb.SESSION)]
    again.conn.close()
