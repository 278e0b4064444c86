"""The tray's windows end with it: at quit (``end_all``) and when it dies (``bind_to_parent``)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from necka_tray.tray import children

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_end_all_terminates_every_open_window_and_their_results_still_arrive(monkeypatch):
    monkeypatch.setattr(children, "self_command", lambda *args: SLEEPER)
    results, ended = [], threading.Event()

    def on_end(result):
        results.append(result)
        if len(results) == 2:
            ended.set()

    session = children.SessionLauncher(children.TimeScale(1.0), on_end)
    stats = children.WindowLauncher("stats", on_end)
    assert session.launch() and stats.start("stats", "--window")
    children.end_all(grace=10)
    assert ended.wait(10)
    assert sorted(r["exit_code"] for r in results) == [-15, -15]
    assert {r.get("outcome") for r in results} == {"stopped", None}
    assert not session.running and not stats.running


def test_end_all_with_nothing_open_returns_at_once():
    children.end_all(grace=0)


def run_bound(parent: str) -> subprocess.CompletedProcess:
    code = "from necka_tray.tray.children import bind_to_parent; bind_to_parent(); import time; time.sleep(0.5)"
    env = {**os.environ, children.PARENT_ENV: parent}
    return subprocess.run([sys.executable, "-c", code], env=env, timeout=30)


def test_a_window_whose_tray_is_already_gone_ends_at_once():
    assert run_bound("1").returncode == -15  # not our parent: the tray that started us has died


def test_a_window_of_a_living_tray_runs():
    assert run_bound(str(os.getpid())).returncode == 0
