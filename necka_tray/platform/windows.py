"""Windows: the notification-area icon always exists; files open with their associated app."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from necka_tray.platform import TrayChoice


def display_problem(env: Mapping[str, str]) -> str | None:
    return None


def tray_backend(env: Mapping[str, str]) -> TrayChoice:
    return TrayChoice(env.get("PYSTRAY_BACKEND") or "win32")


def open_file(path: Path) -> None:
    os.startfile(str(path))  # type: ignore[attr-defined]  # Windows only
