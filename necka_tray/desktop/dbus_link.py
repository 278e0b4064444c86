"""One D-Bus connection that a misbehaving server cannot break: Necka's own receive loop over jeepney.

Why not jeepney's ``DBusRouter``: its receiver thread hands each reply to the
caller's ``Future``, and a second answer to one call (mako answers
``GetCapabilities`` with a return and then an ``UnknownMethod`` error for the
same serial) raises ``InvalidStateError`` there. The thread dies, every later
call fails with ``RouterClosed``, and the caller's ``catch`` raises
``KeyError: <serial>``. Here a reply is matched by serial in a table that the
first answer empties, so a second, a late (after the caller stopped waiting)
or an unasked-for answer is dropped with a debug line. The loop ends only with
the socket: ``alive`` then says False and the owner opens a new link.

``NameOwner`` answers "did this come from the service?": the bus sets every
message's ``sender`` to the sending connection's unique name, and only the bus
itself (``org.freedesktop.DBus``) says who owns a well-known name. A signal
from any other connection, even one addressed to us, is not the service's.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

logger = logging.getLogger(__name__)

BUS_NAME = "org.freedesktop.DBus"
#: Calls whose answer may still come (a slow server) are kept up to this many; the oldest goes first.
MAX_PENDING = 64


class LinkLost(ConnectionError):
    """The connection ended (or was given up on) before the answer came."""


class Pending:
    """One call's answer: ``wait`` for it, or let ``on_reply`` (on the receiver thread) take it."""

    def __init__(self, serial: int, on_reply: Callable[[Any], None] | None) -> None:
        self.serial = serial
        self._on_reply = on_reply
        self._done = threading.Event()
        self._reply: Any = None

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def settle(self, reply: Any) -> None:
        """The first answer (None: the link ended); called once, by the link."""
        self._reply = reply
        if self._on_reply is not None:  # before the waiter wakes: it may read what the callback stores
            try:
                self._on_reply(reply)
            except Exception:  # a callback's bug must not end the receive loop
                logger.exception("action=dbus-reply handler failed")
        self._done.set()

    def wait(self, timeout: float | None) -> Any:
        """The reply message; TimeoutError if it did not come in time (it may still come later)."""
        if not self._done.wait(timeout):
            raise TimeoutError(f"no D-Bus reply within {timeout:g} s")
        if self._reply is None:
            raise LinkLost("the D-Bus connection ended before the reply came")
        return self._reply


