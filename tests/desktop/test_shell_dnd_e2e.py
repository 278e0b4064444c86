"""The shells' do-not-disturb as Necka reads it, from the real programs on a private bus: Xfce's
and Plasma Wayland's (the sessions of shells.xfce and shells_kde.plasma_wayland), and GNOME's
key (gsettings over dconf, without GNOME Shell). mako's is in test_wayland_idle_e2e.py."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess

import pytest

from necka_tray.desktop import dnd

from . import shells, shells_kde, xdesk
from .session import FLAT_DIRS, start_and_read


@pytest.fixture
def xfce(tmp_path, monkeypatch):
    shells.require("xfce")
    with shells.xfce(tmp_path) as session:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session.env["DBUS_SESSION_BUS_ADDRESS"])
        yield session.env


def set_dnd(env: dict, on: bool) -> None:
    subprocess.run(["xfconf-query", "-c", "xfce4-notifyd", "-p", "/do-not-disturb", "-n", "-t", "bool", "-s",
                    "true" if on else "false"], env=env, check=True, timeout=10)


def test_xfce_do_not_disturb_is_read_from_xfconf(xfce):
    quiet = dnd.detect({"DISPLAY": xfce["DISPLAY"]}, platform="linux")
    # Xfce's panel is X11: full screen from the X server, DND from xfce4-notifyd; no other shell's source.
    assert quiet.name == "x11-fullscreen+xfce-dnd"
    assert quiet.quiet() is False  # the property was never set: off
    set_dnd(xfce, True)
    xdesk.wait_for(quiet.quiet, 5, what="do-not-disturb seen")
    assert quiet.answered == "xfce-dnd"
    set_dnd(xfce, False)
    xdesk.wait_for(lambda: not quiet.quiet(), 5, what="do-not-disturb off")


def test_gnome_banners_off_is_read_through_gsettings(tmp_path, monkeypatch):
    """The key as GNOME's Do Not Disturb switch writes it, read by the source's own gsettings call."""
    from necka_tray.desktop.dnd import gnome

    if not (shutil.which("gsettings") and shutil.which("dbus-daemon") and os.path.exists("/usr/libexec/dconf-service")):
        msg = "gsettings or dconf-service missing (Debian: libglib2.0-bin dconf-service); run scripts/bootstrap --dev"
        if os.environ.get("CI") == "true":
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    with contextlib.ExitStack() as stack:
        for var, sub in FLAT_DIRS.items():
            (tmp_path / sub).mkdir(mode=0o700)
            monkeypatch.setenv(var, str(tmp_path / sub))
        monkeypatch.setenv("GSETTINGS_BACKEND", "dconf")
        address = start_and_read(stack, tmp_path, "dbus", ["dbus-daemon", "--session", "--nofork", "--print-address={fd}"],
                                 dict(os.environ))
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        source = gnome.GnomeBanners()
        assert source.name == "gnome-dnd" and source.quiet() is False  # banners on by default
        subprocess.run(["gsettings", "set", "org.gnome.desktop.notifications", "show-banners", "false"], check=True, timeout=10)
        xdesk.wait_for(source.quiet, 5, what="banners off seen")
        subprocess.run(["gsettings", "reset", "org.gnome.desktop.notifications", "show-banners"], check=True, timeout=10)
        xdesk.wait_for(lambda: not source.quiet(), 5, what="banners on again")


def test_plasma_do_not_disturb_is_its_inhibited_property(tmp_path, monkeypatch):
    """Plasma 5.27 on kwin_wayland: its notification server's Inhibited follows Do not disturb (the applet
    binds it to "DND until", to apps' inhibitions and to mirrored screens); an app's Inhibit switches it here."""
    shells.require("plasma")
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    with contextlib.ExitStack() as stack:
        plasma = stack.enter_context(shells_kde.plasma_wayland(tmp_path))
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", plasma.env["DBUS_SESSION_BUS_ADDRESS"])

        quiet = dnd.detect({"WAYLAND_DISPLAY": plasma.env["WAYLAND_DISPLAY"], "DISPLAY": ":1"}, platform="linux")
        assert quiet.name == "kwin-fullscreen+plasma-dnd"  # on Plasma Wayland: KWin, no X11 answer, no other shell's
        assert quiet.quiet() is False
        app = open_dbus_connection(bus="SESSION")  # an app asking for quiet (a presentation tool)
        stack.callback(app.close)
        server = DBusAddress("/org/freedesktop/Notifications", bus_name="org.freedesktop.Notifications",
                             interface="org.freedesktop.Notifications")
        cookie = app.send_and_get_reply(new_method_call(server, "Inhibit", "ssa{sv}", ("necka-test", "a test", {})),
                                        timeout=10).body
        xdesk.wait_for(quiet.quiet, 10, what="Inhibited seen")
        assert quiet.answered == "plasma-dnd"
        app.send_and_get_reply(new_method_call(server, "UnInhibit", "u", cookie), timeout=10)
        xdesk.wait_for(lambda: not quiet.quiet(), 10, what="Inhibited off")
