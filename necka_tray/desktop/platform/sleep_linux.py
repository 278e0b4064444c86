"""Linux: hear logind say the machine has woken up, so the tray is right at once.

Without this the gap is still seen (wall against monotonic clock), but only
when the scheduler next wakes the app, up to a minute after resume. One thread
blocks on the system bus; it never polls. No system bus or no logind: nothing.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

logger = logging.getLogger(__name__)


def is_resume(member: str | None, body: tuple) -> bool:
    """``PrepareForSleep(false)`` is sent after resume (``true`` before suspend)."""
    return member == "PrepareForSleep" and body == (False,)


def watch(on_wake: Callable[[], None]) -> threading.Thread | None:
    try:
        from jeepney import MatchRule, message_bus
        from jeepney.io.blocking import open_dbus_connection
        from jeepney.low_level import HeaderFields

        conn = open_dbus_connection(bus="SYSTEM")
        rule = MatchRule(type="signal", interface="org.freedesktop.login1.Manager",
                         path="/org/freedesktop/login1", member="PrepareForSleep")
        conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=2)
    except Exception as exc:
        logger.info("action=sleep-watch state=unavailable reason=%s", exc)
        return None

    def loop() -> None:
        with conn, conn.filter(rule) as queue:
            while True:
                try:
                    msg = conn.recv_until_filtered(queue)
                except Exception:  # the bus went away: the clock comparison still covers us
                    return
                if is_resume(msg.header.fields.get(HeaderFields.member), tuple(msg.body)):
                    on_wake()

    thread = threading.Thread(target=loop, name="sleep-watch", daemon=True)
    thread.start()
    return thread
