"""Necka's own StatusNotifierItem: the tray icon on KDE, GNOME's AppIndicator extension and Wayland bars.

Why not pystray's ``appindicator`` backend: it loads GTK 3 into the tray process
(USS 42 MiB instead of 21), prints a GLib-GIO-CRITICAL at start, and has no
``Activate``, so a left click there does nothing. This item speaks
``org.kde.StatusNotifierItem`` and ``com.canonical.dbusmenu`` (``dbusmenu.py``)
itself with jeepney: a left click (``Activate``) starts the stretch session as
on the XEmbed icon, a middle click (``SecondaryActivate``) pauses reminders
for 30 minutes or resumes them, a right click shows the host's native menu.

Threads: ``run`` owns the D-Bus connection's receiving side on the main thread
and answers the host there, from the latest view and menu (replaced whole by
``render``, never mutated). ``render`` runs on the app's dispatcher thread and
only emits signals (jeepney's threading connection serialises sends). Clicks
become ``on_action`` calls, which post to the dispatcher: the D-Bus thread
never touches the app's state. An idle item blocks in ``receive``: no wake-ups.

The item registers with ``org.kde.StatusNotifierWatcher`` once the app drew
its first view and menu (``render``), and again whenever the watcher's owner
changes (``NameOwnerChanged``) or a host registers: a restarted panel finds the
icon again. With no host yet it says so once. Not before the first menu: a
host reads the menu when the icon appears, and Xfce's panel shows its own
plugin menu on a right click while the item's menu is still empty (the themed
or cached icon would show for the whole start-up, a second or more on a cold
start, with no menu behind it).
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from jeepney import DBusAddress, HeaderFields, MessageType, new_error, new_method_call, new_method_return, new_signal
from jeepney.bus_messages import MatchRule, message_bus

from necka_tray.children import activation
from necka_tray.tray import backend, dbusmenu
from necka_tray.tray.sni_item import PATH, introspection, item_properties, item_signals, properties_call
from necka_tray.tray.sni_pixmaps import Pixmaps, installed_icons

if TYPE_CHECKING:
    from necka_tray.core.planner import TrayView
    from necka_tray.tray.menu_model import Entry

logger = logging.getLogger(__name__)

ITEM = "org.kde.StatusNotifierItem"
WATCHER = "org.kde.StatusNotifierWatcher"
GNOME_SHELL = "org.gnome.Shell"
PROPS = "org.freedesktop.DBus.Properties"
_WATCHER_ADDR = DBusAddress("/StatusNotifierWatcher", bus_name=WATCHER, interface=WATCHER)


class SniTray:
    """The ``backend.TrayBackend`` on a StatusNotifier host."""

    has_default_action = True
    has_secondary_action = True
    has_menu = True

    def __init__(self, on_action: Callable[[backend.Action], None], cache_dir: Path, bus: str = "SESSION") -> None:
        from jeepney.io.threading import open_dbus_connection

        self._on_action = on_action
        self._bus = bus
        self._conn = open_dbus_connection(bus)
        self.bus_name = f"{ITEM}-{os.getpid()}-1"
        self._item = DBusAddress(PATH, interface=ITEM)
        self._menu = dbusmenu.DBusMenu(on_action)
        self._pixmaps = Pixmaps(cache_dir, self._icons_ready)
        self._icon_dir = installed_icons()
        self._lock = threading.Lock()  # render (dispatcher), pixmaps arriving (a waiter thread), the D-Bus thread
        self._view: TrayView | None = None
        self._entries: tuple[Entry, ...] = ()
        self._props: dict[str, tuple[str, Any]] = self._properties(None)
        self._replies: dict[int, Callable[[Any], None]] = {}
        self._running = False
        self._said_waiting = False
        #: Why to register once the first menu is drawn (None: nothing waits, or it is drawn already).
        self._register_when_drawn: str | None = None
        self._drawn = False
        from necka_tray.desktop.dbus_link import NameOwner

        self._watcher = NameOwner(WATCHER)  # its unique name, from the bus's news and the watcher's answers
        #: GNOME Shell: it opens submenus in place (``DBusMenu.inline_event``).
        self._gnome_shell = NameOwner(GNOME_SHELL)

    # -- the interface the app uses ------------------------------------------------------

    def run(self, setup: Callable[[], None]) -> None:
        """Take the bus name, register with the watcher, start ``setup``, answer the host until ``stop``."""
        from jeepney.io.threading import ReceiveStopped

        self._running = True
        self._introduce("start")
        threading.Thread(target=setup, name="setup", daemon=True).start()
        broken = 0  # connections that broke in a row, before a message came on the new one
        try:
            while self._running:
                try:
                    msg = self._conn.receive()
                except ReceiveStopped:
                    break
                except Exception as exc:  # the socket broke (or jeepney could not read it): open a new one
                    broken += 1
                    if not self._running or broken > self.MAX_RECONNECTS or not self._reconnect(exc):
                        logger.warning("The D-Bus session went away (%s); Necka quits.", exc)
                        break
                    continue
                broken = 0
                try:
                    self._handle(msg)
                except Exception:  # one bad message must not take the tray down
                    logger.exception("action=sni-message failed")
        finally:
            self._running = False
            self._conn.close()

    #: Connections opened again in a row (each broke before any message came) before Necka gives up.
    MAX_RECONNECTS = 3

    def _introduce(self, why: str) -> None:
        """On a (new) connection: the signals we follow, our bus name, and registering with the watcher."""
        for rule in (MatchRule(type="signal", sender=message_bus.bus_name, interface=message_bus.interface,
                               member="NameOwnerChanged", path=message_bus.object_path),
                     MatchRule(type="signal", interface=WATCHER, member="StatusNotifierHostRegistered")):
            self._conn.send(message_bus.AddMatch(rule))
        self._conn.send(message_bus.RequestName(self.bus_name, 4))  # DO_NOT_QUEUE
        self._register(why)
        self._call(message_bus.GetNameOwner(GNOME_SHELL), self._gnome_shell.set_from_reply)
        with self._lock:
            self._menu.reconnected()

    def _reconnect(self, exc: Exception) -> bool:
        """The receiving side broke: close it, open a new connection and register again (the host then reads
        everything afresh). False when the bus itself is gone."""
        from jeepney.io.threading import open_dbus_connection

        logger.info("action=sni-connection state=lost reason=%s: %s", type(exc).__name__, exc)
        old = self._conn
        try:
            old.close()  # first: our bus name is free again for the new connection
        except Exception:
            pass
        try:
            self._conn = open_dbus_connection(self._bus)
        except Exception as again:
            logger.info("action=sni-connection state=unavailable reason=%s", again)
            self._conn = old
            return False
        with self._lock:
            self._replies.clear()  # answers to the old connection's calls will never come
        self._watcher.owner = None
        self._introduce("reconnected")
        logger.info("action=sni-connection state=reopened name=%s", self._conn.unique_name)
        return True

    def render(self, view: TrayView, entries: tuple[Entry, ...]) -> None:
        """Keep the view and menu; tell the host only what changed (no signal when nothing did)."""
        with self._lock:
            self._view, self._entries = view, entries
            signals = [(dbusmenu.PATH, dbusmenu.INTERFACE, *s) for s in self._menu.update(entries)]
            signals += self._refresh()
            self._drawn, why, self._register_when_drawn = True, self._register_when_drawn, None
        self._emit(signals)
        if why is not None:
            self._register(why)

    def stop(self) -> None:
        self._running = False
        self._conn.interrupt()

    # -- properties ----------------------------------------------------------------------

    def _properties(self, view: TrayView | None) -> dict[str, tuple[str, Any]]:
        return item_properties(view, self._pixmaps.get, self._icon_dir)

    def _refresh(self) -> list[tuple]:
        """New properties from the view (under the lock); the item signals for what changed."""
        old, self._props = self._props, self._properties(self._view)
        return [(PATH, ITEM, member, signature, body) for member, signature, body in item_signals(old, self._props)]

    def _icons_ready(self) -> None:
        with self._lock:
            signals = self._refresh()
        self._emit(signals)

    def _emit(self, signals: list[tuple]) -> None:
        if not self._running:
            return
        for path, interface, member, signature, body in signals:
            logger.debug("action=sni-signal %s", member)
            try:
                self._conn.send(new_signal(DBusAddress(path, interface=interface), member, signature or None, body))
            except OSError as exc:
                logger.debug("action=sni-signal failed (%s)", exc)

    # -- registration ----------------------------------------------------------------------

    def _call(self, msg, on_reply: Callable[[Any], None]) -> None:
        serial = next(self._conn.outgoing_serial)
        with self._lock:
            self._replies[serial] = on_reply
        self._conn.send(msg, serial=serial)

    #: A watcher owns its bus name a moment before it serves its object (the Haskell one does): after it
    #: (re)appears, registering is tried again this many seconds later (a few times, then we wait for a host).
    RETRY_S = (0.1, 0.4, 1.5)

    def _register(self, why: str, attempt: int = 0) -> None:
        with self._lock:
            if not self._drawn:  # no menu yet: the first render registers (``render``)
                self._register_when_drawn = self._register_when_drawn or why
                return

        def registered(reply) -> None:
            if reply.header.message_type == MessageType.error:
                error = reply.header.fields.get(HeaderFields.error_name)
                if why == "watcher-restarted" and attempt < len(self.RETRY_S) and self._running:
                    retry = threading.Timer(self.RETRY_S[attempt], self._register, (why, attempt + 1))
                    retry.daemon = True
                    retry.start()
                    return
                self._waiting(f"no StatusNotifierWatcher ({error})")
                return
            self._watcher.owner = reply.header.fields.get(HeaderFields.sender)  # the watcher answered
            logger.info("action=sni-register reason=%s name=%s", why, self.bus_name)
            self._call(new_method_call(DBusAddress(_WATCHER_ADDR.object_path, WATCHER, PROPS), "Get", "ss",
                                       (WATCHER, "IsStatusNotifierHostRegistered")), host_answer)

        def host_answer(reply) -> None:
            if reply.header.message_type == MessageType.error or not reply.body[0][1]:
                self._waiting("no StatusNotifierHost registered")

        self._call(new_method_call(_WATCHER_ADDR, "RegisterStatusNotifierItem", "s", (self.bus_name,)), registered)

    def _waiting(self, reason: str) -> None:
        logger.info("action=tray-wait reason=%r", reason)
        if not self._said_waiting:
            self._said_waiting = True
            logger.warning("No tray (StatusNotifier host) is running yet; Necka's icon will appear as soon as "
                           "one starts.")

    # -- incoming messages -----------------------------------------------------------------------

    def _handle(self, msg) -> None:
        kind = msg.header.message_type
        if kind in (MessageType.method_return, MessageType.error):
            with self._lock:
                callback = self._replies.pop(msg.header.fields.get(HeaderFields.reply_serial), None)
            if callback is not None:
                callback(msg)
            return
        if kind == MessageType.signal:
            self._signal(msg)
        elif kind == MessageType.method_call:
            self._method(msg)

    def _signal(self, msg) -> None:
        """Only the bus says who owns the watcher's name, and only the watcher says a host came: any
        program can send these signals (even addressed to us, past every match rule)."""
        from necka_tray.desktop.dbus_link import sender

        member = msg.header.fields.get(HeaderFields.member)
        if self._gnome_shell.changed(msg):
            return
        if self._watcher.changed(msg):
            if self._watcher.owner:
                logger.info("action=sni-watcher-started")
                self._register("watcher-restarted")
        elif member == "StatusNotifierHostRegistered" and self._watcher.sent(msg):
            logger.info("action=sni-host-started")
            self._register("host-started")
        elif member in ("NameOwnerChanged", "StatusNotifierHostRegistered"):
            logger.debug("action=sni-signal state=ignored member=%s sender=%s", member, sender(msg))

    def _method(self, msg) -> None:
        fields = msg.header.fields
        path, member = fields.get(HeaderFields.path), fields.get(HeaderFields.member)
        interface = fields.get(HeaderFields.interface)
        try:
            signature, body = self._answer(path, interface, member, msg.body)
        except KeyError:
            reply = new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s",
                              (f"no method {interface}.{member} at {path}",))
        except (LookupError, ValueError, TypeError):  # an unknown id, or arguments of the wrong shape
            reply = new_error(msg, "org.freedesktop.DBus.Error.InvalidArgs", "s", ("no such item or property",))
        else:
            reply = new_method_return(msg, signature or None, body)
        self._conn.send(reply)
        if path == dbusmenu.PATH and reply.header.message_type == MessageType.method_return:
            with self._lock:
                hints = self._menu.hints(member, msg.body)
                if member == "Event" and self._gnome_shell.sent(msg):
                    hints += self._menu.inline_event(msg.body)
            self._emit([(dbusmenu.PATH, dbusmenu.INTERFACE, *h) for h in hints])

    def _answer(self, path: str, interface: str | None, member: str, body: tuple) -> tuple[str, tuple]:
        if interface == "org.freedesktop.DBus.Peer" and member == "Ping":
            return "", ()
        if member == "Introspect":
            return "s", (introspection(path),)
        if path == dbusmenu.PATH:
            if interface == PROPS:
                return properties_call(dict(dbusmenu.DBusMenu.PROPERTIES), dbusmenu.INTERFACE, member, body)
            return self._menu.call(member, body)
        if path != PATH:
            raise KeyError(member)
        if interface == PROPS:
            return properties_call(self._props, ITEM, member, body)
        if member == "ProvideXdgActivationToken":  # Plasma and GNOME, just before Activate: focus for the window
            activation.offer(str(body[0]))
            return "", ()
        if member in ("Activate", "SecondaryActivate", "XAyatanaSecondaryActivate"):
            entries = self._entries
            action = backend.default_action(entries) if member == "Activate" else backend.secondary_action(entries)
            logger.info("action=sni-click kind=%s", member)
            if action is not None:
                self._on_action(action)
            return "", ()
        if member in ("ContextMenu", "Scroll"):
            return "", ()  # hosts that cannot show a dbusmenu: nothing better to offer; scrolling: nothing
        raise KeyError(member)
