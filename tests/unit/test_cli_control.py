"""Every way a control command can go wrong on the command line: message and exit code.

No app runs here: ``control.ask`` is replaced where a running Necka is
needed, and the per-user dirs point at an empty temporary folder (so "not
running" is real).
"""

from __future__ import annotations

import json

import pytest

from necka_tray import cli
from necka_tray.channel import control
from necka_tray.channel import instance
from necka_tray.channel import ipc
from necka_tray.cli import remote


@pytest.fixture(autouse=True)
def user_dirs(tmp_path, monkeypatch):
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR"):
        (tmp_path / var).mkdir(mode=0o700)
        monkeypatch.setenv(var, str(tmp_path / var))
    monkeypatch.delenv("NECKA_TIME_SCALE", raising=False)
    return tmp_path


@pytest.fixture
def replies(monkeypatch):
    """Make ``control.ask`` answer from a list (an exception in it is raised) and record requests."""
    sent, answers = [], []

    def ask(paths, command, **args):
        sent.append({"command": command, **args})
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(control, "ask", ask)
    return sent, answers


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def usage_error(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as exit_:
        cli.main(list(argv))
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, f"one line, no usage dump: {err!r}"
    return err.strip()


# -- bad input: argparse, exit 2 -------------------------------------------------------


def _e(command: str, message: str) -> str:
    prog = f"necka-tray {command}".strip()
    return f"{prog}: error: {message} (see {prog} --help)"


@pytest.mark.parametrize("argv, message", [
    (["pause"], _e("pause", "the following arguments are required: DURATION")),
    (["pause", "5x"], _e("pause", "argument DURATION: '5x' is not a duration (examples: 90s, 45m, 1h30m)")),
    (["pause", "30"], _e("pause", "argument DURATION: '30' has no unit: write 30m for minutes, "
                                  "30s for seconds or 30h for hours")),
    (["pause", "25h"], _e("pause", "argument DURATION: '25h' is out of range: use 1m to 24h")),
    (["pause", "30s"], _e("pause", "argument DURATION: '30s' is out of range: use 1m to 24h")),
    (["pause", "-1h"], _e("pause", "argument DURATION: '-1h' is negative: use 1m to 24h")),
    (["pause", "-30m"], _e("pause", "argument DURATION: '-30m' is negative: use 1m to 24h")),
    (["pause", "\u0661\u0662m"], _e("pause", "argument DURATION: '\u0661\u0662m' is not a duration "
                                             "(examples: 90s, 45m, 1h30m)")),
    (["pause", "\uff11\uff12m"], _e("pause", "argument DURATION: '\uff11\uff12m' is not a duration "
                                             "(examples: 90s, 45m, 1h30m)")),
    (["pause", "1_0m"], _e("pause", "argument DURATION: '1_0m' is not a duration (examples: 90s, 45m, 1h30m)")),
    (["pause", "9" * 5000 + "m"], _e("pause", "argument DURATION: '99999999999999999999...' is out of range: "
                                              "use 1m to 24h")),
    (["pause", "until-monday"], _e("pause", "argument DURATION: 'until-monday' is not a duration "
                                            "(examples: 90s, 45m, 1h30m)")),
    (["pause", "1h", "2h"], _e("pause", "unrecognized arguments: 2h")),
    (["snooze", "5h"], _e("snooze", "argument DURATION: '5h' is out of range: use 1m to 4h")),
    (["snooze", "-5m"], _e("snooze", "argument DURATION: '-5m' is negative: use 1m to 4h")),
    # snooze takes whole minutes: its examples are minutes, and 90s is said the way every mistake is
    (["snooze", "soon"], _e("snooze", "argument DURATION: 'soon' is not a duration (examples: 5m, 45m, 1h30m)")),
    (["snooze", "90s"], _e("snooze", "argument DURATION: snooze takes whole minutes, not 90 seconds (example: 10m)")),
    (["status", "--yaml"], _e("status", "unrecognized arguments: --yaml")),
    (["resume", "now"], _e("resume", "unrecognized arguments: now")),
    (["skip", "2"], _e("skip", "unrecognized arguments: 2")),
    (["quit", "-f"], _e("quit", "unrecognized arguments: -f")),
    (["autostart"], _e("autostart", "the following arguments are required: state")),
    (["autostart", "yes"], _e("autostart", "argument state: invalid choice: 'yes' (choose from 'on', 'off', 'status')")),
    (["checkin", "\u0665"], _e("checkin", "argument RATING: '\u0665' is not a rating: use a whole number from "
                                         "0 (no pain) to 10 (worst pain)")),
    (["checkin", "1_0"], _e("checkin", "argument RATING: '1_0' is not a rating: use a whole number from "
                                       "0 (no pain) to 10 (worst pain)")),
    (["checkin", "\uff15"], _e("checkin", "argument RATING: '\uff15' is not a rating: use a whole number from "
                                         "0 (no pain) to 10 (worst pain)")),
    (["stats", "--days", "1_0"], _e("stats", "argument --days: '1_0' is not a whole number of days (example: 30)")),
    # a whole number out of bounds is out of range, whatever its sign or size (issue 27 item 8's class)
    (["stats", "--days", "-1"], _e("stats", "argument --days: '-1' is out of range: use 1 to 3650 days")),
    (["stats", "--days", "0"], _e("stats", "argument --days: '0' is out of range: use 1 to 3650 days")),
    (["stats", "--days", "9" * 40], _e("stats", "argument --days: '99999999999999999999...' is out of range: use 1 "
                                                "to 3650 days")),
    (["stats", "--days", "inf"], _e("stats", "argument --days: 'inf' is not a whole number of days (example: 30)")),
    (["session", "--routine", ""], _e("session", "argument --routine: '' is not a routine id (lower-case letters, "
                                                 "digits and underscores)")),
    (["session", "--routine", "a" * 5000], _e("session", "argument --routine: '" + "a" * 37 + "...' is not a "
                                                         "routine id (lower-case letters, digits and underscores)")),
    (["session", "--routine", "nope"], "necka-tray session: error: argument --routine: unknown routine 'nope'; "
                                       "choose from: neck, "),
    (["session", "--routine", "strengthen"], _e("session", "argument --routine: routine 'strengthen' unlocks after "
                                                           "a week of regular sessions (0 of 5 days)")),
    (["--time-scale", "\u0661\u0662", "status"], _e("", "argument --time-scale: '\u0661\u0662' is not a number "
                                                         "(example: 60)")),
    (["--time-scale", "-1", "status"], _e("", "argument --time-scale: '-1' is out of range: use a number "
                                              "above 0 and at most 3600")),
    (["--time-scale", "0", "status"], _e("", "argument --time-scale: '0' is out of range: use a number "
                                              "above 0 and at most 3600")),
    (["--time-scale", "1e9", "status"], _e("", "argument --time-scale: '1e9' is out of range: use a number "
                                              "above 0 and at most 3600")),
    (["--time-scale", "inf", "status"], _e("", "argument --time-scale: 'inf' is out of range: use a number "
                                              "above 0 and at most 3600")),
    (["--time-scale", "nan", "status"], _e("", "argument --time-scale: 'nan' is out of range: use a number "
                                              "above 0 and at most 3600")),
    (["--time-scale", "-inf", "status"], _e("", "argument --time-scale: '-inf' is out of range: use a number "
                                              "above 0 and at most 3600")),
    (["--time-scale", "-1e9", "status"], _e("", "argument --time-scale: '-1e9' is out of range: use a number "
                                              "above 0 and at most 3600")),
    (["--time-scale=-inf", "status"], _e("", "argument --time-scale: '-inf' is out of range: use a number "
                                            "above 0 and at most 3600")),
    (["--bogus"], _e("", "unrecognized arguments: --bogus")),
    (["stop"], "necka-tray: error: argument COMMAND: invalid choice: 'stop' (choose from 'run', 'session', "),
])
def test_bad_arguments_exit_2_with_one_clear_line(capsys, argv, message):
    line = usage_error(capsys, *argv)
    assert line.startswith(message) if message.endswith(" ") else line == message


def test_snooze_in_seconds_is_refused_before_asking(capsys, replies):
    sent, _ = replies
    message = _e("snooze", "argument DURATION: snooze takes whole minutes, not 90 seconds (example: 10m)")
    assert usage_error(capsys, "snooze", "90s") == message
    assert sent == []


# -- no running Necka: exit 3 (status says so too; stretch opens a window itself) -----------


@pytest.mark.parametrize("argv", [["pause", "1h"], ["pause", "until-tomorrow"], ["resume"], ["snooze"],
                                  ["skip"], ["quit"]])
def test_commands_that_need_a_running_necka_say_so(capsys, argv):
    assert run(capsys, *argv) == (3, "", "necka-tray: Necka is not running (start it with: necka-tray)\n")


def test_status_without_a_running_necka_still_says_where_the_files_are(capsys, user_dirs):
    code, out, err = run(capsys, "status")
    assert code == 3 and err == ""
    lines = out.splitlines()
    assert lines[0] == "Necka is not running."
    assert lines[1] == f"Settings: {user_dirs / 'XDG_CONFIG_HOME' / 'necka-tray' / 'config.toml'}"
    assert lines[2] == f"Data:     {user_dirs / 'XDG_DATA_HOME' / 'necka-tray'}"
    assert lines[3].startswith("Logs:     ") and str(user_dirs / "XDG_STATE_HOME") in lines[3]


def test_status_json_without_a_running_necka(capsys, user_dirs):
    code, out, _ = run(capsys, "status", "--json")
    data = json.loads(out)
    assert code == 3 and data["running"] is False
    assert set(data["paths"]) == {"config", "data", "logs"}


@pytest.fixture
def windows_here(monkeypatch):
    """Every window's ``main``, recording what would open in the command's own process."""
    from necka_tray.windows import checkin, info_window, session_window, stats_window

    opened = []
    for module, name in ((session_window, "session"), (stats_window, "stats"), (checkin, "checkin")):
        monkeypatch.setattr(module, "main", lambda argv=None, name=name: opened.append((name, argv)) or 0)
    monkeypatch.setattr(info_window, "main", lambda page: opened.append(("info", page)) or 0)
    return opened


@pytest.mark.parametrize("argv, here", [
    (["stretch"], ("session", ["--time-scale", "1.0"])),
    (["session"], ("session", ["--time-scale", "1.0"])),
    (["session", "--routine", "shoulders"], ("session", ["--time-scale", "1.0", "--routine", "shoulders"])),
    (["checkin"], ("checkin", [])),
    (["info", "care"], ("info", "care")),
    (["stats", "--window", "--days", "30"], ("stats", ["--days", "30"])),
])
def test_without_a_running_necka_a_window_command_opens_its_window_itself(capsys, windows_here, argv, here):
    assert run(capsys, *argv)[0] == 0
    assert windows_here == [here]


@pytest.mark.parametrize("argv, request_", [
    (["stretch"], {"command": "session"}),
    (["session"], {"command": "session"}),
    (["session", "--routine", "shoulders"], {"command": "session", "routine": "shoulders"}),
    (["checkin"], {"command": "open", "window": "checkin"}),
    (["info", "relief"], {"command": "open", "window": "info", "page": "relief"}),
    (["stats", "--window", "--days", "30"], {"command": "open", "window": "statistics", "days": 30}),
])
def test_with_a_running_necka_every_window_command_goes_through_the_tray(capsys, replies, windows_here, argv,
                                                                        request_):
    sent, answers = replies
    answers.append({"ok": True, "message": "Opened it."})
    assert run(capsys, *argv) == (0, "Opened it.\n", "")
    assert sent == [request_]
    assert windows_here == []  # no second window in this process


@pytest.mark.parametrize("argv", [["session"], ["stretch"], ["checkin"], ["info", "care"],
                                  ["stats", "--window"]])
def test_a_window_command_with_no_display_is_one_line_and_exit_5(capsys, monkeypatch, argv):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    code, out, err = run(capsys, *argv)
    assert (code, out) == (5, "")
    assert err == (f"necka-tray {argv[0]}: no graphical display: DISPLAY is not set. "
                   "Start Necka from your desktop session.\n")


# -- a Necka that answers -----------------------------------------------------------------


def test_requests_carry_the_parsed_arguments(capsys, replies):
    sent, answers = replies
    answers += [{"ok": True, "message": "Paused until 14:30."}] * 4 + [{"ok": True, "message": "x"}] * 3
    assert run(capsys, "pause", "1h30m") == (0, "Paused until 14:30.\n", "")
    run(capsys, "pause", "90s")
    run(capsys, "pause", "until-tomorrow")
    run(capsys, "pause", "Tomorrow")
    run(capsys, "snooze")
    run(capsys, "snooze", "1h")
    run(capsys, "skip")
    assert sent == [{"command": "pause", "minutes": 90.0}, {"command": "pause", "minutes": 1.5},
                    {"command": "pause", "until": "tomorrow"}, {"command": "pause", "until": "tomorrow"},
                    {"command": "snooze", "minutes": 10}, {"command": "snooze", "minutes": 60},
                    {"command": "skip"}]


def test_a_refusal_is_printed_and_exits_1(capsys, replies):
    _, answers = replies
    answers.append({"ok": False, "error": "skip is not supported by this version of Necka"})
    assert run(capsys, "skip") == (1, "", "necka-tray: skip is not supported by this version of Necka\n")


@pytest.mark.parametrize("argv", [["status"], ["stretch"], ["pause", "1h"], ["resume"], ["quit"]])
def test_a_broken_channel_is_one_line_and_exits_1(capsys, replies, argv):
    _, answers = replies
    answers.append(ipc.ControlError("the running Necka refused the key in /run/x/control.key"))
    assert run(capsys, *argv) == (1, "", "necka-tray: the running Necka refused the key in /run/x/control.key\n")


def test_quit_waits_until_the_process_is_gone(capsys, replies, monkeypatch):
    _, answers = replies
    answers += [{"ok": True, "message": "Necka is quitting."}] * 2
    waits = []
    monkeypatch.setattr(instance, "wait_released", lambda paths, timeout: waits.append(timeout) or True)
    assert run(capsys, "quit") == (0, "Necka has quit.\n", "")
    monkeypatch.setattr(instance, "wait_released", lambda paths, timeout: False)
    assert run(capsys, "quit") == (1, "", "necka-tray: Necka was asked to quit but still runs after 15 s\n")
    assert waits == [15.0]


def test_status_prints_state_reminders_and_paths(capsys, replies):
    _, answers = replies
    status = {
        "state": "paused", "tooltip": "Necka: paused until 14:30", "paused_until": "2025-03-03T14:30:00+01:00",
        "session_running": False, "stretch_due": False, "autostart": True, "pid": 42, "tray_backend": "sni",
        "tray": "StatusNotifierItem", "tray_clicks": "left click: stretch session, right click: menu",
        "idle_detection": "none", "quiet_detection": "x11-fullscreen",
        "reminders": {"posture": {"enabled": True, "interval_minutes": 20, "next": None, "minutes_left": None},
                      "shoulder_rolls": {"enabled": False, "interval_minutes": 40},
                      "stretch": {"enabled": True, "interval_minutes": 60, "next": "x", "minutes_left": 42}},
        "paths": {"config": "/c/config.toml", "data": "/d", "logs": "/l"},
    }
    answers += [{"ok": True, "message": "", "status": status}] * 2
    code, out, _ = run(capsys, "status")
    assert code == 0
    assert out.splitlines() == [
        "Necka is running (pid 42, tray: StatusNotifierItem): paused until 14:30.",
        "  Posture check:  paused (every 20 min)",
        "  Shoulder rolls: off (every 40 min)",
        "  Stretch break:  in 42 min (every 60 min)",
        "Idle detection: unavailable on this desktop (reminders count wall-clock time)",
        "Tray icon: left click: stretch session, right click: menu",
        "Start at login: on",
        "Settings: /c/config.toml",
        "Data:     /d",
        "Logs:     /l",
    ]
    code, out, _ = run(capsys, "status", "--json")
    assert json.loads(out) == {"running": True, **status}


def test_each_outcome_of_a_command_has_its_own_documented_exit_code(capsys, replies, monkeypatch):
    # The README's table: 0 done, 1 refused or failed, 2 bad arguments, 3 not running, 4 no answer.
    _, answers = replies
    answers.append({"ok": True, "paused_until": "2026-01-01T10:00:00+00:00"})
    assert run(capsys, "pause", "1h")[0] == 0
    answers.append({"ok": False, "error": "pause is not supported by this version of Necka"})
    assert run(capsys, "pause", "1h")[0] == 1
    with pytest.raises(SystemExit) as bad:
        cli.main(["pause", "soon"])
    assert bad.value.code == 2
    answers.append(ipc.NotRunning("nobody listens"))
    assert run(capsys, "pause", "1h")[0] == 3
    answers.append(ipc.Unanswered("no answer in time"))
    assert run(capsys, "pause", "1h")[0] == 4


def test_status_says_why_necka_is_quiet_and_which_call_signals_it_reads(capsys, replies):
    _, answers = replies
    status = {
        "state": "quiet", "tooltip": "Necka: in a call: microphone in use; posture check waiting",
        "paused_until": None, "session_running": False, "stretch_due": False, "autostart": None, "pid": 7,
        "tray_backend": "xembed", "idle_detection": "x11", "quiet_detection": "x11+dunst",
        "call_detection": "pulse+camera+inhibit", "in_call": True, "quiet_reason": "in a call: microphone in use",
        "reminders": {"posture": {"enabled": True, "interval_minutes": 20, "next": "x", "minutes_left": 0}},
        "paths": {"config": "/c", "data": "/d", "logs": "/l"},
    }
    answers += [{"ok": True, "message": "", "status": status},
                {"ok": True, "message": "", "status": {**status, "call_detection": "none", "in_call": False,
                                                       "quiet_reason": None}}]
    out = run(capsys, "status")[1].splitlines()
    assert out[0] == "Necka is running (pid 7, tray: xembed): in a call: microphone in use; posture check waiting."
    assert "Quiet: in a call: microphone in use" in out and "Call detection: pulse+camera+inhibit" in out
    out = run(capsys, "status")[1].splitlines()
    assert "Call detection: unavailable on this system (reminders are not held for calls)" in out
    assert not [line for line in out if line.startswith("Quiet:")]
