"""A notification server that misbehaves the way real ones do, for the tests: run as a script.

    python notify_server.py MODE LOG [--startup-delay S] [--late S] [--name NAME]

MODE: ``good``; ``twice`` (every call answered with a return and then an
``UnknownMethod`` error for the same serial, as mako 1.7 answers
``GetCapabilities``); ``late`` (``Notify`` answered ``--late`` seconds after
it came). ``--startup-delay``: sleep before taking the name (a server that
D-Bus activation starts slowly). Every call is written to LOG as a JSON line.
``org.necka.Test.Emit(u id, s key)``, called by the test, makes the server
send a genuine ``ActionInvoked``.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time

from jeepney import DBusAddress, HeaderFields, MessageType, new_error, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.threading import open_dbus_connection

PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("good", "twice", "late"))
    parser.add_argument("log")
    parser.add_argument("--startup-delay", type=float, default=0.0)
    parser.add_argument("--late", type=float, default=1.0)
    parser.add_argument("--name", default="necka-test-server")
    a = parser.parse_args()
    time.sleep(a.startup_delay)
    address = os.environ.get("DBUS_STARTER_ADDRESS") or os.environ["DBUS_SESSION_BUS_ADDRESS"]
    conn = open_dbus_connection(address)
    next_id = [1]

    def log(**entry) -> None:
        with open(a.log, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def answer(msg, signature=None, body=()) -> None:
        conn.send(new_method_return(msg, signature, body))
        if a.mode == "twice":
            conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s", ("said twice",)))

    conn.send(message_bus.RequestName(INTERFACE, 4))
    log(event="started", unique_name=conn.unique_name)
    while True:
        msg = conn.receive()
        if msg.header.message_type != MessageType.method_call:
            continue
        member = msg.header.fields.get(HeaderFields.member)
        log(event="call", member=member, body=[b if isinstance(b, (str, int)) else repr(b) for b in msg.body])
        if member == "GetCapabilities":
            answer(msg, "as", (["actions", "body"],))
        elif member == "GetServerInformation":
            answer(msg, "ssss", (a.name, "necka-tests", "1.0", "1.2"))
        elif member == "Notify":
            nid = msg.body[1] or next_id[0]
            next_id[0] += msg.body[1] == 0
            if a.mode == "late":
                threading.Timer(a.late, answer, (msg, "u", (nid,))).start()
            else:
                answer(msg, "u", (nid,))
        elif member == "Emit":
            nid, key = msg.body
            conn.send(new_signal(DBusAddress(PATH, interface=INTERFACE), "ActionInvoked", "us", (nid, key)))
            conn.send(new_method_return(msg))
        else:
            conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod"))


if __name__ == "__main__":
    main()
