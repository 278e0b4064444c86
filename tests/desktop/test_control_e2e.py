"""Necka controlled from a terminal, as a keyboard launcher or a script would: one instance, one icon.

Each test starts the real app on the test desktop, then runs the real
``necka-tray`` commands as separate processes in the same per-user dirs.
"""

from __future__ import annotations

import json
import pickle
import sqlite3
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageChops

from . import xdesk
from .necka_app import docked, wait_menu  # start_necka is a conftest fixture


def necka_tray(env: dict, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "necka_tray", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def status(env: dict) -> dict:
    done = necka_tray(env, "status", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def hover_tooltip(desktop, icon: xdesk.Win, shot, name: str) -> Image.Image:
    """Point at the icon from outside, wait for GTK's tooltip, and return its picture."""
    desktop.move(0, 799)
    desktop.move(*icon.center)
    tip = xdesk.wait_for(lambda: [p for p in desktop.popups() if p.w > 40], 10, what="the tooltip")[0]
    path = shot(name, window=tip.wid)
    return Image.open(path).convert("RGB")


def test_a_second_start_asks_the_first_for_a_session_and_exits(desktop, start_necka, app_env, shot):
    necka = start_necka()
    docked(desktop, necka)
    necka.wait_log(r"action=control-listen")
    second = necka_tray(app_env)
    assert second.returncode == 0, second.stderr
    assert second.stdout == "Necka is already running: opened a stretch session.\n"
    assert second.stderr == ""
    desktop.wait_window("^Necka .+ Stretch session$", timeout=10)
    assert len(desktop.tray_icons()) == 1, "a second start must not dock a second icon"
    assert necka.proc.poll() is None
    shot("one-icon-and-session")
    # The second process never touched the first one's log or job store: one "start" line.
    assert necka.log_text().count("action=start ") == 1
    again = necka_tray(app_env)
    assert (again.returncode, again.stdout) == (0, "Necka is already running: a stretch session is already open.\n")


def test_pause_1h_changes_the_tooltip_and_status(desktop, start_necka, app_env, shot):
    necka = start_necka()
    icon = docked(desktop, necka)
    necka.wait_log(r"action=control-listen")
    before = status(app_env)
    assert before["running"] and before["state"] == "active"
    assert f"action=start backend={before['tray_backend']} " in necka.log_text()
    assert before["tooltip"] == "Necka: stretch break in 60 min"
    tip_before = hover_tooltip(desktop, icon, shot, "tooltip-before-pause")

    done = necka_tray(app_env, "pause", "1h")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Paused until ") and done.stdout.count("\n") == 1

    after = status(app_env)
    assert after["state"] == "paused" and after["paused_until"]
    assert after["tooltip"] == "Necka: p" + done.stdout.strip().rstrip(".")[1:]  # "Paused until 14:30."
    necka.wait_log(r"action=pause until=")
    tip_after = hover_tooltip(desktop, icon, shot, "tooltip-paused")
    assert tip_before.size != tip_after.size or ImageChops.difference(tip_before, tip_after).getbbox(), \
        "the tooltip should read differently once paused"

    text = necka_tray(app_env, "status")
    assert text.returncode == 0
    assert text.stdout.splitlines()[0].endswith(f"{after['tooltip'].removeprefix('Necka: ')}.")
    config = Path(app_env["XDG_CONFIG_HOME"]) / "necka-tray" / "config.toml"
    assert f"Settings: {config}" in text.stdout and "Logs:     " in text.stdout

    resumed = necka_tray(app_env, "resume")
    assert resumed.returncode == 0 and status(app_env)["state"] == "active"


def test_quit_ends_the_app_cleanly(desktop, start_necka, app_env):
    necka = start_necka()
    docked(desktop, necka)
    necka.wait_log(r"action=control-listen")
    socket = Path(app_env["XDG_RUNTIME_DIR"]) / "necka-tray" / "control.sock"
    assert socket.exists()
    done = necka_tray(app_env, "quit")
    assert (done.returncode, done.stdout, done.stderr) == (0, "Necka has quit.\n", "")
    assert necka.proc.wait(10) == 0
    assert not socket.exists()
    xdesk.wait_for(lambda: not desktop.tray_icons(), 5, what="the icon gone")
    assert necka.stderr.read_text() == ""
    gone = necka_tray(app_env, "status")
    assert gone.returncode == 3 and gone.stdout.startswith("Necka is not running.")


def test_start_at_login_from_the_menu_and_the_command(desktop, start_necka, app_env, shot):
    necka = start_necka()
    icon = docked(desktop, necka)
    necka.wait_log(r"action=control-listen")
    entry = Path(app_env["XDG_CONFIG_HOME"]) / "autostart" / "io.github.necka.Necka.desktop"
    assert necka_tray(app_env, "autostart", "status").stdout == "Start at login: off\n"
    desktop.click(*icon.center, button=3)
    wait_menu(desktop)
    # From the bottom: Quit Necka, Open settings file, Start at login. A Tk menu (the xembed
    # tray's) first selects its top item and wraps; a GTK menu starts at the bottom.
    backend = status(app_env)["tray_backend"]
    desktop.key(*["Up"] * (3 if backend in ("gtk", "appindicator") else 4))
    shot("menu-start-at-login")
    desktop.key("Return")
    necka.wait_log(r"action=autostart on=True")
    text = entry.read_text()
    assert f"Exec={sys.executable} -m necka_tray\n" in text
    assert necka_tray(app_env, "autostart", "status").stdout == "Start at login: on\n"
    assert status(app_env)["autostart"] is True

    off = necka_tray(app_env, "autostart", "off")
    assert (off.returncode, off.stdout) == (0, "Start at login: off\n")
    assert not entry.exists() and status(app_env)["autostart"] is False


def _remove_runtime_folder(app_env) -> Path:
    import shutil

    run_dir = Path(app_env["XDG_RUNTIME_DIR"]) / "necka-tray"
    assert (run_dir / "control.sock").exists()
    shutil.rmtree(run_dir)  # a tmp cleaner, or a session that changed XDG_RUNTIME_DIR
    return run_dir


def test_a_removed_runtime_folder_never_lets_a_second_tray_start(desktop, start_necka, app_env):
    import os
    import time

    necka = start_necka()  # real time: its first tick (which binds a new socket) is a minute away
    docked(desktop, necka)
    necka.wait_log(r"action=control-listen")
    _remove_runtime_folder(app_env)
    lock = Path(app_env["XDG_DATA_HOME"]) / "necka-tray" / "instance.lock"
    old = time.time() - 60  # as if up for a while: not one that is still starting
    os.utime(lock, (old, old))
    second = necka_tray(app_env)
    assert second.returncode == 1, second.stdout + second.stderr
    assert second.stdout == "" and second.stderr.count("\n") == 1
    assert second.stderr.startswith(f"necka-tray: Necka is already running (pid {necka.proc.pid}) but cannot be "
                                    "reached at "), second.stderr
    assert len(desktop.tray_icons()) == 1 and necka.proc.poll() is None
    assert necka.log_text().count("action=start ") == 1, "the second process must not have started a tray"
    asked = necka_tray(app_env, "status")  # the truth, not "Necka is not running" (issue 28 item 6)
    assert (asked.returncode, asked.stdout) == (6, ""), asked.stderr
    assert asked.stderr == (f"necka-tray: Necka is running (pid {necka.proc.pid}) but its control channel is "
                            "being rebuilt; try again in a minute.\n")


def test_commands_work_again_once_the_tick_has_made_a_new_socket(desktop, start_necka, app_env):
    necka = start_necka("--time-scale", "60")  # a tick every second
    docked(desktop, necka)
    necka.wait_log(r"action=control-listen")
    _remove_runtime_folder(app_env)
    necka.wait_log(r"action=control-rebind reason=socket-gone")
    assert status(app_env)["pid"] == necka.proc.pid
    second = necka_tray(app_env)
    assert (second.returncode, second.stdout) == (0, "Necka is already running: opened a stretch session.\n")
    assert len(desktop.tray_icons()) == 1


def test_a_full_runtime_folder_is_said_once_and_commands_work_once_there_is_room(desktop, start_necka, app_env):
    """Issue 27 item 3, as it happens: XDG_RUNTIME_DIR on a 64 KiB tmpfs that is full at start."""
    import os

    import pytest

    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    runtime = Path(app_env["XDG_RUNTIME_DIR"])
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(runtime)], check=True)
    try:
        filler = runtime / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * 512)
        except OSError:
            pass
        finally:
            os.close(fd)
        necka = start_necka("--time-scale", "60", "--debug")  # a tick every second: each one tries again
        docked(desktop, necka)
        necka.wait_log(r"cannot make its control socket in .* \(No space left on device\); it tries again")
        asked = necka_tray(app_env, "status")
        assert (asked.returncode, asked.stdout) == (6, ""), asked.stderr
        assert asked.stderr.startswith(f"necka-tray: Necka is running (pid {necka.proc.pid}) but commands cannot "
                                       "reach it: cannot make its control socket in "), asked.stderr
        assert "(No space left on device)" in asked.stderr
        second = necka_tray(app_env)  # names the cause at once, not a missing socket
        assert second.returncode == 1 and "No space left on device" in second.stderr, second.stderr
        assert list((runtime / "necka-tray").iterdir()) == []  # no socket without a key, nothing half-made
        necka.wait_log(r"action=control-rebind failed=")  # a tick has tried again (said only at debug level)
        filler.unlink()  # room again
        necka.wait_log(r"commands reach this Necka again")
        assert status(app_env)["pid"] == necka.proc.pid
        assert necka.log_text().count("cannot make its control socket") == 1, "said once, not on every tick"
        assert len(desktop.tray_icons()) == 1
        done = necka_tray(app_env, "quit")
        assert done.returncode == 0, done.stderr
    finally:
        subprocess.run(["umount", "-l", str(runtime)])


