"""The KWin full-screen source (desktop/dnd/kwin.py) against a played KWin on a private dbus-daemon:
its scripting interface as KWin 5.27 has it (``loadScript`` refuses a name already loaded, the
script object is ``/<id>``), the script's ``FullScreen(b)`` calls, a program that is not KWin
calling them too, a KWin that restarts, and Necka's exit. The real KWin: test_shell_plasma_wayland.py.
"""

from __future__ import annotations

import socket
import threading

import pytest
from jeepney import DBusAddress, HeaderFields, MessageType, new_method_call, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

from necka_tray.desktop.dnd import kwin

from ..desktop import xdesk

WATCH = DBusAddress(kwin.PATH, bus_name=kwin.NAME, interface=kwin.NAME)


class PlayedKWin:
    """org.kde.KWin's /Scripting: records what it was asked; ``run`` makes the "script" report."""

    def __init__(self, address: str, fullscreen: bool = False, loaded: set | None = None) -> None:
        self.conn = open_dbus_connection(address)
        assert self.conn.send_and_get_reply(message_bus.RequestName(kwin.KWIN), timeout=5).body[0] == 1
        self.fullscreen = fullscreen
        self.loaded = set() if loaded is None else loaded  # plugin names
        self.asked: list[tuple] = []
        self.answers: list = []  # the replies to the script's calls
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def report(self, fullscreen: bool) -> None:
        """What the script does when the active window or its full screen changes."""
        self.fullscreen = fullscreen
        self.conn.send(new_method_call(WATCH, "FullScreen", "b", (fullscreen,)))

    def quit(self) -> None:
        self.conn.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked receive: the connection ends
        self._thread.join(5)
        self.conn.close()

    def _serve(self) -> None:
        try:
            while True:
                msg = self.conn.receive()
                if msg.header.message_type == MessageType.method_call:
                    self._answer(msg)
                else:
                    self.answers.append(msg)
        except (OSError, EOFError, ValueError):
            pass

    def _answer(self, msg) -> None:
        path, member = msg.header.fields.get(HeaderFields.path), msg.header.fields.get(HeaderFields.member)
        self.asked.append((path, member, *msg.body))
        if member == "loadScript":
            fresh = msg.body[1] not in self.loaded
            self.loaded.add(msg.body[1])
            self.conn.send(new_method_return(msg, "i", (7 if fresh else -1,)))
        elif member == "unloadScript":
            known = msg.body[0] in self.loaded
            self.loaded.discard(msg.body[0])
            self.conn.send(new_method_return(msg, "b", (known,)))
        else:
            self.conn.send(new_method_return(msg))
            if (path, member) == ("/7", "run"):
                self.report(self.fullscreen)


@pytest.fixture
def bus(private_bus, monkeypatch):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", private_bus)
    return private_bus


def test_the_script_is_loaded_run_and_its_reports_kept(bus):
    played = PlayedKWin(bus, fullscreen=True, loaded={kwin.PLUGIN})  # one a killed Necka left
    source = kwin.open_source({"WAYLAND_DISPLAY": "wayland-0"})
    try:
        assert source.name == "kwin-fullscreen"
        assert [a[:2] for a in played.asked] == [("/Scripting", "unloadScript"), ("/Scripting", "loadScript"),
                                                 ("/7", "run")]
        assert played.asked[1][2:] == (str(kwin.SCRIPT), kwin.PLUGIN) and kwin.SCRIPT.is_file()
        assert source.quiet() is True  # the script's first report
        played.report(False)
        xdesk.wait_for(lambda: source.quiet() is False, 5, what="left full screen")
        assert all(a.header.message_type == MessageType.method_return for a in played.answers)
    finally:
        source.close()
        played.quit()
    assert played.asked[-1][:3] == ("/Scripting", "unloadScript", kwin.PLUGIN) and not played.loaded


def test_only_kwin_is_heard(bus):
    played = PlayedKWin(bus)
    source = kwin.KWinFullscreen()
    other = open_dbus_connection(bus)  # any program on the session bus
    try:
        reply = other.send_and_get_reply(new_method_call(WATCH, "FullScreen", "b", (True,)), timeout=5)
        assert reply.header.message_type == MessageType.error
        assert reply.header.fields[HeaderFields.error_name] == "org.freedesktop.DBus.Error.AccessDenied"
        assert source.quiet() is False
    finally:
        other.close()
        source.close()
        played.quit()


def test_a_restarted_kwin_gets_the_script_again(bus):
    played = PlayedKWin(bus, fullscreen=True)
    source = kwin.KWinFullscreen()
    try:
        assert source.quiet() is True
        played.quit()  # KWin crashed: what it said no longer holds
        xdesk.wait_for(lambda: source.quiet() is False, 5, what="the old KWin's answer dropped")
        played = PlayedKWin(bus, fullscreen=True)
        xdesk.wait_for(source.quiet, 5, what="the new KWin's script reporting")
        assert [a[1] for a in played.asked] == ["unloadScript", "loadScript", "run"]
    finally:
        source.close()
        played.quit()


def test_no_kwin_no_source(bus):
    with pytest.raises(LookupError, match="KWin is not on the session bus"):
        kwin.KWinFullscreen()
    assert kwin.open_source({}) is None  # not a Wayland session: never asked


def test_a_script_that_never_reports_is_no_source(bus, tmp_path):
    played = PlayedKWin(bus)
    played.report = lambda fullscreen: None  # a KWin whose scripting API differs (the script fails)
    try:
        with pytest.raises(LookupError, match="did not report"):
            kwin.KWinFullscreen(timeout=0.5)
        assert played.asked[-1][:2] == ("/Scripting", "unloadScript") and not played.loaded
    finally:
        played.quit()
