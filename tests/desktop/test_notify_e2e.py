"""Reminder bubbles you can act on, with the real dunst: the buttons a bubble offers, what
pressing them does in the app, and bubbles of one kind replacing each other.

A button is pressed the way a user's keyboard would through dunst's context menu
(``dunstctl context``, answered by the test's dmenu stub: ``Desktop.choose_action``),
and a click on the bubble as ``dunstctl action 0`` (its default action).
A ``notify-send`` on the PATH that leaves a mark proves the tray spawns none.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from . import xdesk
from .necka_app import docked

SCALE = 30  # a configured minute lasts 2 s


@pytest.fixture
def necka_env(app_env, tmp_path):
    """Only the reminder under test on, every 5 configured minutes (10 s); a marking notify-send."""

    def make(kind: str) -> dict:
        config = Path(app_env["XDG_CONFIG_HOME"]) / "necka-tray" / "config.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text("".join(f"[reminders.{k}]\nenabled = {str(k == kind).lower()}\ninterval_minutes = 5\n"
                                  for k in ("posture", "shoulder_rolls", "stretch")))
        fake = tmp_path / "bin"
        fake.mkdir(exist_ok=True)
        (fake / "notify-send").write_text(f"#!/bin/sh\ntouch '{tmp_path / 'notify-send-ran'}'\n")
        (fake / "notify-send").chmod(0o755)
        return dict(app_env, PATH=f"{fake}{os.pathsep}{app_env['PATH']}")

    return make


def no_notify_send(tmp_path: Path) -> None:
    assert not (tmp_path / "notify-send-ran").exists(), "the tray spawned notify-send"


def offered_keys(lines: list[str], summary: str) -> list[str]:
    """The action keys dunst offers for the bubble titled ``summary`` (in dunst's own order)."""
    return [m.group(1) for line in lines if f"({summary})" in line
            for m in [re.search(r",(\w+)\]$", line)] if m]


def test_stretch_bubble_offers_start_snooze_skip_and_snooze_moves_the_break(
        desktop, start_necka, necka_env, active_user, tmp_path):
    necka = start_necka("--time-scale", str(SCALE), env=necka_env("stretch"))
    docked(desktop, necka)
    necka.wait_log(r"action=remind kind=stretch notified=True", timeout=30)
    assert re.search(r"action=notify-server capabilities=\S*actions", necka.log_text())
    offered = desktop.choose_action("Snooze 10 min")
    # dunst lists the default action in its menu: Start stretch is offered once, not twice
    assert sorted(offered_keys(offered, "Time for a stretch break")) == ["default", "skip", "snooze"]
    necka.wait_log(r"action=bubble tag=stretch key=snooze")
    snoozed_at = datetime.now(timezone.utc)
    assert [{k: v for k, v in e.items() if k != "ts"} for e in necka.history("snooze")] == [
        {"reminder": "stretch", "minutes": 10}]
    # The next stretch break: 10 configured minutes after the snooze (20 s at this scale).
    expected = snoozed_at + timedelta(minutes=10) / SCALE
    assert abs(necka.next_run("stretch") - expected) < timedelta(seconds=3)
    no_notify_send(tmp_path)
    maps = Path(f"/proc/{necka.proc.pid}/maps").read_text()
    assert "_imaging" not in maps and "libtk" not in maps, "the tray process must not load Pillow or Tk"
    assert necka.stderr.read_text() == ""


@pytest.mark.smoke  # also on the oldest libraries (scripts/test)
def test_a_click_on_the_stretch_bubble_opens_the_session(desktop, start_necka, necka_env, active_user, tmp_path):
    necka = start_necka("--time-scale", str(SCALE), env=necka_env("stretch"))
    docked(desktop, necka)
    necka.wait_log(r"action=remind kind=stretch notified=True", timeout=30)
    xdesk.run(desktop.env, "dunstctl", "action", "0")  # the default action: Start stretch
    necka.wait_log(r"action=bubble tag=stretch key=default")
    desktop.wait_window("^Necka .+ Stretch session$", timeout=10)
    necka.wait_log(r"action=session routine=")
    no_notify_send(tmp_path)


def test_posture_bubbles_replace_each_other_and_done_is_recorded(
        desktop, start_necka, necka_env, active_user, tmp_path):
    necka = start_necka("--time-scale", str(SCALE), env=necka_env("posture"))
    docked(desktop, necka)
    xdesk.wait_for(lambda: len(re.findall(r"action=remind kind=posture notified=True", necka.log_text())) >= 2,
                   40, what="two posture checks shown")
    assert desktop.displayed_count() == 1  # the second replaced the first
    offered = desktop.choose_action(",done]")
    assert offered_keys(offered, "Posture check") == ["done"]
    necka.wait_log(r"action=bubble tag=posture key=done")
    xdesk.wait_for(lambda: necka.history("done"), 5, what="the done event")
    assert necka.history("done")[0]["reminder"] == "posture"
    no_notify_send(tmp_path)
    bubble = [n for n in desktop.notifications() if n["summary"] == "Posture check"][-1]
    assert (bubble["appname"], bubble["category"]) == ("Necka", "x-necka.reminder")
    assert bubble["icon_path"] == str(necka.data / "necka-128.png")  # drawn by the helper, not the tray
    assert bubble["timeout"] == 30_000_000  # µs: a posture check is a short nudge


def forge_presses(env: dict, pid: int, ids: range) -> int:
    """A hostile program on the bus sends the server's signals for ``ids``, broadcast and addressed to each of
    the tray's connections; returns once the tray's notifier has read them (it answers a call after them)."""
    from jeepney import DBusAddress, HeaderFields, new_method_call, new_signal
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(env["DBUS_SESSION_BUS_ADDRESS"]) as conn:
        names = [n for n in conn.send_and_get_reply(message_bus.ListNames(), timeout=5).body[0] if n.startswith(":")]
        ours = [n for n in names if conn.send_and_get_reply(
            message_bus.GetConnectionUnixProcessID(n), timeout=5).body == (pid,)]
        assert ours, "the tray's bus connections"
        where = DBusAddress("/org/freedesktop/Notifications", interface="org.freedesktop.Notifications")
        for destination in [None, *ours]:
            for nid in ids:
                for member, signature, body in (("ActionInvoked", "us", (nid, "done")),
                                                ("NotificationClosed", "uu", (nid, 2))):
                    msg = new_signal(where, member, signature, body)
                    if destination:
                        msg.header.fields[HeaderFields.destination] = destination
                    conn.send(msg)
        answered = 0
        for name in ours:  # each connection reads in order: its answer comes after the signals
            try:
                conn.send_and_get_reply(new_method_call(DBusAddress("/", bus_name=name, interface="x.Nothing"),
                                                        "Ping"), timeout=2)
                answered += 1
            except TimeoutError:
                pass  # a connection that only asks questions (idle, quiet) never answers
        return answered


def test_forged_button_presses_from_another_program_record_nothing(
        desktop, start_necka, necka_env, active_user, tmp_path):
    necka = start_necka("--time-scale", str(SCALE), env=necka_env("posture"))
    docked(desktop, necka)
    necka.wait_log(r"action=remind kind=posture notified=True", timeout=30)
    assert forge_presses(desktop.env, necka.proc.pid, range(400)) >= 1
    necka.wait_log(r"action=notify-signal state=ignored reason=not-from-the-server")
    assert necka.history("done") == [] and "action=bubble" not in necka.log_text()
    desktop.choose_action(",done]")  # the real server's press still counts
    necka.wait_log(r"action=bubble tag=posture key=done")
    xdesk.wait_for(lambda: necka.history("done"), 5, what="the done event")
    assert len(necka.history("done")) == 1
    assert necka.stderr.read_text() == ""
