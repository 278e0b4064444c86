"""Windows: ``SHQueryUserNotificationState`` says when notifications should wait."""

from __future__ import annotations

import ctypes
from typing import Any, Mapping

#: QUNS_BUSY (full-screen app), QUNS_RUNNING_D3D_FULL_SCREEN, QUNS_PRESENTATION_MODE, QUNS_QUIET_TIME.
QUIET_STATES = frozenset({2, 3, 4, 6})


def is_quiet(state: int) -> bool:
    return state in QUIET_STATES


class WindowsQuiet:
    name = "windows"

    def __init__(self, shell32: Any = None) -> None:
        self._shell32 = shell32 or ctypes.windll.shell32  # type: ignore[attr-defined]

    def quiet(self) -> bool:
        state = ctypes.c_int(0)
        if self._shell32.SHQueryUserNotificationState(ctypes.byref(state)) != 0:  # S_OK
            return False
        return is_quiet(state.value)


def open_source(env: Mapping[str, str]) -> WindowsQuiet:
    return WindowsQuiet()
