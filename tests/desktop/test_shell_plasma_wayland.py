"""Necka on KDE Plasma 5.27 on Wayland: kwin_wayland nested in a window on Xvfb (its X11
backend, with Xwayland), kded5 and plasmashell as Wayland clients (shells.plasma_wayland).
Clicks and input come from xdotool on that window; bubbles are read from the bus. Full screen
is told by Necka's KWin script (the Wayland window is a GTK 3 one: fullscreen_window.py)."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from . import shells, shells_kde, xdesk
from .conftest import artifact_path
from .session import die_with_parent, stop
from .shell_checks import SESSION_TITLE, close_session, tracebacks
from .shell_suite import *  # noqa: F401,F403  (the tests every shell runs)
from .shell_suite import Spec, at_work


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    shells.require("plasma")
    with shells_kde.plasma_wayland(tmp_path_factory.mktemp("plasmawl")) as running:
        yield running


@pytest.fixture(scope="module")
def spec():
    return Spec(panel=(756, 800), idle_source=r"(?!x11\b)\S+")  # a Wayland idle source, whatever its name


def active_window(shell) -> str:
    """The title of the X11 window KWin made active on its Xwayland ('' when a Wayland one is; "(gone)"
    for one that closed meanwhile). Read with xprop: python-xlib stumbled on a window closing under it."""
    out = xdesk.run(shell.env, "xprop", "-root", "_NET_ACTIVE_WINDOW")
    wid = re.search(r"0x[0-9a-f]+", out)
    if not wid or not int(wid.group(0), 16):
        return ""
    done = subprocess.run(["xprop", "-id", wid.group(0), "-notype", "_NET_WM_NAME"], env=shell.env,
                          capture_output=True, text=True, timeout=10)
    name = re.search(r'= "(.*)"', done.stdout)  # its dash may come escaped: SESSION_TITLE does not mind
    return name.group(1) if name else "(gone)"


def test_the_session_window_a_left_click_opens_has_the_focus(shell, necka, icon, full_screen_window, request):
    """Plasma hands over an xdg-activation token with the click (ProvideXdgActivationToken), and Necka
    passes it on; but the session window is Tk's, an X11 window under Xwayland, and Tk sets no startup
    id: the focus comes from KWin's own rule for new X11 windows (a session opened from the terminal,
    with no token, gets it too). What counts for the user: the window has the focus, even when a
    Wayland window had it before the click."""
    full_screen_window.leave()  # a Wayland window of its own size, active
    xdesk.wait_for(lambda: active_window(shell) == "", 10, what="the Wayland window active (no X11 one)")
    shell.click(*icon, 1)
    xdesk.wait_for(lambda: re.match(SESSION_TITLE, active_window(shell)), 15, what="the session window active")
    shell.screenshot(artifact_path(request.node, f"{shell.name}-session-focused"))
    close_session(necka)
    xdesk.wait_for(lambda: not re.match(SESSION_TITLE, active_window(shell)), 10, what="the session window gone")
    shell.click(100, 120, 1)  # into the Wayland window (top left): it has the focus again
    xdesk.wait_for(lambda: active_window(shell) == "", 10, what="the Wayland window active again")
    done = subprocess.run([sys.executable, "-m", "necka_tray", "stretch"], env=necka.env, capture_output=True,
                          text=True, timeout=30)  # from a terminal: no click, no token
    assert done.returncode == 0, done.stderr
    xdesk.wait_for(lambda: re.match(SESSION_TITLE, active_window(shell)), 15, what="the session window active")
    close_session(necka)


# --- full screen, which only KWin can tell on Wayland (Necka's KWin script: desktop/dnd/kwin.py) --------

def status(necka) -> dict:
    done = subprocess.run([sys.executable, "-m", "necka_tray", "status", "--json"], env=necka.env,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def script_loaded(shell) -> bool:
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(shell.env["DBUS_SESSION_BUS_ADDRESS"]) as conn:
        scripting = DBusAddress("/Scripting", bus_name="org.kde.KWin", interface="org.kde.kwin.Scripting")
        return conn.send_and_get_reply(new_method_call(scripting, "isScriptLoaded", "s", ("necka-fullscreen",)),
                                       timeout=5).body[0]


class FullScreenWindow:
    """fullscreen_window.py running: ``leave()``, ``wait(state)`` for what the compositor confirmed."""

    def __init__(self, env: dict, log: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("fullscreen_window.py"))],
                                     env=dict(env, GDK_BACKEND="wayland"), stdout=subprocess.PIPE, text=True,
                                     stderr=log.open("w"), start_new_session=True, preexec_fn=die_with_parent)
        self.states: list[str] = []
        threading.Thread(target=lambda: self.states.extend(line.strip() for line in self.proc.stdout),
                         daemon=True).start()

    def wait(self, state: str) -> None:
        xdesk.wait_for(lambda: self.states[-1:] == [state] or self.proc.poll() is not None, 20,
                       what=f"the test window {state}")
        assert self.proc.poll() is None, "the full-screen test window ended"

    def leave(self) -> None:
        self.proc.send_signal(signal.SIGUSR1)
        self.wait("windowed")


@pytest.fixture
def full_screen_window(shell, tmp_path):
    """A native Wayland window (GTK 3), full screen until ``leave()``."""
    window = FullScreenWindow(shell.env, tmp_path / "window.txt")
    window.wait("fullscreen")
    yield window
    stop(window.proc)


def test_a_full_screen_window_holds_a_posture_bubble_until_it_leaves_full_screen(shell, necka, full_screen_window,
                                                                                   request):
    assert "kwin-fullscreen" in status(necka)["quiet_detection"].split("+")
    assert script_loaded(shell)
    held_from = len(necka.log_text())
    with at_work(shell):
        xdesk.wait_for(lambda: re.search(r"action=hold kind=posture\b", necka.log_text()[held_from:]), 60,
                       what="a due posture bubble held")
        # quiet is read when something waits (not before): now, at every tick while it is held
        xdesk.wait_for(lambda: status(necka)["quiet_by"] == "kwin-fullscreen", 20, what="status: quiet by full screen")
        shell.screenshot(artifact_path(request.node, f"{shell.name}-fullscreen-held"))
        shown = len([b for b in shell.bubbles() if b["summary"] == "Posture check"])
        full_screen_window.leave()  # the film ends: the window leaves full screen
        xdesk.wait_for(lambda: re.search(r"action=remind kind=posture notified=True", necka.log_text()[held_from:]),
                       60, what="the held posture bubble shown once full screen ended")
        xdesk.wait_for(lambda: len([b for b in shell.bubbles() if b["summary"] == "Posture check"]) > shown, 10,
                       what="the bubble taken by Plasma's notification server")
        shell.screenshot(artifact_path(request.node, f"{shell.name}-fullscreen-left"))
    assert status(necka)["quiet_by"] is None


def test_quit_unloads_the_kwin_script(shell, necka):
    assert script_loaded(shell)
    necka.proc.send_signal(signal.SIGTERM)  # a logout: the Quit path
    assert necka.proc.wait(30) == 0, necka.stderr.read_text()
    assert not script_loaded(shell), "Necka left its KWin script running"
    assert tracebacks(necka) == "", necka.stderr.read_text()