class BusLink:
    """A jeepney threading connection with one receiver thread that blocks on it (no polling).

    ``on_signal(msg)`` gets every signal (on the receiver thread: it must not block). A method
    call to us goes to ``on_call(msg)``, which returns the reply message (or None when it has
    none for that call); without one, or with None, it is answered ``UnknownMethod``.
    """

    def __init__(self, conn: Any, on_signal: Callable[[Any], None] | None = None, name: str = "dbus",
                 on_call: Callable[[Any], Any] | None = None) -> None:
        self.conn = conn
        self.name = name
        self.unique_name: str = conn.unique_name
        self._on_signal = on_signal
        self._on_call = on_call
        self._lock = threading.Lock()
        self._pending: dict[int, Pending] = {}
        self._closed = False
        self._thread = threading.Thread(target=self._receive, name=f"{name}-receiver", daemon=True)
        self._thread.start()

    @classmethod
    def open(cls, on_signal: Callable[[Any], None] | None = None, bus: str = "SESSION", name: str = "dbus",
             on_call: Callable[[Any], Any] | None = None) -> BusLink:
        from jeepney.io.threading import open_dbus_connection

        return cls(open_dbus_connection(bus=bus), on_signal, name, on_call)

    @property
    def alive(self) -> bool:
        return not self._closed and self._thread.is_alive()

    def send(self, msg: Any) -> None:
        self.conn.send(msg)

    def call(self, msg: Any, on_reply: Callable[[Any], None] | None = None) -> Pending:
        """Send a method call; its first answer settles the returned ``Pending``."""
        if not self.alive:
            raise LinkLost(f"the {self.name} D-Bus connection has ended")
        pending = Pending(next(self.conn.outgoing_serial), on_reply)
        with self._lock:
            self._pending[pending.serial] = pending
            oldest = next(iter(self._pending.values())) if len(self._pending) > MAX_PENDING else None
            if oldest is not None:
                del self._pending[oldest.serial]
        if oldest is not None:
            logger.info("action=dbus-give-up link=%s serial=%s", self.name, oldest.serial)
            oldest.settle(None)
        try:
            self.conn.send(msg, serial=pending.serial)
        except Exception:
            self.forget(pending)
            raise
        if not self._thread.is_alive():  # ended between the check and the send: nobody will answer
            self._drop_all()
        return pending

    def request(self, msg: Any, timeout: float) -> Any:
        """Send a method call and wait for its reply message (an error reply is returned too)."""
        pending = self.call(msg)
        try:
            return pending.wait(timeout)
        except TimeoutError:
            self.forget(pending)  # an answer after this is dropped as unasked-for
            raise

    def forget(self, pending: Pending) -> None:
        with self._lock:
            self._pending.pop(pending.serial, None)

    def close(self) -> None:
        self._closed = True
        try:
            self.conn.close()  # interrupts the receiver's select, then closes the socket
        except Exception:
            logger.debug("closing the %s D-Bus connection failed", self.name, exc_info=True)
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=2)

    # -- the receiver thread ---------------------------------------------------------------

    def _receive(self) -> None:
        from jeepney.io.threading import ReceiveStopped

        try:
            while True:
                msg = self.conn.receive()
                try:
                    self._dispatch(msg)
                except Exception:
                    logger.exception("action=dbus-message failed link=%s", self.name)
        except ReceiveStopped:
            pass
        except Exception as exc:  # the socket closed or broke: the owner sees alive=False and reconnects
            if not self._closed:
                logger.info("action=dbus-link state=lost link=%s reason=%s: %s", self.name, type(exc).__name__, exc)
        finally:
            self._drop_all()

    def _drop_all(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        for p in pending.values():
            p.settle(None)

    def _dispatch(self, msg: Any) -> None:
        from jeepney import HeaderFields, MessageFlag, MessageType, new_error

        kind = msg.header.message_type
        if kind in (MessageType.method_return, MessageType.error):
            serial = msg.header.fields.get(HeaderFields.reply_serial)
            with self._lock:
                pending = self._pending.pop(serial, None)
            if pending is None:  # a second answer, one after we stopped waiting, or one we never asked for
                logger.debug("action=dbus-reply state=unexpected link=%s serial=%s sender=%s type=%s", self.name,
                             serial, msg.header.fields.get(HeaderFields.sender), kind.name)
                return
            pending.settle(msg)
        elif kind == MessageType.signal:
            if self._on_signal is not None:
                self._on_signal(msg)
        elif kind == MessageType.method_call:
            reply = self._on_call(msg) if self._on_call is not None else None
            if msg.header.flags & MessageFlag.no_reply_expected:
                return
            self.conn.send(reply if reply is not None else new_error(
                msg, "org.freedesktop.DBus.Error.UnknownMethod", "s", ("this connection serves no methods",)))


def sender(msg: Any) -> str | None:
    from jeepney import HeaderFields

    return msg.header.fields.get(HeaderFields.sender)


def member(msg: Any) -> str | None:
    from jeepney import HeaderFields

    return msg.header.fields.get(HeaderFields.member)


class NameOwner:
    """The unique name that owns ``name`` now, as the bus says (``GetNameOwner``, then ``NameOwnerChanged``)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.owner: str | None = None

    def rule(self):
        """The match rule for the bus's news of this name (add it before asking, so no change is missed)."""
        from jeepney import MatchRule
        from jeepney.bus_messages import message_bus

        rule = MatchRule(type="signal", sender=BUS_NAME, interface=message_bus.interface,
                         member="NameOwnerChanged", path=message_bus.object_path)
        rule.add_arg_condition(0, self.name)
        return rule

    def set_from_reply(self, reply: Any) -> str | None:
        """Take ``GetNameOwner``'s answer (an error: nobody owns it yet)."""
        from jeepney import MessageType

        self.owner = reply.body[0] if reply.header.message_type == MessageType.method_return and reply.body else None
        return self.owner

    def changed(self, msg: Any) -> bool:
        """True (and the owner updated) when ``msg`` is the bus's own ``NameOwnerChanged`` for this name;
        anyone else's signal of that name is ignored."""
        if sender(msg) != BUS_NAME or member(msg) != "NameOwnerChanged" or len(msg.body) < 3 \
                or msg.body[0] != self.name:
            return False
        self.owner = msg.body[2] or None
        return True

    def sent(self, msg: Any) -> bool:
        """Whether ``msg`` came from the name's current owner."""
        return self.owner is not None and sender(msg) == self.owner


def get_name_owner(name: str):
    from jeepney.bus_messages import message_bus

    return message_bus.GetNameOwner(name)


class BlockingCaller:
    """A blocking connection for sources that only ask (idle, quiet, calls), opened at the first call and
    again after it broke. jeepney's blocking ``send_and_get_reply`` already drops answers to other serials
    (a second or late one), so only a broken socket needs care here."""

    def __init__(self, bus: str = "SESSION", connect: Callable[[], Any] | None = None) -> None:
        self._bus = bus
        self._connect = connect
        self._conn: Any = None

    def request(self, msg: Any, timeout: float) -> Any:
        """The reply message (an error reply too); raises what the connection raised, once per break."""
        if self._conn is None:
            if self._connect is not None:
                self._conn = self._connect()
            else:
                from jeepney.io.blocking import open_dbus_connection

                self._conn = open_dbus_connection(bus=self._bus)
        try:
            return self._conn.send_and_get_reply(msg, timeout=timeout)
        except TimeoutError:
            raise  # a slow service: the connection is fine, its late answer will be skipped
        except (OSError, EOFError, ValueError):  # broken (or garbled): open a new one next time
            self.close()
            raise

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                logger.debug("closing a D-Bus connection failed", exc_info=True)
