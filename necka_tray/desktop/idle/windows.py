"""Windows: ``GetLastInputInfo`` against the tick count, via ctypes."""

from __future__ import annotations

import ctypes
from typing import Any, Callable, Mapping


def idle_from_ticks(now_ticks: int, last_input_ticks: int) -> float:
    """Seconds between two 32-bit millisecond tick counts (they wrap every 49.7 days)."""
    return ((now_ticks - last_input_ticks) & 0xFFFFFFFF) / 1000.0


class LastInputInfo(ctypes.Structure):
    _fields_ = [("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint)]


class WindowsIdle:
    name = "windows"

    def __init__(self, user32: Any = None, kernel32: Any = None) -> None:
        self._user32 = user32 or ctypes.windll.user32  # type: ignore[attr-defined]
        self._tick: Callable[[], int] = (kernel32 or ctypes.windll.kernel32).GetTickCount  # type: ignore[attr-defined]

    def idle_seconds(self) -> float | None:
        info = LastInputInfo()
        info.cbSize = ctypes.sizeof(info)
        if not self._user32.GetLastInputInfo(ctypes.byref(info)):
            return None
        return idle_from_ticks(self._tick(), info.dwTime)


def open_source(env: Mapping[str, str]) -> WindowsIdle:
    return WindowsIdle()
