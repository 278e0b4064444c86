"""Linux: take part in the desktop session's logout, so Necka ends as Quit does before it.

GNOME, Cinnamon and MATE run a session manager at ``org.gnome.SessionManager``
on the session bus. A registered client is asked before a logout
(``QueryEndSession``: we answer yes, Necka never holds a logout up), told when
it happens (``EndSession``: Necka quits, the sitting stretch is recorded, then
it answers) and may be told to ``Stop``. Without that session manager this does
nothing: the session's SIGTERM/SIGHUP and the display closing take the same
path anyway (``owner/shutdown.py``). One thread blocks on the bus; it never polls.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Callable

logger = logging.getLogger(__name__)

MANAGER = "org.gnome.SessionManager"
CLIENT_PRIVATE = "org.gnome.SessionManager.ClientPrivate"

_answered = threading.Event()  # clear from EndSession until the answer is sent
_answered.set()


def wait_answered(timeout: float) -> bool:
    """At exit: let an answer to ``EndSession`` in flight go out (this thread is a daemon)."""
    return _answered.wait(timeout)


def register(on_end: Callable[[], None], app_id: str = "necka-tray") -> threading.Thread | None:
    """Register with the session manager, if one runs; ``on_end`` is called (from its thread)
    when the session ends or the manager says stop, and should return once Necka has quit (the
    answer to ``EndSession`` waits for it). Returns the listening thread, or None."""
    try:
        from jeepney import DBusAddress, MatchRule, message_bus, new_method_call
        from jeepney.io.blocking import open_dbus_connection
        from jeepney.low_level import HeaderFields, MessageType

        conn = open_dbus_connection(bus="SESSION")
    except Exception as exc:
        logger.info("action=session-manager state=unavailable reason=%s", exc)
        return None
    try:
        if not conn.send_and_get_reply(message_bus.NameHasOwner(MANAGER), timeout=2).body[0]:
            conn.close()
            return None
        manager = DBusAddress("/org/gnome/SessionManager", bus_name=MANAGER, interface=MANAGER)
        reply = conn.send_and_get_reply(new_method_call(manager, "RegisterClient", "ss", (
            app_id, os.environ.pop("DESKTOP_AUTOSTART_ID", ""))), timeout=5)
        if reply.header.message_type is MessageType.error:
            raise RuntimeError(reply.body[0] if reply.body else reply.header.fields.get(HeaderFields.error_name))
        client_path = reply.body[0]
        manager_name = reply.header.fields.get(HeaderFields.sender)  # only it may end the session
        rule = MatchRule(type="signal", sender=manager_name, interface=CLIENT_PRIVATE, path=client_path)
        conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=2)
    except Exception as exc:
        logger.info("action=session-manager state=unavailable reason=%s", exc)
        conn.close()
        return None
    client = DBusAddress(client_path, bus_name=MANAGER, interface=CLIENT_PRIVATE)
    logger.info("action=session-manager state=registered client=%s", client_path)

    def answer() -> None:
        conn.send(new_method_call(client, "EndSessionResponse", "bs", (True, "")))

    def loop() -> None:
        with conn, conn.filter(rule) as queue:  # the rule names the manager's unique name: others' are dropped
            while True:
                try:
                    msg = conn.recv_until_filtered(queue)
                except Exception:  # the bus went away: the session is ending, the signals cover it
                    return
                member = msg.header.fields.get(HeaderFields.member)
                if member == "QueryEndSession":
                    answer()  # never hold up a logout
                elif member in ("EndSession", "Stop"):
                    logger.info("action=session-manager signal=%s", member)
                    if member == "EndSession":
                        _answered.clear()
                    try:
                        on_end()
                        if member == "EndSession":
                            answer()
                    finally:
                        _answered.set()
                    return

    thread = threading.Thread(target=loop, name="session-manager", daemon=True)
    thread.start()
    return thread
