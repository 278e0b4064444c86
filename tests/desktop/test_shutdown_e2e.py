"""Every way Necka is told to end takes the Quit path: the last sitting stretch is recorded.

SIGTERM, SIGINT and SIGHUP sent to the tray process, the X server dying under
it, and logind announcing a shutdown (``PrepareForShutdown(true)``, from a
stand-in on the private session bus: ``NECKA_LOGIND_BUS=session``) each end
Necka with exit code 0, a ``quit`` in the log and a ``sitting`` event in the
history, as the Quit menu item does.
"""

from __future__ import annotations

import signal

import pytest

from .necka_app import docked, make_start_necka
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
