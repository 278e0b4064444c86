"""Windows: the notification-area icon always exists; files open with their associated app."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Mapping

from necka_tray.desktop.platform import TrayChoice


def display_problem(env: Mapping[str, str]) -> str | None:
    return None


def tray_backend(env: Mapping[str, str]) -> TrayChoice:
    return TrayChoice(env.get("PYSTRAY_BACKEND") or "win32")


def open_file(path: Path) -> None:
    os.startfile(str(path))  # type: ignore[attr-defined]  # Windows only


# -- start at login: the per-user Run key ---------------------------------------------

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "Necka"


def autostart_enable(command: list[str], reg=None) -> None:
    reg = reg or _winreg()
    with reg.CreateKey(reg.HKEY_CURRENT_USER, RUN_KEY) as key:
        reg.SetValueEx(key, RUN_VALUE, 0, reg.REG_SZ, subprocess.list2cmdline(_windowless(command)))


def autostart_disable(reg=None) -> None:
    reg = reg or _winreg()
    try:
        with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
            reg.DeleteValue(key, RUN_VALUE)
    except FileNotFoundError:
        pass


def autostart_enabled(reg=None) -> bool:
    reg = reg or _winreg()
    try:
        with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY) as key:
            reg.QueryValueEx(key, RUN_VALUE)
    except FileNotFoundError:
        return False
    return True


#: Console programs (a window at every login) -> their windowless twins in the same folder.
WINDOWLESS = {"python.exe": "pythonw.exe", "necka-tray-cli.exe": "necka-tray.exe"}


def _windowless(command: list[str]) -> list[str]:
    exe = Path(command[0])
    twin = exe.parent / WINDOWLESS.get(exe.name.lower(), exe.name)
    return [str(twin), *command[1:]] if twin.exists() else command


def _winreg():
    import winreg  # Windows only

    return winreg
