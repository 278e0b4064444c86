"""Reminder bubbles through ``org.freedesktop.Notifications`` over jeepney, with buttons that work.

Why not plyer on Linux: it spawns ``notify-send`` for every bubble, drops the
timeout and the icon, and has no buttons. Here one D-Bus connection
(``dbus_link.BusLink``: its receiver thread blocks on the socket, nothing
polls) sends the bubbles and receives their ``ActionInvoked`` and
``NotificationClosed`` signals (a server may send them only to the connection
that asked); each is handed to ``on_event(tag, key)``, which posts it to the
app's dispatcher thread.

Only the server may press a button: a signal counts when its sender is the
unique name that owns ``org.freedesktop.Notifications`` (as the bus says, see
``NameOwner``) and its id is one that server gave back from our ``Notify``.
Any other program on the bus can send the same signal; it is ignored.

Real servers misbehave and the tray lives with it: a second answer to one
call, an error after a return, or an answer after we stopped waiting is
dropped; a ``Notify`` answered late still gets its id recorded (its buttons
work); a server being D-Bus-activated (at login) is given ``ACTIVATION_S``, its
first bubbles waiting for it; a connection whose receiver ended is opened
again at the next bubble. No session bus at all: the plyer fallback (which
warns once, as before). A bus without a notification service: warn once,
retry with the next bubble.

``notify_args`` (pure, in ``notify_args.py``) builds the ``Notify`` call from
what the server says it can do and how it draws the default action.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from functools import partial
from typing import Any, Callable, Sequence

from necka_tray.desktop.dbus_link import BusLink, LinkLost, NameOwner, get_name_owner, member, sender
from necka_tray.desktop.notify import SERVICE, Action, Availability, Notifier
from necka_tray.desktop.notify_args import (  # noqa: F401 (notify_args: the tests' and callers' name for it)
    CATEGORY_NOTICE, CATEGORY_REMINDER, DESKTOP_ENTRY, ServerInfo, notify_args)

logger = logging.getLogger(__name__)

PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
#: Seconds to wait for the server's reply: a hung server must not stall the dispatcher for long.
REPLY_TIMEOUT = 3.0
#: How long a server that has not answered its first call yet is waited for (dbus-daemon gives an
#: activated service 25 s); meanwhile bubbles wait for it instead of being reported as lost.
ACTIVATION_S = 30.0
_NO_SERVICE = {"org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner"}


class NoBus(Exception):
    """No session bus to talk to (or no jeepney): the plyer fallback's case."""


def open_link(on_signal: Callable[[Any], None]) -> BusLink:
    """One session-bus connection with its receiver thread; ``on_signal`` gets each signal."""
    try:
        import jeepney  # noqa: F401
    except ImportError as exc:
        raise NoBus(f"jeepney is missing ({exc})") from exc
    try:
        return BusLink.open(on_signal, name="notify")
    except Exception as exc:  # no address, no socket, refused: all mean no bus
        raise NoBus(f"no D-Bus session bus ({exc})") from exc


