"""Start at login, for the tray menu and ``necka-tray autostart``: this OS's way, this install's command.

The entry starts Necka the way this process was started (the venv's Python,
or the frozen app), so it keeps working without ``necka-tray`` on the PATH.
"""

from __future__ import annotations

from necka_tray.desktop import platform
from necka_tray.helpers import self_command


def enabled() -> bool:
    return platform.current().autostart_enabled()


def set(on: bool) -> None:  # noqa: A001 - read as autostart.set(on)
    plat = platform.current()
    if on:
        plat.autostart_enable(self_command())
    else:
        plat.autostart_disable()
