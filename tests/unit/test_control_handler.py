"""The running app's side of the CLI: each request becomes a menu action, or a clear refusal."""

from __future__ import annotations

import sys

import pytest

from necka_tray.channel import control
from necka_tray.channel import ipc
from necka_tray.store.paths import AppPaths
from necka_tray.core.actions import Action


class FakeApp:
    """The ``control.Controls`` facade, recording what it is asked."""

    def __init__(self):
        self.actions = []
        self.posted = []
        self.state = {"tooltip": "Necka: stretch break in 20 min", "session_running": False, "paused_until": None}

    def status(self):
        return dict(self.state)

    def act(self, action):
        self.actions.append(action)
        if action.verb == "pause":
            self.state.update(tooltip="Necka: paused until 14:30", paused_until="2025-03-03T14:30:00+00:00")
        elif action.verb in ("session", "routine"):
            self.state["session_running"] = True

    def act_later(self, action):
        self.posted.append(action)

    def refresh(self):
        self.actions.append("refresh")


@pytest.fixture
def app():
    return FakeApp()


@pytest.fixture
def handle(app):
    return control.Handler(app, {"tray_backend": "gtk"})


@pytest.mark.parametrize("request_, action", [
    ({"command": "pause", "minutes": 60}, Action("pause", 60)),
    ({"command": "pause", "minutes": 1.5}, Action("pause", 1.5)),
    ({"command": "pause", "until": "tomorrow"}, Action("pause", "tomorrow")),
    ({"command": "session"}, Action("session")),
    ({"command": "snooze"}, Action("snooze", 10)),
    ({"command": "snooze", "minutes": 25}, Action("snooze", 25)),
    ({"command": "snooze", "minutes": 25.0}, Action("snooze", 25)),
    ({"command": "refresh"}, "refresh"),
    ({"command": "skip"}, Action("skip")),
    ({"command": "session", "routine": "desk"}, Action("routine", "desk")),
    ({"command": "open", "window": "checkin"}, Action("checkin")),
    ({"command": "open", "window": "info", "page": "care"}, Action("info", "care")),
    ({"command": "open", "window": "statistics"}, Action("statistics")),
    ({"command": "open", "window": "statistics", "days": 30}, Action("statistics", 30)),
])
def test_requests_become_menu_actions(handle, app, request_, action):
    reply = handle(request_)
    assert reply["ok"] is True, reply
    assert app.actions == [action]
    assert reply["status"]["tray_backend"] == "gtk"


@pytest.mark.parametrize("request_", [
    {"command": "open", "window": "terminal"}, {"command": "open"}, {"command": "open", "window": "info"},
    {"command": "open", "window": "info", "page": "/etc/passwd"}, {"command": "open", "window": "checkin", "page": "care"},
    {"command": "open", "window": "statistics", "days": 0}, {"command": "open", "window": "statistics", "days": "7"},
    {"command": "open", "window": "statistics", "days": 10**400}, {"command": "session", "routine": ""},
    {"command": "session", "routine": ["neck"]},
])
def test_a_window_request_it_cannot_open_is_refused_and_does_nothing(handle, app, request_):
    reply = handle(request_)
    assert reply["ok"] is False and reply["error"]
    assert app.actions == []


def test_resume_says_what_is_on_in_the_middle_of_a_sentence(handle, app):
    app.state.update(paused_until="2025-03-03T14:30:00+00:00", tooltip="Necka: Away since 19:16")
    assert handle({"command": "resume"})["message"] == "Reminders are back on: away since 19:16."


@pytest.mark.parametrize("command", ["snooze", "skip"])
def test_snooze_or_skip_while_away_says_when_the_stretch_break_comes(handle, app, command):
    """The tooltip then names the state, not what the command did: "Away since 19:16." alone said nothing."""
    app.state.update(state="away", tooltip="Necka: away since 19:16",
                     reminders={"stretch": {"enabled": True, "minutes_left": 10}})
    assert handle({"command": command})["message"] == "Away since 19:16. Stretch break in 10 min."
    app.state.update(state="active", tooltip="Necka: stretch break in 10 min")
    assert handle({"command": command})["message"] == "Stretch break in 10 min."