class DBusNotifier:
    def __init__(self, icon_path: str = "", on_event: Callable[[str, str], None] | None = None,
                 fallback: Notifier | None = None, connect: Callable[[Callable], Any] = open_link,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._icon_path = icon_path
        self._on_event = on_event
        self._connect = connect
        self._clock = clock
        self.availability: Availability = getattr(fallback, "availability", None) or Availability()
        self._fallback = fallback
        self._lock = threading.Lock()  # one notify at a time (the dispatcher's), held while it waits
        self._link: Any = None
        self.owner = NameOwner(SERVICE)
        # What the receiver thread also touches (replies, signals): never held while waiting.
        self._state = threading.Lock()
        self.server: ServerInfo | None = None  # once asked
        self._asking: Any = None  # the GetCapabilities call in flight, and since when
        self._asking_since = 0.0
        self._queued: dict[str, tuple] = {}  # tag -> a bubble waiting for a server being started
        self._ids: dict[str, int] = {}  # tag -> id of its bubble on screen
        self._ours: dict[int, str] = {}  # every id the server gave us back -> its tag ("" for notices)
        self._said_forged = False

    @property
    def caps(self) -> frozenset[str] | None:
        return self.server.caps if self.server else None

    def notify(self, title: str, body: str, *, tag: str = "", actions: Sequence[Action] = (),
               expire_s: int | None = None) -> bool:
        with self._lock:
            try:
                link = self._link_once()
            except NoBus as exc:
                logger.debug("action=notify backend=plyer reason=%s", exc)
                if self._fallback is None:
                    self.availability.failed(str(exc))
                    return False
                return self._fallback.notify(title, body, tag=tag, actions=actions, expire_s=expire_s)
            bubble = (title, body, tag, tuple(actions), expire_s)
            try:
                server = self._server_now(link)
                if server is None:
                    with self._state:
                        self._queued[tag] = bubble
                    logger.info("action=notify state=queued reason=server-starting tag=%s", tag)
                    return True
                pending, replaces, n_actions = self._send(link, server, bubble)
                (nid,) = _unwrap(pending.wait(REPLY_TIMEOUT))
            except TimeoutError as exc:  # a Notify's answer may still come: _notified records the id then
                self.availability.failed(f"the notification server is slow: {exc}")
                return False
            except Exception as exc:
                self.availability.failed(self._problem(exc))
                self._forget_server(exc)
                return False
            logger.debug("action=notify id=%s tag=%s replaces=%s actions=%s", nid, tag, replaces, n_actions)
            self.availability.worked()
            return True

    # -- the connection ---------------------------------------------------------------

    def _link_once(self):
        if self._link is not None and not self._link.alive:
            logger.info("action=notify-connection state=reopen")
            self._server_changed()  # its bubbles' signals went to the old connection: start afresh
            self._close()
        if self._link is None:
            link = self._connect(self._on_signal)
            try:
                self._listen(link)
            except Exception:
                link.close()
                raise
            self._link = link
        return self._link

    def _listen(self, link) -> None:
        """Ask the bus, on this same connection, for the server's two signals and for news of the server
        itself (another one, or a restart: its capabilities and ids are new); then who the server is now."""
        from jeepney import MatchRule
        from jeepney.bus_messages import message_bus

        signals = MatchRule(type="signal", sender=SERVICE, interface=INTERFACE, path=PATH)
        for rule in (signals, self.owner.rule()):
            _unwrap(link.request(message_bus.AddMatch(rule), REPLY_TIMEOUT))
        owner = self.owner.set_from_reply(link.request(get_name_owner(SERVICE), REPLY_TIMEOUT))
        logger.info("action=notify-server owner=%s", owner or "none-yet")

    def _server_now(self, link) -> ServerInfo | None:
        """The server's capabilities and name, asking once; None while a server being started is awaited."""
        with self._state:
            if self.server is not None:
                return self.server
            asking = self._asking
            if asking is not None and asking.done:  # answered (its callback ran) while nobody waited
                self._asking = asking = None
            if asking is not None and self._clock() - self._asking_since > ACTIVATION_S:
                link.forget(asking)
                self._asking = asking = None
                raise TimeoutError(f"no answer to GetCapabilities within {ACTIVATION_S:g} s")
        if asking is None:
            from jeepney import new_method_call

            link.call(new_method_call(_server_address(), "GetServerInformation"), self._got_info)
            asking = link.call(new_method_call(_server_address(), "GetCapabilities"), partial(self._got_caps, link))
            with self._state:
                self._asking, self._asking_since = asking, self._clock()
        try:
            reply = asking.wait(REPLY_TIMEOUT)
        except TimeoutError:
            return None
        with self._state:
            if self._asking is asking:
                self._asking = None
        _unwrap(reply)
        with self._state:
            return self.server

    def _send(self, link, server: ServerInfo, bubble: tuple):
        """Send one ``Notify``; its reply is taken by ``_notified`` whenever it comes."""
        from jeepney import new_method_call

        title, body, tag, actions, expire_s = bubble
        with self._state:
            replaces = self._ids.get(tag, 0) if tag else 0
        args = notify_args(server, title, body, replaces_id=replaces, icon_path=self._icon(), tag=tag,
                           actions=actions, expire_s=expire_s)
        msg = new_method_call(_server_address(), "Notify", "susssasa{sv}i", args)
        return link.call(msg, partial(self._notified, tag)), replaces, len(args[5]) // 2

    def _forget_server(self, exc: Exception) -> None:
        """After a failure: the server may be gone or another may come, so ask it afresh next time;
        and unless the bus itself answered (with an error), open a new connection too."""
        from jeepney.wrappers import DBusErrorResponse

        self._server_changed()
        if not isinstance(exc, DBusErrorResponse):
            self._close()

    def _server_changed(self) -> None:
        """Another server, or none: ask for its capabilities afresh; its bubbles are not ours to replace."""
        with self._state:
            self.server = None
            self._ids.clear()
            self._ours.clear()

    def _close(self) -> None:
        link, self._link = self._link, None
        with self._state:
            self._asking = None
        if link is not None:
            link.close()

    def close(self) -> None:
        with self._lock:
            self._close()

    # -- the receiver thread: replies taken whenever they come, signals ---------------------------

    def _got_info(self, reply) -> None:
        if reply is not None and _is_return(reply) and reply.body:
            self._name = str(reply.body[0])

    _name = ""

    def _got_caps(self, link, reply) -> None:
        with self._state:
            self._asking = None
            if reply is None:
                return
            if not _is_return(reply):
                queued, self._queued = self._queued, {}
                problem = _error_name(reply)
            else:
                self.server = ServerInfo(frozenset(reply.body[0]), self._name)
                queued, self._queued, problem = self._queued, {}, None
                if self.owner.owner is None:  # answered before the bus's news of it reached us
                    self.owner.owner = sender(reply)
        if problem is not None:
            if queued:
                self.availability.failed(self._problem_name(problem))
            return
        logger.info("action=notify-server capabilities=%s name=%r shows_default=%s",
                    ",".join(sorted(self.server.caps)), self.server.name, self.server.shows_default)
        for bubble in queued.values():  # bubbles that waited for a server being started
            try:
                self._send(link, self.server, bubble)
            except Exception:
                logger.info("action=notify state=lost-queued", exc_info=True)

    def _notified(self, tag: str, reply) -> None:
        if reply is None or not _is_return(reply) or not reply.body:
            return
        nid = reply.body[0]
        with self._state:
            if self.owner.owner is None:
                self.owner.owner = sender(reply)
            elif sender(reply) != self.owner.owner:
                return  # the server that answered is gone already
            if tag:
                old = self._ids.get(tag)
                if old is not None and old != nid:
                    self._ours.pop(old, None)
                self._ids[tag] = nid
            self._ours[nid] = tag
            while len(self._ours) > 256:  # untagged notices closed without our knowing: keep it bounded
                self._ours.pop(next(iter(self._ours)))
        self.availability.worked()

    def _on_signal(self, msg) -> None:
        if self.owner.changed(msg):
            logger.info("action=notify-server owner=%s", self.owner.owner or "none")
            self._server_changed()
            return
        name = member(msg)
        if name not in ("ActionInvoked", "NotificationClosed") or not msg.body:
            return
        if not self.owner.sent(msg) or _path(msg) != PATH:
            if not self._said_forged:
                self._said_forged = True
                logger.info("action=notify-signal state=ignored reason=not-from-the-server sender=%s member=%s",
                            sender(msg), name)
            return
        nid = msg.body[0]
        with self._state:
            tag = self._ours.get(nid)
            if tag is not None and name == "NotificationClosed":
                del self._ours[nid]
                if self._ids.get(tag) == nid:
                    del self._ids[tag]  # a closed bubble cannot be replaced: the next one is new
        if not tag:
            return  # another application's bubble, or one of ours without a tag
        key = str(msg.body[1]) if name == "ActionInvoked" else "closed"
        logger.debug("action=notify-signal id=%s tag=%s key=%s", nid, tag, key)
        if self._on_event is not None:
            try:
                self._on_event(tag, key)
            except Exception:  # never kill the receiver thread
                logger.exception("action=notify-signal failed")

    # -- helpers ----------------------------------------------------------------------------

    def _icon(self) -> str:
        """The icon PNG once the helper has drawn it (see owner/main.py); until then no icon."""
        return self._icon_path if self._icon_path and os.path.exists(self._icon_path) else ""

    @staticmethod
    def _problem_name(name: str | None) -> str:
        if name in _NO_SERVICE:
            return "no notification service is running on the session bus"
        return f"the notification server answered {name}"

    @classmethod
    def _problem(cls, exc: Exception) -> str:
        if getattr(exc, "name", None) in _NO_SERVICE:
            return cls._problem_name(exc.name)
        return f"{type(exc).__name__}: {exc}"


def _unwrap(reply) -> tuple:
    from jeepney.wrappers import unwrap_msg

    return unwrap_msg(reply)


def _is_return(reply) -> bool:
    from jeepney import MessageType

    return reply.header.message_type == MessageType.method_return


def _error_name(reply) -> str | None:
    from jeepney import HeaderFields

    return reply.header.fields.get(HeaderFields.error_name)


def _path(msg) -> str | None:
    from jeepney import HeaderFields

    return msg.header.fields.get(HeaderFields.path)


def _server_address():
    from jeepney import DBusAddress

    return DBusAddress(PATH, bus_name=SERVICE, interface=INTERFACE)
