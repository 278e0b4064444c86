"""The D-Bus notifier's messages and signal handling, against a fake connection (no bus, no server)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from jeepney import HeaderFields, new_error, new_method_return, new_signal, DBusAddress

from necka_tray.core.reminders import Kind
from necka_tray.desktop.dbus_link import Pending
from necka_tray.desktop.notify import Availability
from necka_tray.desktop.notify_dbus import DESKTOP_ENTRY, INTERFACE, PATH, DBusNotifier, NoBus, notify_args
from necka_tray.desktop.notify_args import ServerInfo
from necka_tray.owner import bubbles

ALL_CAPS = frozenset({"actions", "body", "body-markup", "icon-static"})
SERVER = DBusAddress(PATH, bus_name=":1.7", interface=INTERFACE)


class FakeLink:
    """Answers like dbus-daemon and a notification server (``:1.7``): Notify returns new ids, or the replaced one."""

    def __init__(self, caps=ALL_CAPS, missing=False, name="dunst"):
        self.caps, self.missing, self.name = caps, missing, name
        self.sent = []  # (member, body) of each call
        self.next_id = 1
        self.closed = False
        self.alive = True
        self.unique_name = ":1.3"
        self.on_signal = None

    def bind(self, on_signal):
        self.on_signal = on_signal
        return self

    def call(self, msg, on_reply=None):
        pending = Pending(0, on_reply)
        pending.settle(self._answer(msg))
        return pending

    def request(self, msg, timeout):
        return self.call(msg).wait(timeout)

    def forget(self, pending):
        pass

    def _answer(self, msg):
        member = msg.header.fields[HeaderFields.member]
        self.sent.append((member, msg.body))
        if member == "AddMatch":
            return new_method_return(msg)
        if member == "GetNameOwner":
            if self.missing:
                return new_error(msg, "org.freedesktop.DBus.Error.NameHasNoOwner", "s", ("no owner",))
            return new_method_return(msg, "s", (":1.7",))
        if self.missing:
            return new_error(msg, "org.freedesktop.DBus.Error.ServiceUnknown", "s", ("no such name",))
        if member == "GetCapabilities":
            reply = new_method_return(msg, "as", (sorted(self.caps),))
        elif member == "GetServerInformation":
            reply = new_method_return(msg, "ssss", (self.name, "vendor", "1", "1.2"))
        elif member == "Notify":
            nid = msg.body[1] or self.next_id
            self.next_id += msg.body[1] == 0
            reply = new_method_return(msg, "u", (nid,))
        else:
            raise AssertionError(member)
        reply.header.fields[HeaderFields.sender] = ":1.7"
        return reply

    def close(self):
        self.closed = True
        self.alive = False

    def emit(self, member, signature, body, emitter=SERVER, sender=":1.7"):
        """A signal arrives on the receiver thread."""
        msg = new_signal(emitter, member, signature, body)
        msg.header.fields[HeaderFields.sender] = sender
        self.on_signal(msg)

    def notifies(self):
        return [body for member, body in self.sent if member == "Notify"]


FakeRouter = FakeLink  # the name test_the_dbus_path_never_imports_plyer's child imports


@pytest.fixture
def setup():
    router = FakeRouter()
    events = []
    notifier = DBusNotifier("", lambda tag, key: events.append((tag, key)), connect=router.bind)
    return notifier, router, events


def remind(notifier, kind: Kind) -> bool:
    return notifier.notify(f"{kind.value} title", "body", **bubbles.options(kind))


# -- the message --------------------------------------------------------------------------------


@pytest.mark.parametrize("server", ["GNOME Shell", "Plasma", "Notification Daemon", "cinnamon"])
def test_where_the_server_hides_the_default_action_start_is_also_a_button(server):
    args = notify_args(ServerInfo(ALL_CAPS, server), "Time for a stretch break", "b", **bubbles.options(Kind.STRETCH))
    app_name, replaces, icon, title, body, actions, hints, expire = args
    assert (app_name, replaces, title) == ("Necka", 0, "Time for a stretch break")
    assert actions == ["default", "Start stretch", "session", "Start stretch", "snooze", "Snooze 10 min",
                       "skip", "Skip"]


@pytest.mark.parametrize("server", ["Xfce Notify Daemon", "dunst", "mako", "", "some new server"])
def test_where_the_server_shows_the_default_action_start_is_offered_once(server):
    args = notify_args(ServerInfo(ALL_CAPS, server), "Time for a stretch break", "b", **bubbles.options(Kind.STRETCH))
    app_name, replaces, icon, title, body, actions, hints, expire = args
    assert actions == ["default", "Start stretch", "snooze", "Snooze 10 min", "skip", "Skip"]
    assert hints["desktop-entry"] == ("s", DESKTOP_ENTRY)
    assert hints["category"] == ("s", "x-necka.reminder")
    assert expire == 300_000


@pytest.mark.parametrize("kind", [Kind.POSTURE, Kind.SHOULDER_ROLLS])
def test_posture_and_shoulder_bubbles_offer_done_and_expire_sooner(kind):
    *_, actions, hints, expire = notify_args(ALL_CAPS, "t", "b", **bubbles.options(kind))
    assert actions == ["done", "Done"]
    assert 0 < expire < 300_000


def test_a_server_without_actions_gets_no_buttons():
    *_, actions, _hints, _expire = notify_args(frozenset({"body"}), "t", "b", **bubbles.options(Kind.STRETCH))
    assert actions == []


def test_markup_is_escaped_only_for_servers_that_read_it():
    assert notify_args(ALL_CAPS, "t", "a <b> & c")[4] == "a &lt;b&gt; &amp; c"
    assert notify_args(frozenset({"body"}), "t", "a <b> & c")[4] == "a <b> & c"


def test_the_icon_goes_as_app_icon_and_image_path(tmp_path):
    icon = tmp_path / "necka-128.png"
    args = notify_args(ALL_CAPS, "t", "b", icon_path=str(icon))
    assert args[2] == str(icon) and args[6]["image-path"] == ("s", str(icon))
    assert "image-path" not in notify_args(ALL_CAPS, "t", "b")[6]
    assert notify_args(ALL_CAPS, "t", "b")[6]["category"] == ("s", "x-necka.notice")  # not a reminder


def test_an_icon_not_drawn_yet_is_left_out(tmp_path):
    router = FakeRouter()
    icon = tmp_path / "necka-128.png"
    notifier = DBusNotifier(str(icon), connect=router.bind)
    notifier.notify("t", "b")
    icon.write_bytes(b"png")
    notifier.notify("t", "b")
    assert [n[2] for n in router.notifies()] == ["", str(icon)]


# -- replacing ------------------------------------------------------------------------------------


def test_each_kind_replaces_its_own_previous_bubble(setup):
    notifier, router, _events = setup
    assert remind(notifier, Kind.POSTURE) and remind(notifier, Kind.STRETCH)
    remind(notifier, Kind.POSTURE)
    remind(notifier, Kind.STRETCH)
    assert [n[1] for n in router.notifies()] == [0, 0, 1, 2]  # replaces_id: the same kind's id
    notifier.notify("Necka settings", "x")
    notifier.notify("Necka settings", "y")
    assert [n[1] for n in router.notifies()][4:] == [0, 0]  # untagged notices never replace


def test_capabilities_are_asked_once_and_signals_watched_on_the_same_connection(setup):
    notifier, router, _events = setup
    remind(notifier, Kind.POSTURE)
    remind(notifier, Kind.POSTURE)
    members = [m for m, _ in router.sent]
    assert members == ["AddMatch", "AddMatch", "GetNameOwner", "GetServerInformation", "GetCapabilities",
                       "Notify", "Notify"]
    assert "interface='org.freedesktop.Notifications'" in router.sent[0][1][0]
    assert "sender='org.freedesktop.Notifications'" in router.sent[0][1][0]
    assert "arg0='org.freedesktop.Notifications'" in router.sent[1][1][0]  # the server's comings and goings
    assert notifier.owner.owner == ":1.7"


def test_a_new_server_is_asked_afresh_and_nothing_of_the_old_one_is_replaced(setup):
    notifier, router, events = setup
    remind(notifier, Kind.POSTURE)
    bus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus")
    router.emit("NameOwnerChanged", "sss", ("org.freedesktop.Notifications", ":1.7", ":1.9"), emitter=bus,
                sender="org.freedesktop.DBus")
    remind(notifier, Kind.POSTURE)
    assert [m for m, _ in router.sent].count("GetCapabilities") == 2
    assert [n[1] for n in router.notifies()] == [0, 0] and events == []
    router.emit("NameOwnerChanged", "sss", ("org.example.Other", "", ":1.10"), emitter=bus,
                sender="org.freedesktop.DBus")  # another name: not the notification server's news
    assert notifier.caps == ALL_CAPS


# -- signals ----------------------------------------------------------------------------------------


def test_a_button_press_reaches_on_event_with_its_kind(setup):
    notifier, router, events = setup
    remind(notifier, Kind.STRETCH)
    remind(notifier, Kind.POSTURE)
    router.emit("ActionInvoked", "us", (1, "snooze"))
    router.emit("ActionInvoked", "us", (2, "done"))
    router.emit("ActionInvoked", "us", (99, "default"))  # another application's bubble
    assert events == [("stretch", "snooze"), ("posture", "done")]


def test_only_the_server_itself_can_press_a_button_or_close_a_bubble(setup):
    notifier, router, events = setup
    remind(notifier, Kind.STRETCH)
    remind(notifier, Kind.POSTURE)
    for nid in range(400):
        router.emit("ActionInvoked", "us", (nid, "done"), sender=":1.66")  # any other program on the bus
        router.emit("NotificationClosed", "uu", (nid, 2), sender=":1.66")
    assert events == []
    remind(notifier, Kind.POSTURE)
    assert [n[1] for n in router.notifies()] == [0, 0, 2]  # still replaced: the forged close changed nothing
    router.emit("ActionInvoked", "us", (2, "done"))
    assert events == [("posture", "done")]


def test_news_of_the_server_counts_only_from_the_bus(setup):
    notifier, router, events = setup
    remind(notifier, Kind.POSTURE)
    bus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus")
    router.emit("NameOwnerChanged", "sss", ("org.freedesktop.Notifications", ":1.7", ":1.66"), emitter=bus,
                sender=":1.66")  # a program claiming to be the new server
    router.emit("ActionInvoked", "us", (1, "done"), sender=":1.66")
    assert notifier.owner.owner == ":1.7" and events == []


def test_a_closed_bubble_is_reported_and_not_replaced_later(setup):
    notifier, router, events = setup
    remind(notifier, Kind.POSTURE)
    router.emit("NotificationClosed", "uu", (1, 1))
    remind(notifier, Kind.POSTURE)
    assert events == [("posture", "closed")]
    assert [n[1] for n in router.notifies()] == [0, 0]


def test_a_failing_handler_does_not_kill_the_receiver(setup, caplog):
    router = FakeRouter()

    def boom(tag, key):
        raise RuntimeError("bug")

    notifier = DBusNotifier("", boom, connect=router.bind)
    remind(notifier, Kind.STRETCH)
    router.emit("ActionInvoked", "us", (1, "skip"))  # would raise out of the router's thread
    assert "notify-signal failed" in caplog.text


# -- failures -----------------------------------------------------------------------------------------


def test_no_service_warns_once_then_recovers(caplog):
    router = FakeRouter(missing=True)
    notifier = DBusNotifier("", connect=router.bind)
    with caplog.at_level(logging.INFO):
        assert not remind(notifier, Kind.POSTURE)
        assert not remind(notifier, Kind.POSTURE)
        router.missing = False
        assert remind(notifier, Kind.POSTURE)
    assert caplog.text.count("Desktop notifications are not available") == 1
    assert "no notification service is running" in caplog.text
    assert "state=recovered" in caplog.text
    assert notifier.caps == ALL_CAPS  # asked again once the service was back


def test_no_session_bus_falls_back_to_the_other_notifier():
    sent = []

    class Fallback:
        availability = Availability()

        def notify(self, title, body, **kw):
            sent.append((title, kw["tag"]))
            return False

    def no_bus(on_signal):
        raise NoBus("no D-Bus session bus")

    notifier = DBusNotifier("", fallback=Fallback(), connect=no_bus)
    assert not remind(notifier, Kind.POSTURE)
    assert sent == [("posture title", "posture")]
    assert notifier.availability is Fallback.availability  # one warn-once for both paths


def test_a_broken_connection_is_reopened_next_time():
    routers = [FakeRouter(), FakeRouter()]
    opened = []

    def connect(on_signal):
        opened.append(routers[len(opened)].bind(on_signal))
        return opened[-1]

    notifier = DBusNotifier("", connect=connect)
    assert remind(notifier, Kind.POSTURE)

    def dead(msg, on_reply=None):
        raise ConnectionResetError("bus gone")

    routers[0].call = dead
    assert not remind(notifier, Kind.POSTURE)
    assert routers[0].closed  # (the receiver thread stopped, the socket closed)
    assert remind(notifier, Kind.POSTURE)
    assert len(opened) == 2 and routers[1].notifies()[0][1] == 0  # a new server knows no old ids


# -- the buttons' actions ---------------------------------------------------------------------------------


def test_buttons_run_the_menu_and_command_line_actions():
    from necka_tray.core.actions import Action

    assert bubbles.action_for("stretch", "default") == Action("session")
    assert bubbles.action_for("stretch", "session") == Action("session")
    assert bubbles.action_for("stretch", "snooze") == Action("snooze", 10)
    assert bubbles.action_for("stretch", "skip") == Action("skip")
    assert bubbles.action_for("posture", "done") == Action("done", "posture")
    assert bubbles.action_for("shoulder_rolls", "done") == Action("done", "shoulder_rolls")
    assert bubbles.action_for("posture", "closed") is None
    assert bubbles.action_for("posture", "skip") is None  # never offered on that bubble
    assert bubbles.action_for("nonsense", "done") is None


def test_an_unreachable_session_bus_is_no_bus(monkeypatch):
    from necka_tray.desktop.notify_dbus import open_link

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    with pytest.raises(NoBus, match="no D-Bus session bus"):
        open_link(lambda msg: None)


def test_the_dbus_path_never_imports_plyer():
    # A fresh interpreter: the other tests may have imported plyer in this one.
    import subprocess
    import sys

    code = """if True:
        import sys
        from tests.unit.test_notify_dbus import FakeRouter, remind
        from necka_tray.core.reminders import Kind
        from necka_tray.desktop.notifier import make_notifier
        from necka_tray.desktop import notify_dbus
        router = FakeRouter()
        notifier = make_notifier("")
        notifier._connect = router.bind
        assert isinstance(notifier, notify_dbus.DBusNotifier)
        assert remind(notifier, Kind.STRETCH) and router.notifies()
        print("plyer" in sys.modules)
    """
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=root)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_a_server_that_never_answers_is_waited_for_then_reported_and_asked_again(monkeypatch, caplog):
    """A server being started gets ACTIVATION_S: its bubbles wait (True); after that it is a problem."""
    from necka_tray.desktop import notify_dbus

    class Silent(FakeLink):
        def call(self, msg, on_reply=None):
            if msg.header.fields[HeaderFields.member] in ("GetCapabilities", "GetServerInformation"):
                self.sent.append((msg.header.fields[HeaderFields.member], msg.body))
                return Pending(len(self.sent), on_reply)  # never settled
            return super().call(msg, on_reply)

    monkeypatch.setattr(notify_dbus, "REPLY_TIMEOUT", 0.01)
    now = [0.0]
    link = Silent()
    notifier = DBusNotifier("", connect=link.bind, clock=lambda: now[0])
    assert remind(notifier, Kind.POSTURE) and remind(notifier, Kind.POSTURE)  # queued for the server
    assert [m for m, _ in link.sent].count("GetCapabilities") == 1  # asked once while it starts
    assert not caplog.text
    now[0] = notify_dbus.ACTIVATION_S + 1
    assert not remind(notifier, Kind.POSTURE)
    assert "no answer to GetCapabilities within 30 s" in caplog.text
    assert remind(notifier, Kind.POSTURE)  # asked afresh, waiting again
    assert [m for m, _ in link.sent].count("GetCapabilities") == 2
