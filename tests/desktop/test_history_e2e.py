"""The history file failing under a running Necka: a newer Necka's file, another program's lock.

Commands answer at once and what the user gives waits (in memory, then in the spool on disk);
the problem is said once, in one line.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

from .necka_app import docked


def necka_tray(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "necka_tray", *args], env=env, capture_output=True, text=True,
                          timeout=30)


def make_history(necka, version: int | None = None):
    necka.data.mkdir(parents=True, exist_ok=True)
    from necka_tray.store.history import History

    with History(necka.data / "history.sqlite3"):
        pass
    if version is not None:
        with sqlite3.connect(necka.data / "history.sqlite3") as raw:
            raw.execute(f"PRAGMA user_version = {version}")


def test_a_history_from_a_newer_necka_is_said_once_and_a_check_in_waits(desktop, start_necka, app_env):
    from .necka_app import Necka

    probe = Necka(app_env, None, None, 0)
    make_history(probe, 99)
    necka = start_necka()
    docked(desktop, necka)
    necka.wait_log(r"action=add job=stretch")
    done = necka_tray(app_env, "checkin", "3")
    assert done.returncode == 0, done.stderr
    assert necka_tray(app_env, "quit").returncode == 0
    necka.proc.wait(20)
    said = [line for line in necka.stderr.read_text().splitlines() if line.strip()]
    assert len(said) == 1 and "schema version 99" in said[0], said
    assert "Traceback" not in necka.log_text()
    spooled = [json.loads(line) for line in (necka.data / "history-waiting.jsonl").read_text().splitlines()]
    assert [e["data"]["rating"] for e in spooled if e["kind"] == "checkin"] == [3]


def test_a_locked_history_never_holds_up_a_command(desktop, start_necka, app_env):
    from .necka_app import Necka

    make_history(Necka(app_env, None, None, 0))
    necka = start_necka()
    docked(desktop, necka)
    necka.wait_log(r"action=add job=stretch")
    locker = sqlite3.connect(necka.data / "history.sqlite3", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        assert necka_tray(app_env, "checkin", "--help").returncode == 0
        done = necka_tray(app_env, "pause", "30m")
        assert done.returncode == 0, done.stderr
        done = necka_tray(app_env, "status", "--json")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["paused_until"] is not None
        done = necka_tray(app_env, "resume")
        assert done.returncode == 0, done.stderr
        done = necka_tray(app_env, "status", "--json")
        assert json.loads(done.stdout)["paused_until"] is None  # still locked: the lock held up nothing
    finally:
        locker.execute("COMMIT")
        locker.close()
    necka.wait_log(r"action=history-written|action=resume")
