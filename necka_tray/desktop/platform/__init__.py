"""Platform differences, one module per OS behind the same few functions.

Each module provides:

- ``display_problem(env) -> str | None``: why no tray can be shown at all.
- ``tray_backend(env) -> TrayChoice``: the pystray backend to use, or raise
  ``TrayUnavailable`` with a one-line fix.
- ``open_file(path)``: open a file in the user's default application.
- ``autostart_enable(command)``, ``autostart_disable()``, ``autostart_enabled()``:
  start Necka at login (XDG autostart entry, ``Run`` registry value, LaunchAgent).

``current()`` picks the module for ``sys.platform``; ``NECKA_PLATFORM``
overrides it (as ``PYSTRAY_BACKEND`` does for pystray).
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from types import ModuleType


class TrayUnavailable(RuntimeError):
    """No usable tray: the message says what is missing and how to fix it."""


@dataclass(frozen=True)
class TrayChoice:
    backend: str
    #: Said once at start when the icon may not be visible yet (e.g. no tray host running).
    notice: str | None = None


def current() -> ModuleType:
    name = os.environ.get("NECKA_PLATFORM")
    if not name:
        name = {"win32": "windows", "darwin": "macos"}.get(sys.platform, "linux")
    return importlib.import_module(f"necka_tray.desktop.platform.{name}")
