"""The notifier against servers that misbehave as real ones do, on a private dbus-daemon (no display).

``notify_server.py`` plays the server: one that answers every call twice
(mako 1.7 answers ``GetCapabilities`` with a return, then an error for the same
serial: that killed jeepney's router thread and turned bubbles off), one that
answers ``Notify`` after we stopped waiting, one that D-Bus activation starts
slowly. A second connection plays a hostile program that forges the server's
signals. Waits are for conditions (a log line, a reply), never fixed sleeps.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from jeepney import DBusAddress, HeaderFields, MessageType, new_method_call, new_signal
from jeepney.io.blocking import open_dbus_connection

from necka_tray.core.reminders import Kind
from necka_tray.desktop import notify_dbus
from necka_tray.desktop.notify_dbus import DBusNotifier, open_link
from necka_tray.tray import bubbles
from tests import privatebus

SERVER = Path(__file__).with_name("notify_server.py")
ROOT = Path(__file__).resolve().parents[2]
WAIT = 15  # seconds: only ever the limit of a wait for a condition


class Bus:
    def __init__(self, tmp_path: Path) -> None:
        self.dir = tmp_path
        self.log = tmp_path / "server.jsonl"
        self.log.touch()
        (tmp_path / "services").mkdir()
        self.daemon, self.address = privatebus.start(tmp_path, services=tmp_path / "services")
        self.servers: list[subprocess.Popen] = []

    def argv(self, mode: str, *extra: str) -> list[str]:
        return [sys.executable, str(SERVER), mode, str(self.log), *extra]

    def start_server(self, mode: str, *extra: str) -> None:
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=self.address, PYTHONPATH=str(ROOT))
        self.servers.append(subprocess.Popen(self.argv(mode, *extra), env=env))
        self.wait(lambda: self.calls("started"), "the server to start")

    def activatable(self, mode: str, *extra: str) -> None:
        """The server is started by the bus at the first call to it (as xfce4-notifyd and mako are)."""
        (self.dir / "services" / "notify.service").write_text(
            "[D-BUS Service]\nName=org.freedesktop.Notifications\nExec=" + " ".join(self.argv(mode, *extra)) + "\n")

    def calls(self, member: str | None = None) -> list[dict]:
        entries = [json.loads(line) for line in self.log.read_text().splitlines()]
        if member == "started":
            return [e for e in entries if e["event"] == "started"]
        return [e for e in entries if e["event"] == "call" and member in (None, e["member"])]

    def emit(self, nid: int, key: str) -> None:
        """The server itself sends ``ActionInvoked`` (a user pressed a button)."""
        with open_dbus_connection(self.address) as conn:
            msg = new_method_call(DBusAddress(notify_dbus.PATH, bus_name=notify_dbus.SERVICE,
                                              interface="org.necka.Test"), "Emit", "us", (nid, key))
            assert conn.send_and_get_reply(msg, timeout=5).header.message_type == MessageType.method_return

    @staticmethod
    def wait(condition, what: str, timeout: float = WAIT):
        done = threading.Event()
        for _ in range(int(timeout * 20)):
            value = condition()
            if value:
                return value
            done.wait(0.05)
        raise AssertionError(f"timed out waiting for {what}")

    def close(self) -> None:
        for p in self.servers:
            p.terminate()
            p.wait(5)
        privatebus.stop(self.daemon)
        # An activated server is the bus's child: it ends when its bus goes (its receive fails).


@pytest.fixture
def bus(tmp_path, monkeypatch):
    b = Bus(tmp_path)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", b.address)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def notifier(bus):
    events: list[tuple[str, str]] = []
    n = DBusNotifier("", lambda tag, key: events.append((tag, key)))
    n.events = events
    yield n
    n.close()


def remind(notifier, kind: Kind = Kind.POSTURE) -> bool:
    return notifier.notify(f"{kind.value} title", "body", **bubbles.options(kind))


def not_available(caplog) -> bool:
    return "Desktop notifications are not available" in caplog.text


def test_a_server_that_answers_every_call_twice_keeps_its_bubbles(bus, notifier, caplog):
    bus.start_server("twice")
    assert remind(notifier) and remind(notifier, Kind.STRETCH) and remind(notifier)
    assert [c["body"][1] for c in bus.calls("Notify")] == [0, 0, 1]  # the posture bubble replaced in place
    assert notifier._link.alive and not not_available(caplog)
    bus.emit(1, "done")
    bus.wait(lambda: notifier.events, "the button press")
    assert notifier.events == [("posture", "done")]


def test_a_notify_answered_after_we_stopped_waiting_still_gets_its_buttons(bus, notifier, caplog, monkeypatch):
    bus.start_server("late", "--late", "1.0")
    assert remind(notifier, Kind.STRETCH)  # answered in 1 s: within the 3 s we wait
    monkeypatch.setattr(notify_dbus, "REPLY_TIMEOUT", 0.2)  # now the server answers after we stopped waiting
    with caplog.at_level(logging.INFO):
        assert not remind(notifier)  # not known to be shown in time: said once, as a problem
        bus.wait(lambda: "state=recovered" in caplog.text, "the late answer")
    bus.emit(2, "done")
    bus.wait(lambda: notifier.events, "the button press")
    assert notifier.events == [("posture", "done")]
    assert notifier._link.alive


def test_a_server_activated_slowly_at_login_gets_the_first_bubble(bus, notifier, caplog, monkeypatch):
    monkeypatch.setattr(notify_dbus, "REPLY_TIMEOUT", 0.5)  # the server takes longer than that to start
    bus.activatable("good", "--startup-delay", "2")
    assert remind(notifier, Kind.STRETCH)  # waits for the server instead of losing the bubble
    bus.wait(lambda: bus.calls("Notify"), "the bubble to reach the server")
    assert not not_available(caplog)
    (notify_call,) = bus.calls("Notify")
    assert notify_call["body"][3] == "stretch title"
    bus.emit(1, "skip")
    bus.wait(lambda: notifier.events, "the button press")
    assert notifier.events == [("stretch", "skip")]


def test_a_receiver_that_ended_is_noticed_and_the_connection_opened_again(bus, notifier):
    import socket

    bus.start_server("good")
    assert remind(notifier)
    old = notifier._link
    old.conn.sock.shutdown(socket.SHUT_RDWR)  # the connection breaks under the receiver
    bus.wait(lambda: not old.alive, "the receiver to end")
    assert remind(notifier) and notifier._link is not old and notifier._link.alive
    bus.emit(2, "done")
    bus.wait(lambda: notifier.events, "the button press")
    assert notifier.events == [("posture", "done")]


def test_forged_button_presses_from_another_program_are_ignored(bus, notifier):
    bus.start_server("good")
    assert remind(notifier, Kind.STRETCH) and remind(notifier)  # ids 1 and 2 are ours
    target = notifier._link.unique_name
    with open_dbus_connection(bus.address) as hostile:
        for nid in range(400):
            for key in ("done", "default", "snooze", "skip", "session"):
                # broadcast as the server would, and addressed to us (which no match rule filters)
                hostile.send(new_signal(DBusAddress(notify_dbus.PATH, interface=notify_dbus.INTERFACE),
                                        "ActionInvoked", "us", (nid, key)))
            forged = new_signal(DBusAddress(notify_dbus.PATH, interface=notify_dbus.INTERFACE),
                                "ActionInvoked", "us", (nid, "done"))
            forged.header.fields[HeaderFields.destination] = target
            hostile.send(forged)
        hostile.send(new_signal(DBusAddress("/org/freedesktop/DBus", interface="org.freedesktop.DBus"),
                                "NameOwnerChanged", "sss", (notify_dbus.SERVICE, "", hostile.unique_name)))
        # Our receiver answers every method call in order: once this one is answered, all the above were seen.
        ping = new_method_call(DBusAddress("/", bus_name=target, interface="org.example.Nothing"), "Ping")
        assert hostile.send_and_get_reply(ping, timeout=5).header.message_type == MessageType.error
    assert notifier.events == []
    assert notifier.owner.owner == bus.calls("started")[0]["unique_name"]  # the forged owner change was ignored
    bus.emit(2, "done")  # the real server still can
    bus.wait(lambda: notifier.events, "the genuine press")
    assert notifier.events == [("posture", "done")]


def test_the_link_opens_on_the_session_bus(bus):
    link = open_link(lambda msg: None)
    try:
        assert link.alive and link.unique_name.startswith(":")
    finally:
        link.close()
    assert not link.alive
