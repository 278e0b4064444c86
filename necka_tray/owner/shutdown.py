"""Every way the tray can be told to end takes the Quit menu item's path.

SIGTERM (a logout, ``systemctl --user stop``, ``kill``), SIGINT (Ctrl+C in a
terminal), SIGHUP (the terminal closed), logind's ``PrepareForShutdown(true)``
(see ``desktop/platform/sleep_linux.py``) and the X display going away must
record the last sitting stretch, flush the job store and end the helper
windows, exactly as Quit does. A signal handler runs on the main thread, which
is the tray's loop, so it only posts ``App.quit`` to the dispatcher; the
dispatcher stops the tray's loop as Quit does.
"""

from __future__ import annotations

import logging
import signal
from typing import Callable

logger = logging.getLogger(__name__)

SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP")


def on_signals(request_quit: Callable[[str], None]) -> None:
    """Make each of ``SIGNALS`` (those this platform has) call ``request_quit(name)``.

    Call on the main thread. ``request_quit`` must only post (it runs inside a
    signal handler, between any two bytecodes of the tray's loop).
    """
    def handler(signum: int, _frame) -> None:
        request_quit(signal.Signals(signum).name)

    for name in SIGNALS:
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), handler)


def quit_app(app, reason: str) -> None:
    """On the dispatcher thread: quit the app (once) if it has been built; say why."""
    if app is None or getattr(app, "quitting", False):
        return
    logger.info("action=quit-request reason=%s", reason)
    app.quit()