def test_a_read_only_runtime_folder_stops_only_the_channel_until_it_is_writable(desktop, start_necka, app_env):
    """Issue 27 item 3's class: where Necka cannot even make its folder (a read-only runtime folder; ENOSPC
    for the folder itself too) the tray starts all the same (it exited 5: "cannot create Necka's
    folders"), says why once, and makes the channel on the tick once it can."""
    import os

    import pytest

    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    runtime = Path(app_env["XDG_RUNTIME_DIR"])
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700,ro", "tmpfs", str(runtime)], check=True)
    try:
        necka = start_necka("--time-scale", "60")  # a tick every second
        docked(desktop, necka)
        necka.wait_log(r"cannot make its control socket in .* \(Read-only file system\); it tries again")
        asked = necka_tray(app_env, "status")
        assert (asked.returncode, asked.stdout) == (6, ""), asked.stderr
        assert "(Read-only file system)" in asked.stderr and f"(pid {necka.proc.pid})" in asked.stderr
        checked_in = necka_tray(app_env, "checkin", "3")  # the history is elsewhere: saved, no spool
        assert checked_in.returncode == 0 and "waits in" not in checked_in.stderr, checked_in.stderr
        subprocess.run(["mount", "-o", "remount,rw", str(runtime)], check=True)
        necka.wait_log(r"commands reach this Necka again")
        assert status(app_env)["pid"] == necka.proc.pid
        assert necka.stderr.read_text().count("cannot make its control socket") == 1
        assert necka_tray(app_env, "quit").returncode == 0
    finally:
        subprocess.run(["umount", "-l", str(runtime)])


