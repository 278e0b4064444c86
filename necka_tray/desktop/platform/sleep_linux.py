"""Linux: hear logind say the machine has woken up, or is shutting down.

After resume the tray is right at once: without this the gap is still seen
(wall against monotonic clock), but only when the scheduler next wakes the
app, up to a minute after resume. Before a shutdown or reboot
(``PrepareForShutdown(true)``) Necka quits as Quit does, so the last sitting
stretch is recorded. One thread blocks on the system bus; it never polls. No
system bus or no logind: nothing. ``NECKA_LOGIND_BUS=session`` listens on the
session bus instead (for tests: a stand-in logind on a private bus).
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

logger = logging.getLogger(__name__)

LOGIND = "org.freedesktop.login1"


def is_resume(member: str | None, body: tuple) -> bool:
    """``PrepareForSleep(false)`` is sent after resume (``true`` before suspend)."""
    return member == "PrepareForSleep" and body == (False,)


def is_shutdown(member: str | None, body: tuple) -> bool:
    """``PrepareForShutdown(true)`` is sent before a power-off or reboot (``false``: cancelled)."""
    return member == "PrepareForShutdown" and body == (True,)


def watch(on_wake: Callable[[], None], on_shutdown: Callable[[], None] | None = None) -> threading.Thread | None:
    import os

    try:
        from jeepney import MatchRule, message_bus
        from jeepney.io.blocking import open_dbus_connection
        from jeepney.low_level import HeaderFields

        from necka_tray.desktop.dbus_link import NameOwner, get_name_owner, sender

        bus = "SESSION" if os.environ.get("NECKA_LOGIND_BUS") == "session" else "SYSTEM"
        conn = open_dbus_connection(bus=bus)
        # Here and on the bus: the bus matches sender by the name's owner, jeepney only by unique name.
        local = dict(type="signal", interface="org.freedesktop.login1.Manager", path="/org/freedesktop/login1")
        rule = MatchRule(**local)
        owner = NameOwner(LOGIND)  # only logind may say "shutting down": any program can send that signal
        for r in (MatchRule(sender=LOGIND, **local), owner.rule()):
            conn.send_and_get_reply(message_bus.AddMatch(r), timeout=2)
        owner.set_from_reply(conn.send_and_get_reply(get_name_owner(LOGIND), timeout=2))
    except Exception as exc:
        logger.info("action=sleep-watch state=unavailable reason=%s", exc)
        return None

    logger.info("action=logind-watch bus=%s", bus.lower())

    def loop() -> None:
        said_ignored = False
        with conn:
            while True:
                try:
                    msg = conn.receive()
                except Exception:  # the bus went away: the clock comparison still covers us
                    return
                if owner.changed(msg) or not rule.matches(msg):
                    continue
                if not owner.sent(msg):
                    if not said_ignored:
                        said_ignored = True
                        logger.info("action=logind-signal state=ignored reason=not-from-logind sender=%s",
                                    sender(msg))
                    continue
                member, body = msg.header.fields.get(HeaderFields.member), tuple(msg.body)
                if is_resume(member, body):
                    on_wake()
                elif on_shutdown is not None and is_shutdown(member, body):
                    logger.info("action=logind-shutdown")
                    on_shutdown()

    thread = threading.Thread(target=loop, name="sleep-watch", daemon=True)
    thread.start()
    return thread
