"""The tray's X11 questions, asked through python-xlib, against real X servers: the shared
desktop's Xvfb, and one that demands a cookie (as a display manager's server does)."""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from necka_tray.desktop.dnd.x11 import X11Fullscreen
from necka_tray.desktop.idle.x11 import X11Idle
from necka_tray.desktop.platform import linux, x11

from . import session, xdesk

FIXTURES = Path(__file__).parent / "fixtures"


def xauth_entry(number: str, cookie: bytes) -> bytes:
    fields = (socket.gethostname().encode(), number.encode(), b"MIT-MAGIC-COOKIE-1", cookie)
    return struct.pack(">H", 256) + b"".join(struct.pack(">H", len(f)) + f for f in fields)


@pytest.fixture(scope="module")
def locked_x(tmp_path_factory):
    """An Xvfb that only lets in holders of its cookie: (DISPLAY, cookie, folder)."""
    tmp = tmp_path_factory.mktemp("lockedx")
    cookie = os.urandom(16)
    (tmp / "server-auth").write_bytes(xauth_entry("0", cookie))
    with contextlib.ExitStack() as stack:
        number = session.start_and_read(stack, tmp, "xvfb-auth", [
            "Xvfb", "-displayfd", "{fd}", "-auth", str(tmp / "server-auth"), "-nolisten", "tcp", "-screen", "0",
            "800x600x24"])
        yield f":{number}", cookie, tmp


@pytest.fixture
def fresh_connections():
    """Each test opens its own shared connection (the module keeps one per display name)."""
    yield
    x11.drop()
    for display in x11._shared.values():
        with contextlib.suppress(Exception):  # its server may be gone already (each test's Xvfb ends first)
            display.close()
    x11._shared.clear()


def test_the_right_cookie_opens_a_locked_display(locked_x, monkeypatch, fresh_connections):
    display, cookie, tmp = locked_x
    number = display[1:]
    (tmp / "client-auth").write_bytes(xauth_entry(str(int(number) + 1), b"\0" * 16) + xauth_entry(number, cookie))
    monkeypatch.setenv("XAUTHORITY", str(tmp / "client-auth"))
    assert linux.display_problem({"DISPLAY": display}) is None
    assert linux.xembed_tray_owner(display) == 0  # no tray on this one
    assert X11Idle(display).idle_seconds() >= 0


@pytest.mark.parametrize("which", ["wrong cookie", "no file"])
def test_a_locked_display_is_one_clear_line(locked_x, monkeypatch, fresh_connections, which):
    display, _, tmp = locked_x
    path = tmp / "wrong-auth"
    if which == "wrong cookie":
        path.write_bytes(xauth_entry(display[1:], b"\x5a" * 16))
    monkeypatch.setenv("XAUTHORITY", str(path) if which == "wrong cookie" else str(tmp / "absent"))
    problem = linux.display_problem({"DISPLAY": display})
    assert problem == (f"cannot open the X display '{display}' (DisplayConnectionError). "
                       "Start Necka from your desktop session.")


def test_the_sources_see_the_desktop_as_the_x_tools_do(desktop, fresh_connections):
    """Tray owner, idle counter and full-screen check on one shared python-xlib connection."""
    name = desktop.env["DISPLAY"]
    assert linux.display_problem({"DISPLAY": name}) is None
    owner = linux.xembed_tray_owner(name)
    assert owner and owner == x11.tray_owner(x11.open_display(name))
    taken = x11.take(name)
    assert taken is not x11.probe(name), "the icon owns the probe's connection once taken"
    taken.close()
    idle, quiet = X11Idle(name), X11Fullscreen(name)
    assert idle._display is quiet._d._d, "the idle and full-screen sources share one connection"
    assert abs(idle.idle_seconds() * 1000 - xdesk.idle_ms(desktop.env)) < 1000
    subprocess.run(["xdotool", "mousemove_relative", "--", "3", "0"], env=desktop.env, check=True, timeout=10)
    xdesk.wait_for(lambda: idle.idle_seconds() < 1, 5, what="the idle counter reset by the pointer")
    assert quiet.quiet() is False


def test_a_full_screen_window_is_seen_and_its_end_too(desktop, spawn, fresh_connections):
    quiet = X11Fullscreen(desktop.env["DISPLAY"])
    presentation = spawn([sys.executable, str(FIXTURES / "fullscreen.py")], desktop.env)
    wid = desktop.wait_window("^Presentation$", timeout=10)
    subprocess.run(["xdotool", "windowfocus", str(wid)], env=desktop.env, check=True, timeout=10)
    xdesk.wait_for(quiet.quiet, 10, what="the presentation seen as full screen")
    presentation.terminate()
    presentation.wait(5)
    xdesk.wait_for(lambda: not quiet.quiet(), 10, what="the presentation's end")
