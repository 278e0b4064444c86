"""The session's idle inhibitors, which video-call apps and presentation tools set (over D-Bus).

- GNOME: ``org.gnome.SessionManager.IsInhibited(8)`` (8: the idle flag);
- freedesktop: ``org.freedesktop.PowerManagement.Inhibit.HasInhibit()`` (KDE, Xfce and others).

Only the yes/no answer is read, not who inhibits or why. The connection opens
at the first question, not at start; a service that is not there answers with an error (no).
"""

from __future__ import annotations

from necka_tray.texts.i18n import N_

import logging
from typing import Mapping

logger = logging.getLogger(__name__)

GNOME = ("org.gnome.SessionManager", "/org/gnome/SessionManager", "org.gnome.SessionManager", "IsInhibited", "u", (8,))
FREEDESKTOP = ("org.freedesktop.PowerManagement", "/org/freedesktop/PowerManagement/Inhibit",
               "org.freedesktop.PowerManagement.Inhibit", "HasInhibit", None, ())
REASON = N_("an app keeps the session awake")


class IdleInhibitors:
    name = "inhibit"

    def __init__(self, connect=None) -> None:
        self._connect = connect
        self._conn = None

    def in_call(self) -> str | None:
        from jeepney import DBusAddress, new_method_call
        from jeepney.low_level import HeaderFields

        if self._conn is None:
            from necka_tray.desktop.dbus_link import BlockingCaller

            self._conn = BlockingCaller(connect=self._connect)  # opened again if the connection breaks
        for bus_name, path, interface, method, signature, args in (GNOME, FREEDESKTOP):
            msg = new_method_call(DBusAddress(path, bus_name=bus_name, interface=interface), method, signature, args)
            reply = self._conn.request(msg, timeout=1)
            if reply.header.message_type.name == "error":  # mostly ServiceUnknown: not this desktop
                logger.debug("inhibit query %s: %s", bus_name, reply.header.fields.get(HeaderFields.error_name))
                continue
            if reply.body and reply.body[0]:
                return REASON
        return None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def open_source(env: Mapping[str, str]) -> IdleInhibitors | None:
    return IdleInhibitors() if env.get("DBUS_SESSION_BUS_ADDRESS") else None