def test_pause_reply_reads_like_the_tooltip(handle):
    assert handle({"command": "pause", "minutes": 30})["message"] == "Paused until 14:30."


def test_quit_replies_first_and_quits_on_the_next_turn(handle, app):
    assert handle({"command": "quit"}) == {"ok": True, "message": "Necka is quitting."}
    assert app.actions == [] and app.posted == [Action("quit")]


@pytest.mark.parametrize("request_, error", [
    ({}, "unknown command 'None'"),
    ({"command": 7}, "unknown command '7'"),
    ({"command": "open_settings"}, "unknown command 'open_settings'"),
    ({"command": "__init__"}, "unknown command '__init__'"),
    ({"command": "x" * 500}, "unknown command '" + "x" * 40 + "'"),
    ({"command": "status", "verbose": True}, "status: unexpected verbose"),
    ({"command": "pause"}, 'pause: "minutes" must be a number'),
    ({"command": "pause", "minutes": "60"}, 'pause: "minutes" must be a number'),
    ({"command": "pause", "minutes": True}, 'pause: "minutes" must be a number'),
    ({"command": "pause", "minutes": float("nan")}, 'pause: "minutes" must be a number'),
    ({"command": "pause", "minutes": float("inf")}, 'pause: "minutes" must be a number'),
    ({"command": "pause", "minutes": 0.5}, 'pause: "minutes" must be from 1 to 1440'),
    ({"command": "pause", "minutes": 1441}, 'pause: "minutes" must be from 1 to 1440'),
    ({"command": "pause", "until": "friday"}, 'pause: "until" can only be "tomorrow", without "minutes"'),
    ({"command": "pause", "until": "tomorrow", "minutes": 5},
     'pause: "until" can only be "tomorrow", without "minutes"'),
    ({"command": "snooze", "minutes": 2.5}, "snooze: use whole minutes"),
    ({"command": "snooze", "minutes": 241}, 'snooze: "minutes" must be from 1 to 240'),
])
def test_bad_requests_are_refused_and_nothing_happens(handle, app, request_, error):
    assert handle(request_) == {"ok": False, "error": error}
    assert app.actions == [] and app.posted == []


def test_a_session_that_cannot_start_is_an_error(handle, app, monkeypatch):
    monkeypatch.setattr(app, "act", lambda action: None)  # the launcher failed
    assert handle({"command": "session"}) == {
        "ok": False, "error": "could not open the stretch session window (see Necka's log)"}


# -- Windows: a named pipe per user (boundary only; no pipe is opened here) -------------------


def test_windows_uses_a_per_user_named_pipe(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("USERNAME", "Ada Lovelace")
    paths = AppPaths(tmp_path, tmp_path, tmp_path, tmp_path)
    assert ipc.address(paths) == r"\\.\pipe\necka-tray-Ada_Lovelace"
    assert ipc.family(ipc.address(paths)) == "AF_PIPE"
    assert ipc.pipe_name(r"..\evil/pipe") == r"\\.\pipe\necka-tray-.._evil_pipe"


def test_unix_uses_a_socket_in_the_runtime_dir(tmp_path):
    paths = AppPaths(tmp_path / "c", tmp_path / "d", tmp_path / "l", tmp_path / "run")
    assert ipc.address(paths) == str(tmp_path / "run" / "control.sock")
    assert ipc.family(ipc.address(paths)) == "AF_UNIX"
    assert AppPaths(tmp_path / "c", tmp_path / "d", tmp_path / "l").run_dir == tmp_path / "d"


@pytest.mark.parametrize("data", [b"", b"[]", b"1", b'"x"', b"\xff", b"{", b"[" * 100000])
def test_decode_accepts_only_a_json_object(data):
    with pytest.raises(ValueError):
        ipc.decode(data)


def test_encode_decode_round_trip():
    message = {"command": "pause", "minutes": 1.5, "text": "ünïcode"}
    assert ipc.decode(ipc.encode(message)) == message
