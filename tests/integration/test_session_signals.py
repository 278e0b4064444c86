"""Signals that end the tray count only from the service that owns the name (a private dbus-daemon).

Any program on a bus can send ``EndSession`` or ``PrepareForShutdown``, even
addressed to the tray's connection, past every match rule. A stand-in session
manager and a stand-in logind own their names; a hostile connection forges
their signals first, then the real one speaks: the tray reacts once, to it.
"""

from __future__ import annotations

import threading

import pytest
from jeepney import DBusAddress, HeaderFields, MessageType, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

from necka_tray.desktop.platform import session_linux, sleep_linux

@pytest.fixture
def bus(private_bus, monkeypatch):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", private_bus)
    return private_bus


def forge(address: str, path: str, interface: str, member: str, signature, body, to: list[str]) -> None:
    """Another program sends the signal, broadcast and addressed to each of ``to``; returns once the bus
    has routed them all (its answer to a later call comes after)."""
    with open_dbus_connection(address) as hostile:
        for destination in [None, *to]:
            msg = new_signal(DBusAddress(path, interface=interface), member, signature, body)
            if destination:
                msg.header.fields[HeaderFields.destination] = destination
            hostile.send(msg)
        hostile.send_and_get_reply(message_bus.ListNames(), timeout=5)


def others(address: str, *skip: str) -> list[str]:
    with open_dbus_connection(address) as conn:
        names = conn.send_and_get_reply(message_bus.ListNames(), timeout=5).body[0]
        return [n for n in names if n.startswith(":") and n not in skip and n != conn.unique_name]


def test_a_forged_end_session_is_ignored_and_the_managers_stop_is_heard(bus):
    manager = open_dbus_connection(bus)
    manager.send_and_get_reply(message_bus.RequestName(session_linux.MANAGER), timeout=5)
    client = "/org/gnome/SessionManager/Client1"
    registered, ended = threading.Event(), threading.Event()
    got: list[str] = []

    def serve() -> None:
        while not registered.is_set():
            msg = manager.receive(timeout=10)
            if msg.header.message_type == MessageType.method_call:
                manager.send(new_method_return(msg, "o", (client,)))
                registered.set()

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    thread = session_linux.register(lambda: (got.append("end"), ended.set()))
    assert thread is not None and registered.wait(10)
    forge(bus, client, session_linux.CLIENT_PRIVATE, "EndSession", "u", (0,), others(bus, manager.unique_name))
    manager.send(new_signal(DBusAddress(client, interface=session_linux.CLIENT_PRIVATE), "Stop"))
    assert ended.wait(10)
    thread.join(10)
    # A forged EndSession taken for real would have been answered (EndSessionResponse) before the Stop.
    with pytest.raises(TimeoutError):
        while True:
            msg = manager.receive(timeout=0.5)
            assert msg.header.fields.get(HeaderFields.member) != "EndSessionResponse"
    assert got == ["end"]
    manager.close()


def test_a_forged_prepare_for_shutdown_is_ignored_and_loginds_is_heard(bus, monkeypatch):
    monkeypatch.setenv("NECKA_LOGIND_BUS", "session")
    logind = open_dbus_connection(bus)
    logind.send_and_get_reply(message_bus.RequestName(sleep_linux.LOGIND), timeout=5)
    events: list[str] = []
    shut = threading.Event()
    thread = sleep_linux.watch(lambda: events.append("wake"), lambda: (events.append("shutdown"), shut.set()))
    assert thread is not None
    path, interface = "/org/freedesktop/login1", "org.freedesktop.login1.Manager"
    targets = others(bus, logind.unique_name)
    forge(bus, path, interface, "PrepareForSleep", "b", (False,), targets)
    forge(bus, path, interface, "PrepareForShutdown", "b", (True,), targets)
    logind.send(new_signal(DBusAddress(path, interface=interface), "PrepareForSleep", "b", (False,)))
    logind.send(new_signal(DBusAddress(path, interface=interface), "PrepareForShutdown", "b", (True,)))
    assert shut.wait(10)
    assert events == ["wake", "shutdown"]  # logind's own, once each; the forged ones before them did nothing
    logind.close()