def test_the_countdowns_and_a_pause_survive_a_restart(desktop, start_necka, app_env):
    """A restart is not a reset: the job store keeps each reminder's next time and a pause,
    its rows naming the job functions by name (``tray/jobs.FUNCTIONS``), never by module path."""
    runs = []

    def run_then_quit(check) -> dict:
        necka = start_necka()
        runs.append(necka)
        docked(desktop, necka)
        # One log for every run: wait for this run's line, not the one before.
        xdesk.wait_for(lambda: necka.log_text().count("action=control-listen") == len(runs), 10,
                       what="the control channel of this run")
        seen = check()
        done = necka_tray(app_env, "quit")
        assert done.returncode == 0 and necka.proc.wait(10) == 0, done.stderr
        return seen

    first = run_then_quit(lambda: status(app_env))
    nexts = {kind: entry["next"] for kind, entry in first["reminders"].items()}
    assert len(nexts) == 3 and all(nexts.values()), first

    def same_then_pause():
        again = status(app_env)
        assert {kind: entry["next"] for kind, entry in again["reminders"].items()} == nexts
        assert necka_tray(app_env, "pause", "1h").returncode == 0
        return status(app_env)

    paused = run_then_quit(same_then_pause)
    assert paused["state"] == "paused" and paused["paused_until"]
    jobs_db = Path(app_env["XDG_DATA_HOME"]) / "necka-tray" / "jobs.sqlite3"
    with sqlite3.connect(jobs_db) as conn:
        funcs = {pickle.loads(blob)["func"] for (blob,) in conn.execute("SELECT job_state FROM apscheduler_jobs")}
    conn.close()
    assert funcs == {"fire_reminder", "end_pause"}

    third = run_then_quit(lambda: status(app_env))
    assert (third["state"], third["paused_until"]) == ("paused", paused["paused_until"])
