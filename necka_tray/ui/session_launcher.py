"""Starts the stretch-session window as its own process and reports how it ended.

The tray process never imports tkinter: a window in the tray's process would
share its main thread or fight it for one (fatal on macOS). A short-lived
waiter thread blocks on the child and hands its one-line JSON result back.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from typing import Any, Callable

from necka_tray.core.clock import TimeScale

logger = logging.getLogger(__name__)


def self_command(*args: str) -> list[str]:
    """The command line that runs this program with ``args`` (frozen or not)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "necka_tray", *args]


class SessionLauncher:
    def __init__(self, scale: TimeScale, on_end: Callable[[dict[str, Any]], None]) -> None:
        self._scale = scale
        self._on_end = on_end
        self._proc: subprocess.Popen[str] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def launch(self, routine: str | None = None) -> bool:
        """Open the session window; False if one is open already or it cannot start."""
        if self.running:
            return False
        args = ["session", "--time-scale", repr(self._scale.factor)]
        if routine:
            args += ["--routine", routine]
        try:
            self._proc = subprocess.Popen(self_command(*args), stdout=subprocess.PIPE, text=True)
        except OSError as exc:
            logger.error("Could not start the stretch session window (%s)", exc)
            return False
        logger.info("action=session-start pid=%s", self._proc.pid)
        threading.Thread(target=self._wait, args=(self._proc,), name="session-wait", daemon=True).start()
        return True

    def _wait(self, proc: subprocess.Popen[str]) -> None:
        out, _ = proc.communicate()
        result: dict[str, Any] = {"outcome": "stopped", "exit_code": proc.returncode}
        for line in reversed(out.splitlines()):
            try:
                parsed = json.loads(line)
            except ValueError:
                continue
            if isinstance(parsed, dict):
                result.update(parsed)
                break
        if proc.returncode != 0:
            logger.warning("The stretch session window exited with code %s", proc.returncode)
        self._on_end(result)
