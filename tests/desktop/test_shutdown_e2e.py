"""Every way Necka is told to end takes the Quit path: the last sitting stretch is recorded.

SIGTERM, SIGINT and SIGHUP sent to the tray process, the X server dying under
it, logind announcing a shutdown (``PrepareForShutdown(true)``, from a
stand-in on the private session bus: ``NECKA_LOGIND_BUS=session``) and a
logout through GNOME's session manager (a stand-in owning
``org.gnome.SessionManager`` on that bus: ``QueryEndSession``, ``EndSession``) each end
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

    from jeepney import HeaderFields
    from jeepney.bus_messages import message_bus

    address = app_env["DBUS_SESSION_BUS_ADDRESS"]
    login1 = DBusAddress("/org/freedesktop/login1", interface="org.freedesktop.login1.Manager")
    with open_dbus_connection(bus=address) as bus:
        bus.send_and_get_reply(message_bus.RequestName("org.freedesktop.login1"), timeout=5)  # the stand-in logind
        necka = start_necka(env=dict(app_env, NECKA_LOGIND_BUS="session"))
        docked(desktop, necka)
        necka.wait_log(r"action=logind-watch bus=session")
        with open_dbus_connection(bus=address) as hostile:  # any other program can send the same signal,
            names = hostile.send_and_get_reply(message_bus.ListNames(), timeout=5).body[0]
            for name in [None, *(n for n in names if n.startswith(":") and hostile.send_and_get_reply(
                    message_bus.GetConnectionUnixProcessID(n), timeout=5).body == (necka.proc.pid,))]:
                forged = new_signal(login1, "PrepareForShutdown", "b", (True,))
                if name:  # even addressed to the tray's connections, which no match rule filters
                    forged.header.fields[HeaderFields.destination] = name
                hostile.send(forged)
        necka.wait_log(r"action=logind-signal state=ignored reason=not-from-logind")
        assert necka.proc.poll() is None
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


def serve_session_manager(bus_address: str, ready, logout, answers: list, stop) -> None:
    """A stand-in for GNOME's session manager: registers one client; once ``logout`` is set,
    asks it whether the session may end and, on its yes, ends it."""
    from jeepney import DBusAddress, HeaderFields, MessageType, new_method_return, new_signal
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    client = "/org/gnome/SessionManager/Client1"
    private = DBusAddress(client, interface="org.gnome.SessionManager.ClientPrivate")
    with open_dbus_connection(bus=bus_address) as conn:
        conn.send_and_get_reply(message_bus.RequestName("org.gnome.SessionManager"), timeout=5)
        ready.set()
        asked = False
        while not stop.is_set():
            if logout.is_set() and not asked:
                conn.send(new_signal(private, "QueryEndSession", "u", (0,)))
                asked = True
            try:
                msg = conn.receive(timeout=0.1)
            except TimeoutError:
                continue
            if msg.header.message_type is not MessageType.method_call:
                continue
            member = msg.header.fields.get(HeaderFields.member)
            if member == "RegisterClient":
                answers.append(("register", msg.body[0]))
                conn.send(new_method_return(msg, "o", (client,)))
            elif member == "EndSessionResponse":
                answers.append(("response", msg.body[0]))
                if len(answers) == 2:  # yes to the query: now the logout itself
                    conn.send(new_signal(private, "EndSession", "u", (0,)))


def test_a_desktop_logout_through_the_session_manager_quits_as_the_menu_does(desktop, start_necka):
    import threading

    ready, logout, stop, answers = threading.Event(), threading.Event(), threading.Event(), []
    manager = threading.Thread(target=serve_session_manager,
                               args=(desktop.env["DBUS_SESSION_BUS_ADDRESS"], ready, logout, answers, stop))
    manager.start()
    try:
        assert ready.wait(10)
        necka = start_necka()
        docked(desktop, necka)
        necka.wait_log(r"action=session-manager state=registered")  # listening for the manager's signals
        logout.set()
        assert_quit_cleanly(necka, "session-end")
        xdesk.wait_for(lambda: len(answers) == 3, 10, what="the answer to EndSession")
    finally:
        stop.set()
        manager.join(10)
    assert answers == [("register", "necka-tray"), ("response", True), ("response", True)]
    assert "action=session-manager signal=EndSession" in necka.log_text()
