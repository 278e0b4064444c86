"""The tray's helpers end with it: at quit (``Children.end_all``) and when it dies (``helpers.bind_to_parent``)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from necka_tray.children import helpers
from necka_tray.children import processes as children

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_end_all_terminates_every_open_helper_and_their_results_are_posted_first(monkeypatch, caplog):
    monkeypatch.setattr(children.helpers, "command", lambda name, *args: SLEEPER)
    posted: list = []
    kids = children.Children(post=lambda fn, *args: posted.append((fn, args)))
    results = []
    session = children.OneAtATime(kids, "session", lambda message, code: results.append(code))
    stats = children.OneAtATime(kids, "stats", lambda message, code: results.append(code))
    assert session.start() and stats.start("--window")
    kids.end_all(grace=10)
    # end_all returns only once each waiter has posted its result: a Dispatcher.stop after it
    # comes later in the queue, so a session stopped by quit is still recorded.
    assert len(posted) == 2
    for fn, args in posted:
        fn(*args)
    assert sorted(results) == [-15, -15]
    assert not session.running and not stats.running
    assert "exited with code" not in caplog.text  # ended on purpose at quit: no failure to report


def recording_popen(record):
    """A ``Popen`` stand-in whose process has already exited 0; ``record`` gets each one's environment."""
    class FakePopen:
        def __init__(self, cmd, **kw):
            record(kw["env"])
            self.pid, self.returncode = 1, 0

        def poll(self):
            return 0

        def wait(self, *_):
            return 0

    return FakePopen


def test_helpers_are_started_with_the_trays_pid(monkeypatch):
    seen = {}

    monkeypatch.setattr(children.subprocess, "Popen", recording_popen(lambda env: seen.update(env)))
    children.Children(post=lambda *a: None).start("stats")
    assert seen[helpers.PARENT_ENV] == str(os.getpid())


def test_end_all_with_nothing_open_returns_at_once():
    children.Children(post=lambda *a: None).end_all(grace=0)


def run_bound(parent: str) -> subprocess.CompletedProcess:
    code = "from necka_tray.children.helpers import bind_to_parent; bind_to_parent(); import time; time.sleep(0.5)"
    env = {**os.environ, helpers.PARENT_ENV: parent}
    return subprocess.run([sys.executable, "-c", code], env=env, timeout=30)


def test_a_helper_whose_tray_is_already_gone_ends_at_once():
    assert run_bound("1").returncode == -15  # not our parent: the tray that started us has died


def test_a_helper_of_a_living_tray_runs():
    assert run_bound(str(os.getpid())).returncode == 0


def test_a_window_takes_the_activation_token_of_the_click_and_other_helpers_do_not(monkeypatch):
    """Wayland focus: the token a tray host gave with the click goes to the window it opens, once."""
    from necka_tray.children import activation

    envs: list[dict] = []

    monkeypatch.setattr(children.subprocess, "Popen", recording_popen(envs.append))
    monkeypatch.setenv("XDG_ACTIVATION_TOKEN", "the-token-necka-was-started-with")
    kids = children.Children(post=lambda *a: None)
    activation.offer("tok-7")
    kids.start("icons")  # the icon drawing helper is no window: it leaves the token
    assert children.OneAtATime(kids, "session", lambda m, c: None).start()
    assert children.OneAtATime(kids, "stats", lambda m, c: None).start()
    assert "XDG_ACTIVATION_TOKEN" not in envs[0]
    assert envs[1]["XDG_ACTIVATION_TOKEN"] == envs[1]["DESKTOP_STARTUP_ID"] == "tok-7"
    assert "XDG_ACTIVATION_TOKEN" not in envs[2]  # used once; Necka's own launch token is never passed on
