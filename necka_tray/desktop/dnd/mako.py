"""mako's modes (``makoctl mode -a do-not-disturb``): mako 1.7's man page names that mode for DND.

Read with ``fr.emersion.Mako.ListModes`` on mako's own object, on the bus name it holds as the
notification server. mako sends no signal when its modes change: asked when a reminder is due.
"""

from __future__ import annotations

from typing import Mapping

from necka_tray.desktop.dnd.bus import SessionBus, open_for

#: The modes that mean "do not disturb" (mako has no built-in one: users define it in its config).
QUIET_MODES = frozenset({"do-not-disturb", "dnd"})


def is_quiet(modes: list[str]) -> bool:
    return any(mode in QUIET_MODES for mode in modes)


class MakoModes:
    name = "mako"

    def __init__(self, bus: SessionBus) -> None:
        self._bus = bus
        self.quiet()  # probe: mako before 1.7 has no ListModes

    def quiet(self) -> bool:
        return is_quiet(list(self._bus.call("/fr/emersion/Mako", "org.freedesktop.Notifications",
                                            "fr.emersion.Mako", "ListModes")[0]))


def open_source(env: Mapping[str, str], bus: SessionBus | None = None) -> MakoModes:
    return MakoModes(open_for("mako", bus))
