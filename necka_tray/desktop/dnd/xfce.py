"""Xfce's notification daemon: its do-not-disturb switch, ``/do-not-disturb`` in xfconf's ``xfce4-notifyd``.

Read from xfconfd over D-Bus (``org.xfce.Xfconf.GetProperty``), only where xfce4-notifyd is
the notification server. A property never set does not exist: that is "off".
"""

from __future__ import annotations

from typing import Mapping

from necka_tray.desktop.dnd.bus import BusError, SessionBus, open_for

XFCONF = ("/org/xfce/Xfconf", "org.xfce.Xfconf", "org.xfce.Xfconf")


class XfceDnd:
    name = "xfce-dnd"

    def __init__(self, bus: SessionBus) -> None:
        self._bus = bus
        self.quiet()  # probe: raises where xfconfd does not answer

    def quiet(self) -> bool:
        try:
            value = self._bus.call(*XFCONF, "GetProperty", "ss", ("xfce4-notifyd", "/do-not-disturb"))[0]
        except BusError as exc:
            if exc.name.startswith("org.xfce.Xfconf.Error"):  # PropertyNotFound: never switched on
                return False
            raise
        return bool(value[1])


def open_source(env: Mapping[str, str], bus: SessionBus | None = None) -> XfceDnd:
    return XfceDnd(open_for("Xfce Notify Daemon", bus))
