"""Every way Necka is told to end takes the Quit path: the last sitting stretch is recorded.

SIGTERM, SIGINT and SIGHUP sent to the tray process, the X server dying under
it, and logind announcing a shutdown (``PrepareForShutdown(true)``, from a
stand-in on the private session bus: ``NECKA_LOGIND_BUS=session``) each end
Necka with exit code 0, a ``quit`` in the log and a ``sitting`` event in the
history, as the Quit menu item does. And the windows Necka opened (a stretch session,
the statistics) end with it, by quit or by its death, the session recorded as
stopped: none is left behind as an orphan.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from . import xdesk
from .necka_app import docked, make_start_necka, open_menu_item
from .session import running_desktop


def assert_quit_cleanly(necka, reason: str) -> None:
    assert necka.proc.wait(30) == 0, necka.stderr.read_text()
    log = necka.log_text()
    assert f"action=quit-request reason={reason}" in log and "action=quit\n" in log, log[-2000:]
    (sitting,) = necka.history("sitting")
    assert sitting["until"] == "quit" and sitting["duration_s"] >= 0
    assert "Traceback" not in necka.stderr.read_text()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name)
def test_a_signal_quits_as_the_menu_does(desktop, start_necka, sig):
    necka = start_necka()
    docked(desktop, necka)
    necka.wait_log(r"action=control-listen")  # the app is up, the user present since the start
    necka.proc.send_signal(sig)
    assert_quit_cleanly(necka, sig.name)


def test_logind_prepare_for_shutdown_quits_as_the_menu_does(desktop, start_necka, app_env):
    from jeepney import DBusAddress, new_signal
    from jeepney.io.blocking import open_dbus_connection

    necka = start_necka(env=dict(app_env, NECKA_LOGIND_BUS="session"))
    docked(desktop, necka)
    necka.wait_log(r"action=logind-watch bus=session")
    login1 = DBusAddress("/org/freedesktop/login1", interface="org.freedesktop.login1.Manager")
    with open_dbus_connection(bus=app_env["DBUS_SESSION_BUS_ADDRESS"]) as bus:
        bus.send(new_signal(login1, "PrepareForShutdown", "b", (False,)))  # a cancelled one: nothing
        bus.send(new_signal(login1, "PrepareForSleep", "b", (False,)))  # a resume: nothing either
        bus.send(new_signal(login1, "PrepareForShutdown", "b", (True,)))
    assert_quit_cleanly(necka, "logind-shutdown")


def test_the_x_server_dying_under_necka_ends_it_cleanly(app_env, spawn, tmp_path):
    own = tmp_path / "own-desktop"
    own.mkdir()
    with running_desktop(own, base_env=app_env) as desk:
        necka = make_start_necka(desk.env, spawn, tmp_path)()
        docked(desk, necka)
        necka.wait_log(r"action=control-listen")
        desk.kill_display()
        assert_quit_cleanly(necka, "tray-ended")
        assert "The X display went away" in necka.log_text()


SESSION = "^Necka .+ Stretch session$"
STATISTICS = "^Necka .+ Statistics$"


def open_windows(desktop, necka, icon) -> tuple[int, int]:
    """The statistics window (from the menu) and a running stretch session (a left click)."""
    open_menu_item(desktop, icon, "Statistics…")
    stats = desktop.wait_window(STATISTICS, timeout=30)
    desktop.click(*icon.center)
    session = desktop.wait_window(SESSION, timeout=30)
    necka.wait_log(r"action=session-start pid=\d+")
    return stats, session


def window_pids(necka) -> list[int]:
    return [int(pid) for pid in re.findall(r"action=(?:session|stats)-start pid=(\d+)", necka.log_text())]


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z")  # a zombie has ended


def test_quit_ends_the_open_windows_and_records_the_session_as_stopped(desktop, start_necka):
    necka = start_necka()
    icon = docked(desktop, necka)
    necka.wait_log(r"action=control-listen")
    open_windows(desktop, necka, icon)
    pids = window_pids(necka)
    done = subprocess.run([sys.executable, "-m", "necka_tray", "quit"], env=necka.env, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert necka.proc.wait(30) == 0
    xdesk.wait_for(lambda: all(gone(p) for p in pids), 15, what="both windows ended")
    for name in (SESSION, STATISTICS):
        with pytest.raises(TimeoutError):
            desktop.wait_window(name, timeout=1)
    xdesk.wait_for(lambda: necka.history("session"), 10, what="the session recorded")
    assert [s["outcome"] for s in necka.history("session")] == ["stopped"]


def test_windows_end_when_the_tray_dies_outright(desktop, start_necka):
    necka = start_necka()
    icon = docked(desktop, necka)
    necka.wait_log(r"action=control-listen")
    open_windows(desktop, necka, icon)
    pids = window_pids(necka)
    necka.proc.kill()  # SIGKILL: no quit path at all; the kernel tells the windows
    necka.proc.wait(10)
    xdesk.wait_for(lambda: all(gone(p) for p in pids), 15, what="both windows ended with the tray")
    xdesk.wait_for(lambda: necka.history("session"), 10, what="the session recorded")
    assert [s["outcome"] for s in necka.history("session")] == ["stopped"]
