"""The real app when its surroundings fail: no notification service, the tray host
restarting, folders it cannot write, a full disk, broken databases, no ``$HOME``.

Each fault must give no traceback, one clear message, no lost data, and the app
must recover when the fault goes away where that makes sense. These tests break
the desktop on purpose (stop dunst, restart trayer), so they run on a desktop
of their own, not the shared one.

Root ignores file modes, so "cannot write" runs the app without root's
overrides (``session.WITHOUT_ROOT_OVERRIDES``), and the full disk is a tiny tmpfs
mounted for the test (root only; where mounting is not allowed the test says
why and skips).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from . import xdesk
from .necka_app import Necka, docked
from .session import WITHOUT_ROOT_OVERRIDES, user_env

FAST = ("--time-scale", "600")  # posture every 2 s, shoulder rolls every 4 s, stretch every 6 s


@pytest.fixture
def start(own_desktop, spawn, tmp_path):
    """``start(*args, env=None, prefix=())``: run necka-tray on the private desktop."""

    def run(*args: str, env: dict | None = None, prefix: tuple[str, ...] = ()) -> Necka:
        env = dict(env if env is not None else user_env(own_desktop.env, tmp_path))
        stderr = tmp_path / f"stderr-{time.monotonic_ns()}.txt"
        proc = spawn([*prefix, sys.executable, "-m", "necka_tray", *args], env, stderr=stderr.open("w"))
        return Necka(env, proc, stderr, time.time())

    xdesk.clear_notifications(own_desktop.env)
    xdesk.move(own_desktop.env, 0, 799)
    return run


def bubbles(desk, summary: str) -> list[dict]:
    return [n for n in desk.notifications() if n["summary"] == summary]


def count(necka: Necka, pattern: str) -> int:
    return len(re.findall(pattern, necka.log_text()))


def quit_cleanly(necka: Necka) -> None:
    done = subprocess.run([sys.executable, "-m", "necka_tray", "quit"], env=necka.env, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert necka.proc.wait(20) == 0


def no_traceback(necka: Necka) -> str:
    err = necka.stderr.read_text()
    assert "Traceback" not in err and "Logging error" not in err, err
    return err


# -- notifications ---------------------------------------------------------------------------


def test_notification_service_gone_then_back(own_desktop, start):
    necka = start(*FAST)
    docked(own_desktop, necka)
    with xdesk.keep_active(own_desktop.env):
        xdesk.wait_for(lambda: bubbles(own_desktop, "Posture check"), 20, what="a first bubble")
        own_desktop.stop_dunst()  # the daemon dies mid-run
        try:
            xdesk.wait_for(lambda: count(necka, r"action=remind kind=\w+ notified=False") >= 3, 30,
                           what="reminders while no daemon runs")
            err = no_traceback(necka)
            assert err.count("Desktop notifications are not available") == 1, err  # warned once
            assert necka.proc.poll() is None
        finally:
            own_desktop.start_dunst()
        necka.wait_log(r"action=notify state=recovered", 20)
        xdesk.wait_for(lambda: bubbles(own_desktop, "Posture check") or bubbles(own_desktop, "Shoulder rolls"), 20,
                       what="bubbles again")
    missed = [e for e in necka.history("reminder") if e["notified"] is False]
    assert len(missed) >= 3  # recorded as reminders that could not be shown
    no_traceback(necka)


def test_no_notification_service_at_start(own_desktop, start):
    own_desktop.stop_dunst()
    try:
        necka = start(*FAST)
        icon = docked(own_desktop, necka)
        with xdesk.keep_active(own_desktop.env):
            xdesk.wait_for(lambda: count(necka, r"action=remind kind=posture notified=False") >= 2, 30,
                           what="posture reminders without a daemon")
        err = no_traceback(necka)
        assert err.count("Desktop notifications are not available") == 1, err
        # The reminder still shows where it can: the tray's tooltip (also the icon window's title).
        assert xdesk.window_name(own_desktop.env, icon.wid).startswith("Necka")
    finally:
        own_desktop.start_dunst()


# -- the tray host -----------------------------------------------------------------------------


def test_the_icon_comes_back_when_the_tray_host_restarts(own_desktop, start, shot):
    necka = start()
    first = docked(own_desktop, necka)
    own_desktop.stop_tray()
    necka.wait_log(r"action=tray-host-gone")
    assert necka.proc.poll() is None
    stray = [w for w in xdesk.tray_icons(own_desktop.env)]  # no tray: nothing is docked anywhere
    assert stray == []
    own_desktop.start_tray()
    again = own_desktop.wait_tray_icon(timeout=15, pid=necka.proc.pid)
    assert again.w >= 16 and again.wid == first.wid  # the same window, docked again
    necka.wait_log(r"action=tray-host-started")
    shot("docked-again")
    no_traceback(necka)


def test_the_icon_docks_when_a_tray_host_starts_after_necka(own_desktop, start):
    own_desktop.stop_tray()
    try:
        necka = start()
        necka.wait_log(r"action=tray-wait", 20)
        err = xdesk.wait_for(lambda: "No system tray is running yet" in (t := necka.stderr.read_text()) and t, 20,
                             what="the no-tray notice")
        assert len(err.strip().splitlines()) == 1, err
    finally:
        own_desktop.start_tray()
    own_desktop.wait_tray_icon(timeout=15, pid=necka.proc.pid)
    no_traceback(necka)


# -- files -------------------------------------------------------------------------------------


def test_a_data_folder_it_cannot_write(own_desktop, start, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to give the folder to another user")
    env = user_env(own_desktop.env, tmp_path)
    data = Path(env["XDG_DATA_HOME"]) / "necka-tray"
    data.mkdir(mode=0o755)
    os.chown(data, 65534, 65534)  # someone else's folder: no write, no chmod
    necka = start(*FAST, env=env, prefix=WITHOUT_ROOT_OVERRIDES)
    docked(own_desktop, necka)
    with xdesk.keep_active(own_desktop.env):
        xdesk.wait_for(lambda: len(bubbles(own_desktop, "Posture check")) >= 2, 30, what="reminders go on")
    err = no_traceback(necka)
    assert err.count("cannot save its schedule") == 1 and err.count("its history") == 1, err
    assert len(bubbles(own_desktop, "Necka's files")) == 2  # told once per file, in a bubble too
    assert list(data.iterdir()) == []  # nothing half-written anywhere
    # The folder becomes ours again: the next event writes everything kept meanwhile.
    os.chown(data, 0, 0)
    data.chmod(0o700)
    shown = len(bubbles(own_desktop, "Posture check"))
    with xdesk.keep_active(own_desktop.env):
        xdesk.wait_for(lambda: (data / "history.sqlite3").exists() and necka.history("reminder"), 30,
                       what="the history written")
    quit_cleanly(necka)
    assert len(necka.history("reminder")) >= shown + 1


def _mount_tmpfs(where: Path, size: str) -> None:
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode:
        # Mounting needs root with CAP_SYS_ADMIN; an unprivileged container cannot, CI included.
        pytest.skip(f"cannot mount a tmpfs to fill up here ({done.stderr.strip()})")


@pytest.fixture
def tiny_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a tiny tmpfs needs root")
    where = tmp_path / "disk"
    where.mkdir()
    _mount_tmpfs(where, "2m")
    yield where
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_a_full_disk(own_desktop, start, tiny_disk):
    env = user_env(own_desktop.env, tiny_disk)  # config, data, log: all on the small disk
    necka = start(*FAST, env=env)
    docked(own_desktop, necka)
    necka.wait_log(r"action=control-listen")
    filler = tiny_disk / "filler"
    with open(filler, "wb", buffering=0) as f:  # fill every last block (unbuffered: nothing left for close)
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    with xdesk.keep_active(own_desktop.env):
        xdesk.wait_for(lambda: len(bubbles(own_desktop, "Posture check")) >= 3, 40, what="reminders on a full disk")
        err = no_traceback(necka)
        assert necka.proc.poll() is None
        for said in ("cannot save its schedule", "cannot save its history", "cannot write the log file"):
            assert err.count(said) <= 1, err
        assert "cannot save its" in err, err
        filler.unlink()  # room again
        shown = len(bubbles(own_desktop, "Posture check")) + len(bubbles(own_desktop, "Shoulder rolls")) \
            + len(bubbles(own_desktop, "Stretch break"))
        if "cannot write the log file" in necka.stderr.read_text():  # when a log line needed a new block
            xdesk.wait_for(lambda: "can be written again" in necka.stderr.read_text(), 30, what="the log file back")
        logged = necka.log_text().count("action=remind")
        xdesk.wait_for(lambda: necka.log_text().count("action=remind") > logged, 30,
                       what="the next reminder in the log once the disk has room")
    quit_cleanly(necka)
    no_traceback(necka)
    data = Path(env["XDG_DATA_HOME"]) / "necka-tray"
    for db in ("jobs.sqlite3", "history.sqlite3"):
        with sqlite3.connect(data / db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    notified = [e for e in necka.history("reminder") if e["notified"]]
    assert len(notified) >= shown  # every reminder shown meanwhile is in the history


def test_broken_databases_are_moved_aside_said_once_and_the_app_runs(own_desktop, start, tmp_path):
    env = user_env(own_desktop.env, tmp_path)
    data = Path(env["XDG_DATA_HOME"]) / "necka-tray"
    data.mkdir(mode=0o700)
    (data / "jobs.sqlite3").write_bytes(b"not a database\n" * 200)
    (data / "history.sqlite3").write_bytes(b"SQLite format 3\0" + b"\xff" * 5000)
    necka = start(*FAST, env=env)
    docked(own_desktop, necka)
    necka.wait_log(r"action=add job=stretch")
    with xdesk.keep_active(own_desktop.env):
        xdesk.wait_for(lambda: bubbles(own_desktop, "Posture check"), 20, what="reminders from the fresh schedule")
    files = xdesk.wait_for(lambda: len(found := bubbles(own_desktop, "Necka's files")) >= 2 and found, 10,
                           what="one bubble per broken file")
    assert len(files) == 2
    moved = sorted(p.name for p in data.iterdir() if ".broken-" in p.name and not p.name.endswith(("-wal", "-shm")))
    assert [m.split(".broken-")[0] for m in moved] == ["history.sqlite3", "jobs.sqlite3"]
    assert (data / moved[1]).read_bytes().startswith(b"not a database")  # kept as it was
    err = no_traceback(necka)
    assert err.count("could not be used") == 2, err
    quit_cleanly(necka)
    assert necka.history("reminder")


# -- no $HOME ----------------------------------------------------------------------------------


def test_home_unset_with_xdg_dirs(own_desktop, start, tmp_path):
    env = user_env(own_desktop.env, tmp_path)
    del env["HOME"]
    necka = start(env=env)
    docked(own_desktop, necka)
    necka.wait_log(r"action=add job=stretch")
    assert no_traceback(necka) == ""


def test_home_unset_and_no_home_to_fall_back_to(own_desktop, start, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to run as the 'nobody' user")
    env = {k: v for k, v in own_desktop.env.items() if not k.startswith("XDG_") and k != "HOME"}
    # The checkout and its venv may sit where nobody cannot read (a CI clone under /root, a
    # 0700 mktemp folder): nobody runs a copy of the package and of platformdirs, all it
    # reaches before this error, from a folder anyone can read, with the venv's own interpreter.
    import platformdirs

    import necka_tray

    readable = Path(tempfile.mkdtemp(prefix="necka-nobody-"))
    try:
        for package in (necka_tray, platformdirs):
            source = Path(package.__file__).parent
            shutil.copytree(source, readable / source.name, ignore=shutil.ignore_patterns("__pycache__"))
        subprocess.run(["chmod", "-R", "a+rX", str(readable)], check=True)
        # nobody's home in the passwd database is /nonexistent: nowhere to keep settings.
        done = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                               os.path.realpath(sys.executable), "-m", "necka_tray"],
                              env={**env, "PYTHONPATH": str(readable)}, capture_output=True, text=True, timeout=60,
                              cwd="/")
    finally:
        shutil.rmtree(readable, ignore_errors=True)
    assert done.returncode == 5, done.stderr
    err = done.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("necka-tray: cannot create Necka's folders"), err
