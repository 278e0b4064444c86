"""macOS: IOKit's ``HIDIdleTime`` (nanoseconds), read through ``ioreg``."""

from __future__ import annotations

import re
import subprocess
from typing import Callable, Mapping

_HID_IDLE = re.compile(r'"HIDIdleTime"\s*=\s*(\d+)')


def parse_ioreg(text: str) -> float | None:
    match = _HID_IDLE.search(text)
    return int(match.group(1)) / 1e9 if match else None


def _ioreg() -> str:
    return subprocess.run(["ioreg", "-c", "IOHIDSystem", "-d", "4"], capture_output=True, text=True, timeout=5).stdout


class MacIdle:
    name = "macos"

    def __init__(self, run: Callable[[], str] = _ioreg) -> None:
        self._run = run

    def idle_seconds(self) -> float | None:
        try:
            return parse_ioreg(self._run())
        except (OSError, subprocess.SubprocessError):
            return None


def open_source(env: Mapping[str, str]) -> MacIdle:
    return MacIdle()
