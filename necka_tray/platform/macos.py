"""macOS: the menu bar always exists; files open with ``open``."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Mapping

from necka_tray.platform import TrayChoice


def display_problem(env: Mapping[str, str]) -> str | None:
    return None


def tray_backend(env: Mapping[str, str]) -> TrayChoice:
    return TrayChoice(env.get("PYSTRAY_BACKEND") or "darwin")


def open_file(path: Path) -> None:
    subprocess.Popen(["open", str(path)])
