"""Starts Necka's windows (stretch session, statistics, check-in) as their own processes.

The tray process never imports tkinter: a window in the tray's process would
share its main thread or fight it for one (fatal on macOS). A short-lived
waiter thread blocks on the child and hands its one-line JSON result back.
"""

from __future__ import annotations

import json
import logging
import subprocess
import threading
from typing import Any, Callable

from necka_tray.commandline import self_command as self_command  # one definition, shared with the windows
from necka_tray.core.clock import TimeScale

logger = logging.getLogger(__name__)


class WindowLauncher:
    """Runs one window process at a time (``necka-tray <args>``) and hands ``on_end``
    its last JSON line as a dict, over ``default``, with its ``exit_code``."""

    def __init__(self, what: str, on_end: Callable[[dict[str, Any]], None],
                 default: dict[str, Any] | None = None) -> None:
        self._what = what  # names it in the log: action=<what>-start
        self._on_end = on_end
        self._default = default or {}
        self._proc: subprocess.Popen[str] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, *args: str) -> bool:
        """Start the window; False if one is open already or it cannot start."""
        if self.running:
            return False
        try:
            self._proc = subprocess.Popen(self_command(*args), stdout=subprocess.PIPE, text=True)
        except OSError as exc:
            logger.error("Could not start the %s window (%s)", self._what, exc)
            return False
        logger.info("action=%s-start pid=%s", self._what, self._proc.pid)
        threading.Thread(target=self._wait, args=(self._proc,), name=f"{self._what}-wait", daemon=True).start()
        return True

    def _wait(self, proc: subprocess.Popen[str]) -> None:
        out, _ = proc.communicate()
        result: dict[str, Any] = {**self._default, "exit_code": proc.returncode}
        for line in reversed(out.splitlines()):
            try:
                parsed = json.loads(line)
            except ValueError:
                continue
            if isinstance(parsed, dict):
                result.update(parsed)
                break
        if proc.returncode != 0:
            logger.warning("The %s window exited with code %s", self._what, proc.returncode)
        self._on_end(result)


class SessionLauncher(WindowLauncher):
    def __init__(self, scale: TimeScale, on_end: Callable[[dict[str, Any]], None]) -> None:
        super().__init__("session", on_end, {"outcome": "stopped"})
        self._scale = scale

    def launch(self, routine: str | None = None) -> bool:
        """Open the session window; False if one is open already or it cannot start."""
        args = ["session", "--time-scale", repr(self._scale.factor)]
        if routine:
            args += ["--routine", routine]
        return self.start(*args)
