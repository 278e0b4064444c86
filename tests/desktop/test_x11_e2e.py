"""xwire, the tray's own X11 client, against real X servers: the shared desktop's Xvfb, and one
that demands a cookie (as a display manager's server does)."""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import subprocess

import pytest

from necka_tray.desktop.platform.xwire import Connection, XWireError

from . import session, xdesk


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


def test_the_right_cookie_opens_a_locked_display(locked_x, monkeypatch):
    display, cookie, tmp = locked_x
    number = display[1:]
    (tmp / "client-auth").write_bytes(xauth_entry(str(int(number) + 1), b"\0" * 16) + xauth_entry(number, cookie))
    monkeypatch.setenv("XAUTHORITY", str(tmp / "client-auth"))
    with Connection(display) as x:
        assert (x.screen.width, x.screen.height) == (800, 600)
        assert x.idle_ms() >= 0


@pytest.mark.parametrize("which, reason", [("wrong cookie", "Invalid MIT-MAGIC-COOKIE-1 key"),
                                           ("no file", "Authorization required")])
def test_a_locked_display_refuses_with_the_servers_reason(locked_x, monkeypatch, which, reason):
    display, _, tmp = locked_x
    path = tmp / "wrong-auth"
    if which == "wrong cookie":
        path.write_bytes(xauth_entry(display[1:], b"\x5a" * 16))
    monkeypatch.setenv("XAUTHORITY", str(path) if which == "wrong cookie" else str(tmp / "absent"))
    with pytest.raises(XWireError, match=f"refused the connection: {reason}"):
        Connection(display)


def test_xwire_and_python_xlib_see_the_same_desktop(desktop):
    """Screen, tray owner and idle counter as python-xlib reads them; input resets the counter."""
    from Xlib import display as xdisplay

    xlib = xdisplay.Display(desktop.env["DISPLAY"])
    try:
        with Connection(desktop.env["DISPLAY"]) as x:
            screen = xlib.screen()
            assert x.screen == (screen.root.id, screen.width_in_pixels, screen.height_in_pixels)
            tray = x.get_selection_owner(x.intern_atom("_NET_SYSTEM_TRAY_S0"))
            assert tray and tray == xlib.get_selection_owner(xlib.intern_atom("_NET_SYSTEM_TRAY_S0")).id
            assert x.intern_atom("_NET_WM_STATE") == xlib.intern_atom("_NET_WM_STATE")
            assert x.intern_atom("NECKA_SURELY_UNKNOWN_ATOM", only_if_exists=True) == 0
            assert abs(x.idle_ms() - xdesk.idle_ms(desktop.env)) < 1000
            subprocess.run(["xdotool", "mousemove_relative", "--", "3", "0"], env=desktop.env, check=True, timeout=10)
            xdesk.wait_for(lambda: x.idle_ms() < 1000, 5, what="the idle counter reset by the pointer")
            with pytest.raises(XWireError, match=r"X error 9 \(BadDrawable\) for request 14"):
                x.get_geometry(0x7FFFFF)
            assert x.get_geometry(x.screen.root)[2:] == (x.screen.width, x.screen.height)  # still usable
    finally:
        xlib.close()
