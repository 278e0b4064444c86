"""Reminder bubbles through ``org.freedesktop.Notifications`` over jeepney, with buttons that work.

Why not plyer on Linux: it spawns ``notify-send`` for every bubble, drops the
timeout and the icon, and has no buttons. Here one D-Bus connection sends the
bubbles and receives their ``ActionInvoked`` and ``NotificationClosed``
signals (a server may send them only to the connection that asked). jeepney's
router thread blocks on that socket, so nothing polls; each signal is handed
to ``on_event(tag, key)``, which posts it to the app's dispatcher thread.

``notify_args`` builds the ``Notify`` call from the server's capabilities and
is pure, for the unit tests. A bubble with a ``tag`` (a reminder kind)
replaces the previous one of that tag (``replaces_id``) instead of piling up.
No session bus at all: the plyer fallback (which warns once, as before). A
bus without a notification service: warn once, retry with the next bubble.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any, Callable, Sequence

from necka_tray.desktop.notify import APP_NAME, DEFAULT_EXPIRE_S, SERVICE, Action, Availability, Notifier

logger = logging.getLogger(__name__)

PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
#: The desktop file's name (packaging/linux/io.github.necka.Necka.desktop), without ".desktop".
DESKTOP_ENTRY = "io.github.necka.Necka"
#: Freedesktop has no category for health reminders: a vendor one, as the spec allows.
CATEGORY_REMINDER = "x-necka.reminder"
CATEGORY_NOTICE = "x-necka.notice"
#: Seconds to wait for the server's reply: a hung server must not stall the dispatcher for long.
REPLY_TIMEOUT = 3.0
_NO_SERVICE = {"org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner"}


def _escape_markup(text: str) -> str:
    """``html.escape(text, quote=False)``, without loading ``html``'s entity tables (~0.5 MiB) into the tray."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def notify_args(caps: frozenset[str], title: str, body: str, *, replaces_id: int = 0, icon_path: str = "",
                tag: str = "", actions: Sequence[Action] = (), expire_s: int | None = None) -> tuple[Any, ...]:
    """The body of a ``Notify`` call (signature ``susssasa{sv}i``) for a server with ``caps``.

    Buttons only where the server has "actions" (else they would be silently
    dropped and the bubble would promise nothing it cannot do); the body escaped
    where the server reads markup; the icon as ``app_icon`` and ``image-path``.
    """
    flat: list[str] = []
    if "actions" in caps:
        for key, label in actions:
            flat += [key, label]
    if "body-markup" in caps:
        body = _escape_markup(body)
    hints: dict[str, tuple[str, Any]] = {
        "desktop-entry": ("s", DESKTOP_ENTRY),
        "category": ("s", CATEGORY_REMINDER if tag else CATEGORY_NOTICE),
        "urgency": ("y", 1),
    }
    if icon_path:
        hints["image-path"] = ("s", icon_path)
    expire_ms = int((DEFAULT_EXPIRE_S if expire_s is None else expire_s) * 1000)
    return (APP_NAME, replaces_id, icon_path, title, body, flat, hints, expire_ms)


class NoBus(Exception):
    """No session bus to talk to (or no jeepney): the plyer fallback's case."""


def open_router():
    """A jeepney router on the session bus: one connection, one receiver thread blocking on it."""
    try:
        from jeepney.io.threading import DBusRouter, open_dbus_connection
    except ImportError as exc:
        raise NoBus(f"jeepney is missing ({exc})") from exc
    try:
        conn = open_dbus_connection(bus="SESSION")
    except Exception as exc:  # no address, no socket, refused: all mean no bus
        raise NoBus(f"no D-Bus session bus ({exc})") from exc

    class Router(DBusRouter):
        def _receiver(self) -> None:
            try:
                super()._receiver()
            except OSError as exc:  # the bus went away: say so in the log, not as a thread traceback
                logger.info("action=notify-connection state=lost reason=%s", exc)

    return Router(conn)


class _Sink:
    """What jeepney's router takes for a queue: each matching signal goes straight to ``handle``
    (on the receiver thread, which must not block: ``handle`` only posts)."""

    def __init__(self, handle: Callable[[Any], None]) -> None:
        self._handle = handle

    def put_nowait(self, msg: Any) -> None:
        try:
            self._handle(msg)
        except Exception:  # never kill the receiver thread
            logger.exception("action=notify-signal failed")


