"""Start at login, for the tray menu and ``necka-tray autostart``: this OS's way, this install's command.

An installed Necka (the .deb's ``/usr/bin/necka-tray``, a pipx or virtual environment's
``bin/necka-tray``) starts by its own command, the one next to the Python running it;
a source checkout and the frozen app start the way this process was started (the
venv's ``python -m necka_tray``, the executable), so it keeps working without
``necka-tray`` on the PATH.
"""

from __future__ import annotations

import os
import site
import sys
from pathlib import Path

from necka_tray import APP_NAME
from necka_tray.desktop import platform
from necka_tray.children.helpers import self_command


def enabled() -> bool:
    return platform.current().autostart_enabled()


def set(on: bool) -> None:  # noqa: A001 - read as autostart.set(on)
    plat = platform.current()
    if on:
        plat.autostart_enable(launch_command())
    else:
        plat.autostart_disable()


def launch_command(executable: str | None = None, package_dir: Path | None = None,
                   site_dirs: list[str] | None = None) -> list[str]:
    """The command that starts this Necka at login (the arguments are for tests)."""
    if getattr(sys, "frozen", False) or os.name != "posix":
        return self_command()
    executable = executable or sys.executable
    package_dir = package_dir or Path(__file__).resolve().parents[1]
    script = Path(executable).parent / APP_NAME
    if site_dirs is None:
        site_dirs = [*site.getsitepackages(), site.getusersitepackages()]
    installed = any(package_dir.parent == Path(d).resolve() for d in site_dirs if d)
    if installed and script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return self_command()
