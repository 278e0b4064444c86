"""Calls and typing on the real desktop (issue 13): a real PulseAudio server with a null source,
``parecord`` as the "call", a stub idle inhibitor on the private bus, and xdotool typing.

Scale 60: a configured minute is a real second; the posture check every 10 s. The natural
break is set to an hour (a minute here), so the test's user is never "away" meanwhile.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from . import xdesk
from .necka_app import docked

DATA = Path(__file__).parents[1] / "data" / "calls"
CONFIG = """[reminders.stretch]\nenabled = false\n[reminders.shoulder_rolls]\nenabled = false\n
[reminders.posture]\ninterval_minutes = 10\n[idle]\nnatural_break_minutes = 60\n"""


def necka_tray(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "necka_tray", *args], env=env, capture_output=True, text=True,
                          timeout=30)


def write_config(env: dict) -> None:
    config = Path(env["XDG_CONFIG_HOME"]) / "necka-tray" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(CONFIG)


def answers(env, *args) -> bool:
    return subprocess.run(args, env=env, capture_output=True, timeout=10).returncode == 0


@pytest.fixture
def pulse(app_env, spawn, tmp_path):
    """A PulseAudio server of the test user's own (its runtime dir), with a null sink and a null
    source "mic": no sound card, nothing audible."""
    log = (tmp_path / "pulseaudio.log").open("w")
    server = spawn(["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "-n", "--disallow-exit",
                    "--load=module-native-protocol-unix", "--load=module-null-sink sink_name=speaker",
                    "--load=module-null-source source_name=mic", "--log-target=stderr"], app_env,
                   stdout=log, stderr=subprocess.STDOUT)
    xdesk.wait_for(lambda: server.poll() is None and answers(app_env, "pactl", "info"), 15,
                   what="pulseaudio answering")
    return server


def source_outputs(env) -> list:
    done = subprocess.run(["pactl", "-f", "json", "list", "source-outputs"], env=env, capture_output=True,
                          text=True, timeout=10)
    return json.loads(done.stdout or "[]")


def catch_up(desktop):
    return [n for n in desktop.notifications() if n["body"].startswith("You were in a call for ")]


def test_a_recording_holds_the_posture_check_until_it_stops(desktop, pulse, app_env, spawn, start_necka, shot):
    write_config(app_env)
    recorder = spawn(["parecord", "--device=mic", "/dev/null"], app_env)
    xdesk.wait_for(lambda: source_outputs(app_env), 10, what="parecord recording")
    desktop.clear_notifications()
    necka = start_necka("--time-scale", "60")
    icon = docked(desktop, necka)
    necka.wait_log(r"action=hold kind=posture", timeout=30)
    text = necka_tray(app_env, "status")
    assert text.returncode == 0, text.stderr
    assert "in a call: microphone in use" in text.stdout
    assert "Call detection: " in text.stdout and "pulse" in text.stdout
    status = json.loads(necka_tray(app_env, "status", "--json").stdout)
    assert status["in_call"] is True and status["quiet_reason"] == "in a call: microphone in use"
    title = xdesk.wait_for(lambda: (t := xdesk.window_name(desktop.env, icon.wid)).startswith("Necka: in a call") and t,
                           10, what="the in-a-call tooltip")
    assert "microphone in use" in title
    assert desktop.notifications() == [], "nothing may interrupt the call"
    recorder.terminate()
    recorder.wait(5)
    got = xdesk.wait_for(lambda: catch_up(desktop), 60, what="the catch-up bubble after the call")
    assert got[0]["summary"] == "Posture check"
    assert got[0]["body"].endswith("Check your posture now?")
    assert "action=call-ended" in necka.log_text()
    shot("after-call")


def test_an_idle_inhibitor_holds_reminders_the_same_way(desktop, app_env, spawn, start_necka):
    write_config(app_env)
    stub = spawn([sys.executable, str(DATA.parent / "bus_stub.py"), "gnome"], app_env, stdout=subprocess.PIPE,
                 text=True)
    assert stub.stdout.readline().strip() == "ready"
    desktop.clear_notifications()
    necka = start_necka("--time-scale", "60")
    docked(desktop, necka)
    necka.wait_log(r"action=hold kind=posture", timeout=30)
    status = json.loads(necka_tray(app_env, "status", "--json").stdout)
    assert status["quiet_reason"] == "in a call: an app keeps the session awake"
    assert desktop.notifications() == []
    stub.kill()
    stub.wait(5)
    got = xdesk.wait_for(lambda: catch_up(desktop), 60, what="the catch-up bubble after the inhibitor went")
    assert got[0]["summary"] == "Posture check"


def test_a_bubble_waits_for_the_end_of_the_sentence(desktop, app_env, spawn, start_necka):
    # Scale 6: the posture check every 5 minutes is 50 s; the longest wait for a lull (2 minutes)
    # is 20 s, the lull itself 5 real seconds.
    config = Path(app_env["XDG_CONFIG_HOME"]) / "necka-tray" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[reminders.stretch]\nenabled = false\n[reminders.shoulder_rolls]\nenabled = false\n"
                      "[reminders.posture]\ninterval_minutes = 5\n")
    desktop.clear_notifications()
    necka = start_necka("--time-scale", "6")
    docked(desktop, necka)
    necka.wait_log(r"action=add job=posture")
    due = necka.next_run("posture")
    time.sleep(max(0.0, (due - datetime.now(timezone.utc)).total_seconds() - 5))  # until 5 s before it is due
    started = time.monotonic()
    # 150 characters, ~0.1 s each (xdotool splits --delay between key down and up): ~15 s of typing,
    # from 5 s before the posture check is due.
    sentence = "Dear team, the quarterly numbers look fine and I will send the full report tomorrow " \
               "morning once the last figures are in; thanks for your patience."
    typist = spawn(["xdotool", "type", "--delay", "200", "--", sentence], desktop.env)
    while typist.poll() is None:  # until the typing ends: never a bubble mid-sentence
        assert desktop.notifications() == [], f"a bubble arrived while typing ({time.monotonic() - started:.1f} s)"
        time.sleep(0.2)
    stopped = time.monotonic()
    assert "action=hold kind=posture reason=typing" in necka.log_text(), "the due time was not within the typing"
    got = xdesk.wait_for(lambda: desktop.notifications(), 30, what="the posture check after the typing")
    waited = time.monotonic() - stopped
    assert got[0]["summary"] == "Posture check"
    assert waited >= 3, f"the bubble came {waited:.1f} s after the last key: no lull was awaited"