class DBusNotifier:
    def __init__(self, icon_path: str = "", on_event: Callable[[str, str], None] | None = None,
                 fallback: Notifier | None = None, connect: Callable[[], Any] = open_router) -> None:
        self._icon_path = icon_path
        self._on_event = on_event
        self._connect = connect
        self.availability: Availability = getattr(fallback, "availability", None) or Availability()
        self._fallback = fallback
        self._lock = threading.Lock()  # one Notify at a time; held while waiting for the reply
        self._router: Any = None
        self._filters: list[Any] = []  # the router's filter handles, once listening
        self.caps: frozenset[str] | None = None  # the server's, once asked
        # Not under _lock: the receiver thread reads it while a Notify waits for its reply.
        self._ids_lock = threading.Lock()
        self._ids: dict[str, int] = {}  # tag -> id of its bubble on screen

    def notify(self, title: str, body: str, *, tag: str = "", actions: Sequence[Action] = (),
               expire_s: int | None = None) -> bool:
        with self._lock:
            try:
                router = self._connect_once()
            except NoBus as exc:
                logger.debug("action=notify backend=plyer reason=%s", exc)
                if self._fallback is None:
                    self.availability.failed(str(exc))
                    return False
                return self._fallback.notify(title, body, tag=tag, actions=actions, expire_s=expire_s)
            try:
                self._listen_once(router)
                caps = self._capabilities(router)
                with self._ids_lock:
                    replaces = self._ids.get(tag, 0) if tag else 0
                args = notify_args(caps, title, body, replaces_id=replaces, icon_path=self._icon(), tag=tag,
                                   actions=actions, expire_s=expire_s)
                (nid,) = self._call(router, "Notify", "susssasa{sv}i", args)
            except Exception as exc:
                self.availability.failed(self._problem(exc))
                self._forget_server(exc)
                return False
            if tag:
                with self._ids_lock:
                    self._ids[tag] = nid
            logger.debug("action=notify id=%s tag=%s replaces=%s actions=%s", nid, tag, replaces, len(args[5]) // 2)
            self.availability.worked()
            return True

    # -- the connection ---------------------------------------------------------------

    def _connect_once(self):
        if self._router is None:
            self._router = self._connect()
        return self._router

    def _listen_once(self, router) -> None:
        """Ask the bus, on this same connection, for the server's two signals and for news of
        the server itself (another one, or a restart: its capabilities and ids are new)."""
        if self._filters:
            return
        from jeepney import MatchRule
        from jeepney.bus_messages import message_bus
        from jeepney.wrappers import unwrap_msg

        owner = MatchRule(type="signal", sender=message_bus.bus_name, interface=message_bus.interface,
                          member="NameOwnerChanged", path=message_bus.object_path)
        owner.add_arg_condition(0, SERVICE)
        rules = (MatchRule(type="signal", interface=INTERFACE, path=PATH), owner)
        filters = [router.filter(rule, queue=_Sink(self._on_signal)) for rule in rules]
        try:
            for rule in rules:
                unwrap_msg(router.send_and_get_reply(message_bus.AddMatch(rule), timeout=REPLY_TIMEOUT))
        except Exception:
            for f in filters:
                f.close()
            raise
        self._filters = filters

    def _capabilities(self, router) -> frozenset[str]:
        if self.caps is None:
            (caps,) = self._call(router, "GetCapabilities", None, ())
            self.caps = frozenset(caps)
            logger.info("action=notify-server capabilities=%s", ",".join(sorted(self.caps)))
        return self.caps

    def _call(self, router, method: str, signature: str | None, body: tuple) -> tuple:
        from jeepney import DBusAddress, new_method_call
        from jeepney.wrappers import unwrap_msg

        msg = new_method_call(DBusAddress(PATH, bus_name=SERVICE, interface=INTERFACE), method, signature, body)
        return unwrap_msg(router.send_and_get_reply(msg, timeout=REPLY_TIMEOUT))

    def _server_changed(self) -> None:
        """Another server, or none: ask for its capabilities afresh; its bubbles are not ours to replace."""
        self.caps = None
        with self._ids_lock:
            self._ids.clear()

    def _forget_server(self, exc: Exception) -> None:
        """After a failure: the server may be gone or another may come, so ask it afresh next time;
        and unless the bus itself answered (with an error), open a new connection too."""
        from jeepney.wrappers import DBusErrorResponse

        self._server_changed()
        if not isinstance(exc, DBusErrorResponse):
            self._close()

    def _close(self) -> None:
        router, self._router = self._router, None
        for f in self._filters:
            f.close()
        self._filters = []
        if router is not None:
            try:
                router.close()
                router.conn.close()
            except Exception:
                logger.debug("closing the notification connection failed", exc_info=True)

    def close(self) -> None:
        with self._lock:
            self._close()

    # -- the receiver thread --------------------------------------------------------------

    def _on_signal(self, msg) -> None:
        from jeepney import HeaderFields

        member = msg.header.fields.get(HeaderFields.member)
        if member == "NameOwnerChanged":
            logger.info("action=notify-server owner=%s", msg.body[2] or "none")
            self._server_changed()
            return
        if member not in ("ActionInvoked", "NotificationClosed") or not msg.body:
            return
        nid = msg.body[0]
        with self._ids_lock:
            tag = next((t for t, i in self._ids.items() if i == nid), None)
            if tag is not None and member == "NotificationClosed":
                del self._ids[tag]  # a closed bubble cannot be replaced: the next one is new
        if tag is None:
            return  # another application's bubble, or one of ours without a tag
        key = str(msg.body[1]) if member == "ActionInvoked" else "closed"
        logger.debug("action=notify-signal id=%s tag=%s key=%s", nid, tag, key)
        if self._on_event is not None:
            self._on_event(tag, key)

    # -- helpers ----------------------------------------------------------------------------

    def _icon(self) -> str:
        """The icon PNG once the helper has drawn it (see tray/main.py); until then no icon."""
        return self._icon_path if self._icon_path and os.path.exists(self._icon_path) else ""

    @staticmethod
    def _problem(exc: Exception) -> str:
        if getattr(exc, "name", None) in _NO_SERVICE:
            return "no notification service is running on the session bus"
        return f"{type(exc).__name__}: {exc}"
