"""Voice guidance end to end: a whole routine spoken through a recording stand-in for ``spd-say``.

The stand-in (first on PATH) appends its arguments to a file, one JSON line per call;
the texts must be the routine's script (``voice.step_script``) in order, each once, in the
user's language, and the session must take as long as it does without a voice.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from necka_tray.core.routine import builtin_routines
from necka_tray.windows.palette import DEFAULT
from necka_tray.windows.voice import step_script

from . import xdesk
from .test_session_window import NAME, count_colour, finish, no_session_window, shot_when, start, wait_focused

NECK = builtin_routines()["neck"]
SCALE = 4

STANDIN = """#!{python}
import json, os, sys
with open(os.environ["NECKA_SPOKEN"], "a") as f:
    f.write(json.dumps(sys.argv[1:]) + "\\n")
"""


def expected_script() -> list[str]:
    said, last = [], None
    for i in range(len(NECK.steps)):
        s = step_script(NECK, i)
        said.append(s.start if last is None else f"{last.end} {s.start}")
        said.extend(text for _, text in s.countdown)
        last = s
    return [*said, last.end]


def recording_engine(tmp_path: Path) -> Path:
    """A folder holding the recording stand-in for ``spd-say``, to put first on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    standin = bin_dir / "spd-say"
    standin.write_text(STANDIN.format(python=sys.executable))
    standin.chmod(0o755)
    return bin_dir


def with_voice(app_env: dict, tmp_path: Path, path: str) -> dict:
    config = Path(app_env["XDG_CONFIG_HOME"]) / "necka-tray" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[session]\nvoice = true\n")
    return dict(app_env, PATH=path, NECKA_SPOKEN=str(tmp_path / "spoken.jsonl"), LANGUAGE="en")


def test_a_whole_routine_is_spoken_and_keeps_its_time(desktop, app_env, spawn, tmp_path):
    bin_dir = recording_engine(tmp_path)
    env = with_voice(app_env, tmp_path, f"{bin_dir}:{app_env['PATH']}")
    proc = start(spawn, env, "--time-scale", str(SCALE), "--no-record")
    desktop.wait_window(NAME)
    result = finish(proc, timeout=60)
    assert (result["outcome"], result["steps_done"]) == ("completed", 6)
    # The clock is not held up by speaking: the same bounds as without a voice.
    assert 110 / SCALE - 0.1 <= result["duration_s"] <= 110 / SCALE + 1

    spoken = tmp_path / "spoken.jsonl"
    want = expected_script()
    xdesk.wait_for(lambda: spoken.exists() and len(spoken.read_text().splitlines()) >= len(want), 5,
                   what="every text handed to the engine")
    calls = [json.loads(line) for line in spoken.read_text().splitlines()]
    assert all(call[:2] == ["-l", "en"] for call in calls), calls
    assert [call[2] for call in calls] == want


def test_no_engine_is_said_once_and_the_session_runs_on(desktop, app_env, spawn, tmp_path, shot):
    empty = tmp_path / "empty"
    empty.mkdir()
    env = with_voice(app_env, tmp_path, str(empty))  # no spd-say, espeak-ng, say or powershell
    xdesk.wait_for(lambda: no_session_window(app_env), 5, what="no session window left over")
    proc = spawn([sys.executable, "-m", "necka_tray.windows.session_window", "--time-scale", "30", "--no-record"],
                 env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wid = desktop.wait_window(NAME)
    wait_focused(app_env, wid)
    # The notice is the one text in the warning colour while the session runs.
    shot_when(shot, "no-engine", wid, lambda p: count_colour(p, DEFAULT.paused) > 100, "the notice shown")
    result = finish(proc, timeout=30)
    assert (result["outcome"], result["steps_done"]) == ("completed", 6)
    assert not (tmp_path / "spoken.jsonl").exists()


def test_the_v_key_turns_the_voice_on_mid_session(desktop, app_env, spawn, tmp_path):
    bin_dir = recording_engine(tmp_path)
    env = dict(app_env, PATH=f"{bin_dir}:{app_env['PATH']}", NECKA_SPOKEN=str(tmp_path / "spoken.jsonl"))
    proc = start(spawn, env, "--time-scale", "2", "--no-record")  # session.voice is off by default
    wid = desktop.wait_window(NAME)
    wait_focused(env, wid)
    spoken = tmp_path / "spoken.jsonl"
    assert not spoken.exists()
    desktop.key("v")
    xdesk.wait_for(lambda: spoken.exists() and spoken.read_text().strip(), 5, what="the step spoken after V")
    first = json.loads(spoken.read_text().splitlines()[0])[-1]
    assert first == step_script(NECK, 0).start
    desktop.key("Escape")
    assert finish(proc)["outcome"] == "stopped"


def test_the_first_use_note_is_spoken_and_says_which_key_goes_on(desktop, app_env, spawn, tmp_path):
    from necka_tray.texts import care
    from necka_tray.windows.voice import safety_script

    (Path(app_env["XDG_DATA_HOME"]) / "necka-tray" / "state.json").unlink()  # a first session: the note shows
    bin_dir = recording_engine(tmp_path)
    env = with_voice(app_env, tmp_path, f"{bin_dir}:{app_env['PATH']}")
    proc = start(spawn, env, "--time-scale", "2", "--no-record")
    wid = desktop.wait_window(NAME)
    wait_focused(env, wid)
    spoken = tmp_path / "spoken.jsonl"
    xdesk.wait_for(lambda: spoken.exists() and spoken.read_text().strip(), 5, what="the note spoken")
    note = json.loads(spoken.read_text().splitlines()[0])[-1]
    assert note == safety_script(care.first_use())
    assert note.startswith("Before you start") and note.endswith("press Enter to start.")
    assert "never into pain" in note and "healthcare professional" in note
    desktop.key("space")  # the session's pause key: on the note it only says again which key goes on
    xdesk.wait_for(lambda: len(spoken.read_text().splitlines()) >= 2, 5, what="the key said again")
    assert json.loads(spoken.read_text().splitlines()[1])[-1] == "When you are ready, press Enter to start."
    desktop.key("Return")  # as the voice said: the session starts, and its first step is spoken
    xdesk.wait_for(lambda: len(spoken.read_text().splitlines()) >= 3, 5, what="the first step spoken")
    assert json.loads(spoken.read_text().splitlines()[2])[-1] == step_script(NECK, 0).start
    desktop.key("Escape")
    assert finish(proc)["outcome"] == "stopped"
