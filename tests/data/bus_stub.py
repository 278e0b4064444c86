"""A stand-in session service for the tests on a private bus: ``python bus_stub.py KIND``.

It owns the names of KIND on the bus in ``DBUS_SESSION_BUS_ADDRESS``, prints "ready" and answers
each method call from KIND's table until killed; a member it does not know gets UnknownMethod, as
from a real service. Kinds: ``gnome`` (idle inhibited: ``IsInhibited(u)`` true for the idle flag 8
only, as a video-call app makes GNOME say), ``freedesktop`` (``HasInhibit()`` true), ``mutter``
(the idle time, answered twice: a return then an error for the same call, as mako does),
``Plasma`` and ``Xfce Notify Daemon`` (a notification server that is quiet, or has no
do-not-disturb setting yet).
"""

import sys

from jeepney import HeaderFields, MessageType, new_error, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

UNKNOWN = "org.freedesktop.DBus.Error.UnknownMethod"
NOTIFY = ("org.freedesktop.Notifications", "org.xfce.Xfconf")


def notification_server(name):
    def answer(member, body):
        if member == "GetServerInformation":
            return [("ssss", (name, "test", "1", "1.2"))]
        if member == "Get" and body == ("org.freedesktop.Notifications", "Inhibited"):
            return [("v", (("b", True),))]
        if member == "GetProperty" and body == ("xfce4-notifyd", "/do-not-disturb"):
            return [("org.xfce.Xfconf.Error.PropertyNotFound", "never set")]
        return None
    return NOTIFY, answer


#: kind -> (names owned, answer(member, body) -> [(signature, body) or (error name, text)] or None)
KINDS = {
    "gnome": (("org.gnome.SessionManager",),
              lambda member, body: [("b", (body[0] == 8,))] if member == "IsInhibited" else None),
    "freedesktop": (("org.freedesktop.PowerManagement",),
                    lambda member, body: [("b", (True,))] if member == "HasInhibit" else None),
    "mutter": (("org.gnome.Mutter.IdleMonitor",),
               lambda member, body: [("t", (61500,)), (UNKNOWN, "again")] if member == "GetIdletime" else None),
    "Plasma": notification_server("Plasma"),
    "Xfce Notify Daemon": notification_server("Xfce Notify Daemon"),
}


def main(kind):
    names, answer = KINDS[kind]
    conn = open_dbus_connection(bus="SESSION")
    for name in names:
        conn.send_and_get_reply(message_bus.RequestName(name))
    print("ready", flush=True)
    while True:
        msg = conn.receive()
        if msg.header.message_type != MessageType.method_call:
            continue
        member = msg.header.fields.get(HeaderFields.member)
        for first, second in answer(member, msg.body) or [(UNKNOWN, str(member))]:
            if "." in first:  # an error name
                conn.send(new_error(msg, first, "s", (second,)))
            else:
                conn.send(new_method_return(msg, first, second))


if __name__ == "__main__":
    main(sys.argv[1])
