"""The one way the tray starts a helper process (a window, the popup menu, the icon drawing) and hears its result.

The tray process never imports tkinter or Pillow (see ``necka_tray/children/helpers.py``
for the table of helpers and their command lines). ``Children.start`` runs
one with ``Popen``; one daemon thread per child waits for it to exit, parses
its last stdout line as a ``protocol`` message and hands ``on_end(message,
exit_code)`` to ``post``: the app's dispatcher, or the xembed tray's X thread.
No polling: the waiter blocks on the child.

Helpers end with the tray: ``end_all`` (from ``App.quit``, on the dispatcher
thread) sends SIGTERM to each one still open (a session window then reports
the session as stopped, and its report is posted before the dispatcher stops),
and a helper whose tray dies outright gets SIGTERM from the kernel
(``helpers.bind_to_parent``, run in the child), so none is left as an orphan.
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
from typing import Any, Callable

from necka_tray.children import helpers, protocol
from necka_tray.children import activation

logger = logging.getLogger(__name__)

OnEnd = Callable[[Any, int], None]  # (the parsed message or None, the exit code)

END_GRACE_S = 5.0  # how long end_all waits for helpers to report and close before SIGKILL


class Children:
    def __init__(self, post: Callable[..., None]) -> None:
        self._post = post
        self._open: dict[subprocess.Popen, threading.Thread] = {}  # started, not yet reaped
        self._ended: set[int] = set()  # pids end_all told to end: their exit is no failure
        self._lock = threading.Lock()

    def end_all(self, grace: float = END_GRACE_S) -> None:
        """SIGTERM every helper still open, wait up to ``grace`` s for each to exit and for its
        result to be posted, SIGKILL what is left. On the dispatcher thread, the results are
        queued before a ``Dispatcher.stop`` that follows, so they are still handled."""
        with self._lock:
            open_ = list(self._open.items())
        for proc, _ in open_:
            if proc.poll() is None:
                logger.info("action=helper-end pid=%s", proc.pid)
                self._ended.add(proc.pid)
                proc.terminate()
        deadline = time.monotonic() + grace
        for proc, waiter in open_:
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("action=helper-kill pid=%s", proc.pid)
                proc.kill()
            waiter.join(max(0.1, deadline - time.monotonic()))

    def start(self, name: str, *args: str, on_end: OnEnd | None = None, expect: Any = (),
              send: str | None = None, keep_stdin: bool = False,
              env: dict[str, str] | None = None) -> subprocess.Popen | None:
        """Start helper ``name``; None (logged) if it cannot start.

        ``send``: one line written to its stdin, which then closes; ``keep_stdin``: its stdin stays
        open for the caller (the tooltip), closing it ends the helper. ``expect``: the protocol
        message types its last stdout line may be (none: its output is not read). ``env``: added to
        the helper's environment.
        """
        stdin = subprocess.PIPE if send is not None or keep_stdin else subprocess.DEVNULL
        stdout = subprocess.PIPE if expect else subprocess.DEVNULL
        try:
            proc = subprocess.Popen(helpers.command(name, *args), stdin=stdin, stdout=stdout,
                                    env={**activation.inherited(os.environ), **(env or {}),
                                         helpers.PARENT_ENV: str(os.getpid())})
        except OSError as exc:
            logger.error("Could not start the %s helper (%s)", name, exc)
            return None
        logger.info("action=%s-start pid=%s args=%s", name, proc.pid, " ".join(args))
        waiter = threading.Thread(target=self._wait, args=(proc, name, on_end, expect, send),
                                  name=f"{name}-wait", daemon=True)
        with self._lock:
            self._open[proc] = waiter
        waiter.start()
        return proc

    def _wait(self, proc: subprocess.Popen, name: str, on_end: OnEnd | None, expect: Any, send: str | None) -> None:
        message = None
        try:
            if expect or send is not None:
                out, _ = proc.communicate(None if send is None else send.encode() + b"\n")
                if expect and out:
                    message = protocol.last_message(out.decode(errors="replace"), expect, name)
            else:
                proc.wait()
        except OSError as exc:  # its pipe broke: it died early
            logger.warning("The %s helper failed (%s)", name, exc)
            proc.wait()
        if proc.returncode != 0 and proc.pid not in self._ended:
            logger.warning("The %s helper exited with code %s", name, proc.returncode)
        if on_end is not None:
            self._post(on_end, message, proc.returncode)
        with self._lock:
            self._open.pop(proc, None)


class OneAtATime:
    """A helper that runs at most once at a time (a window): ``start`` says False while it runs."""

    def __init__(self, children: Children, name: str, on_end: OnEnd, expect: Any = ()) -> None:
        self._children, self._name, self._on_end, self._expect = children, name, on_end, expect
        self._proc: subprocess.Popen | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, *args: str) -> bool:
        if self.running:
            return False
        # A window: it takes the activation token of the click that opened it (Wayland focus).
        self._proc = self._children.start(self._name, *args, on_end=self._on_end, expect=self._expect,
                                          env=activation.env())
        return self._proc is not None


class SessionLauncher(OneAtATime):
    """The stretch-session window. It does not write the history (``--no-record``): it reports the
    session, and its check-in, to the tray, which records them through its history writer."""

    def __init__(self, children: Children, factor: float, on_end: OnEnd) -> None:
        super().__init__(children, "session", on_end, protocol.SessionEnd)
        self._factor = factor

    def launch(self, routine: str | None = None) -> bool:
        args = ["--time-scale", repr(self._factor), "--no-record"]
        if routine:
            args += ["--routine", routine]
        return self.start(*args)
