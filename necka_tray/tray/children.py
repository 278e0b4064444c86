"""Starts Necka's windows (stretch session, statistics, check-in) as their own processes.

The tray process never imports tkinter: a window in the tray's process would
share its main thread or fight it for one (fatal on macOS). A short-lived
waiter thread blocks on the child and hands its one-line JSON result back.

Windows end with the tray: ``end_all`` (at quit) sends each one still open
SIGTERM (a session window then records the session as stopped), and a
window whose tray dies outright gets SIGTERM from the kernel
(``bind_to_parent``, run in the child), so none is left behind as an orphan.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any, Callable

from necka_tray.commandline import self_command as self_command  # one definition, shared with the windows
from necka_tray.core.clock import TimeScale

logger = logging.getLogger(__name__)


PARENT_ENV = "NECKA_PARENT_PID"  # set for a window: the tray's pid, so the window can follow it
END_GRACE_S = 5.0  # how long end_all waits for windows to record and close before SIGKILL

_open: set[subprocess.Popen[str]] = set()  # the windows started and not yet reaped
_open_lock = threading.Lock()


def end_all(grace: float = END_GRACE_S) -> None:
    """SIGTERM every window still open, wait up to ``grace`` s for them, SIGKILL what is left."""
    with _open_lock:
        procs = [p for p in _open if p.poll() is None]
    for proc in procs:
        logger.info("action=window-end pid=%s", proc.pid)
        proc.terminate()
    deadline = time.monotonic() + grace
    for proc in procs:
        try:
            proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            logger.warning("action=window-kill pid=%s", proc.pid)
            proc.kill()


def bind_to_parent() -> None:
    """In a window process started by the tray: get SIGTERM when the tray dies (Linux).

    The kernel sends it when the tray's thread that started us ends, which in the tray
    happens only at quit or death. A tray that died before this ran is caught by
    comparing parents. The variable is removed so this window's own children are free.
    """
    parent = os.environ.pop(PARENT_ENV, "")
    if not parent.isdigit() or not sys.platform.startswith("linux"):
        return
    import ctypes

    PR_SET_PDEATHSIG = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != int(parent):
        os.kill(os.getpid(), signal.SIGTERM)  # the tray is gone already: end as if told to


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
            self._proc = subprocess.Popen(self_command(*args), stdout=subprocess.PIPE, text=True,
                                          env={**os.environ, PARENT_ENV: str(os.getpid())})
        except OSError as exc:
            logger.error("Could not start the %s window (%s)", self._what, exc)
            return False
        with _open_lock:
            _open.add(self._proc)
        logger.info("action=%s-start pid=%s", self._what, self._proc.pid)
        threading.Thread(target=self._wait, args=(self._proc,), name=f"{self._what}-wait", daemon=True).start()
        return True

    def _wait(self, proc: subprocess.Popen[str]) -> None:
        out, _ = proc.communicate()
        with _open_lock:
            _open.discard(proc)
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
