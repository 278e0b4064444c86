"""macOS: the menu bar always exists; files open with ``open``."""

from __future__ import annotations

import plistlib
import subprocess
from pathlib import Path
from typing import Mapping

from necka_tray import APP_ID
from necka_tray.store.fsutil import atomic_write
from necka_tray.desktop.platform import TrayChoice


def display_problem(env: Mapping[str, str]) -> str | None:
    return None


def tray_backend(env: Mapping[str, str]) -> TrayChoice:
    return TrayChoice(env.get("PYSTRAY_BACKEND") or "darwin")


def open_file(path: Path) -> None:
    subprocess.Popen(["open", str(path)])


# -- start at login: a per-user LaunchAgent ----------------------------------------


def launch_agent(home: Path | None = None) -> Path:
    return (home or Path.home()) / "Library" / "LaunchAgents" / f"{APP_ID}.plist"


def autostart_enable(command: list[str], home: Path | None = None) -> None:
    path = launch_agent(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    agent = {"Label": APP_ID, "ProgramArguments": list(command), "RunAtLoad": True, "ProcessType": "Interactive"}
    atomic_write(path, plistlib.dumps(agent), mode=0o644)


def autostart_disable(home: Path | None = None) -> None:
    launch_agent(home).unlink(missing_ok=True)


def autostart_enabled(home: Path | None = None) -> bool:
    return launch_agent(home).exists()
