"""A stand-in session service that says "idle is inhibited", as a video-call app makes GNOME say.

``python inhibitor_stub.py gnome|freedesktop`` owns org.gnome.SessionManager (``IsInhibited(u)``:
true for the idle flag 8 only) or org.freedesktop.PowerManagement (``HasInhibit()``: true) on
the session bus in ``DBUS_SESSION_BUS_ADDRESS``, prints "ready", and answers until killed.
"""

import sys

from jeepney import HeaderFields, MessageType, new_error, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

kind = sys.argv[1] if len(sys.argv) > 1 else "gnome"
name = {"gnome": "org.gnome.SessionManager", "freedesktop": "org.freedesktop.PowerManagement"}[kind]
conn = open_dbus_connection(bus="SESSION")
conn.send_and_get_reply(message_bus.RequestName(name))
print("ready", flush=True)
while True:
    msg = conn.receive()
    if msg.header.message_type != MessageType.method_call:
        continue
    member = msg.header.fields.get(HeaderFields.member)
    if member == "IsInhibited" and kind == "gnome":
        conn.send(new_method_return(msg, "b", (msg.body[0] == 8,)))
    elif member == "HasInhibit" and kind == "freedesktop":
        conn.send(new_method_return(msg, "b", (True,)))
    else:
        conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s", (str(member),)))
