"""Signals and logind's shutdown only post the app's quit, which runs once."""

from __future__ import annotations

import os
import signal

from necka_tray.desktop.platform.sleep_linux import is_resume, is_shutdown
from necka_tray.owner import shutdown


def test_only_a_shutdown_that_goes_ahead_quits():
    assert is_shutdown("PrepareForShutdown", (True,))
    assert not is_shutdown("PrepareForShutdown", (False,))  # cancelled
    assert not is_shutdown("PrepareForSleep", (True,)) and not is_resume("PrepareForShutdown", (False,))


def test_signals_only_post_the_quit():
    posted = []
    saved = {name: signal.getsignal(getattr(signal, name)) for name in shutdown.SIGNALS}
    try:
        shutdown.on_signals(posted.append)
        for name in shutdown.SIGNALS:
            os.kill(os.getpid(), getattr(signal, name))
    finally:
        for name, handler in saved.items():
            signal.signal(getattr(signal, name), handler)
    assert posted == list(shutdown.SIGNALS)


class FakeApp:
    def __init__(self):
        self.quitting, self.quits = False, 0

    def quit(self):
        self.quitting = True
        self.quits += 1


def test_quit_runs_once_whatever_asks_and_waits_for_the_app():
    shutdown.quit_app(None, "SIGTERM")  # no app (start-up failed): nothing to quit
    app = FakeApp()
    for reason in ("SIGTERM", "logind-shutdown", "tray-ended"):
        shutdown.quit_app(app, reason)
    assert app.quits == 1
