"""The stretch-session window on the headless desktop: keys, screenshots,
the JSON line it prints and the history row it leaves.

The interactive tests run at ``--time-scale 2`` rather than 30: at 30 the
first 15 s step lasts half a real second, shorter than ``xdotool search
--sync`` polls, so "a screenshot of the first step" would be a race. The
unattended run to the end uses 30.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageChops
from Xlib import X
from Xlib.protocol import event as xevent

from necka_tray.store.history import History
from necka_tray.windows import illustrations
from necka_tray.windows.palette import DEFAULT
from necka_tray.children import protocol

from . import xdesk

NAME = "Stretch session"
JSON_KEYS = {"v", "event", "outcome", "steps_done", "steps_total", "routine", "duration_s", "started", "ended",
             "checkin"}  # protocol.SessionEnd


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def count_colour(png: Path, colour: str, tolerance: int = 12) -> int:
    """Pixels within ``tolerance`` of ``colour`` (text is anti-aliased; its core is exact)."""
    with Image.open(png) as im:
        bands = im.convert("RGB").split()
    masks = [band.point(lambda v, c=c: 255 if abs(v - c) <= tolerance else 0)
             for band, c in zip(bands, hex_rgb(colour))]
    both = ImageChops.multiply(ImageChops.multiply(masks[0], masks[1]), masks[2])
    return both.histogram()[255]


def wait_focused(env, wid: int) -> None:
    """The window takes the keyboard focus itself when it opens; keys typed before
    Tk has handled its Map event would go nowhere."""
    xdesk.wait_for(lambda: int(xdesk.run(env, "xdotool", "getwindowfocus")) == wid, 5,
                   what="session window focused")


def shot_when(shot, name: str, wid: int, predicate, what: str) -> Path:
    """Screenshot until ``predicate(png)`` holds (the window redraws on its own schedule)."""
    def attempt():
        png = shot(name, window=wid)
        return png if predicate(png) else None
    return xdesk.wait_for(attempt, 5, what=what)


def no_session_window(env) -> bool:
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", NAME], env=env,
                           capture_output=True, timeout=10)
    return found.returncode != 0


def start(spawn, env, *args):
    # A finished client's windows can outlive it by a moment, and the X server
    # reuses window ids: wait until the last test's window is gone, so the window
    # found next is this test's.
    xdesk.wait_for(lambda: no_session_window(env), 5, what="no session window left over")
    return spawn([sys.executable, "-m", "necka_tray.windows.session_window", *args], env,
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc, timeout=15) -> dict:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"the window was still open after {timeout} s; stderr:\n{err}") from None
    assert proc.returncode == 0, err
    lines = out.splitlines()
    assert len(lines) == 1, out
    result = json.loads(lines[0])
    assert set(result) == JSON_KEYS
    assert result["event"] == "session_end"
    assert isinstance(protocol.decode(lines[0]), protocol.SessionEnd)  # what the tray reads
    return result


def history_sessions(env) -> list:
    path = Path(env["XDG_DATA_HOME"]) / "necka-tray" / "history.sqlite3"
    assert path.stat().st_mode & 0o777 == 0o600
    with History(path) as h:
        return h.events("session")


def assert_recorded(env, result) -> None:
    (row,) = history_sessions(env)
    for key in ("outcome", "steps_done", "steps_total", "routine"):
        assert row.data[key] == result[key]
    assert abs(row.data["duration_s"] - result["duration_s"]) <= 0.1


def test_pause_skip_and_stop(desktop, app_env, spawn, shot):
    proc = start(spawn, app_env, "--time-scale", "2")
    wid = desktop.wait_window(NAME)
    geo = desktop.window_geometry(wid)
    assert 480 <= geo.w <= 800 and 500 <= geo.h <= 720, geo  # fits a 1366x768 laptop
    assert geo.x >= 0 and geo.y >= 0 and geo.x + geo.w <= 1280 and geo.y + geo.h <= 800

    wait_focused(app_env, wid)  # raised and focused without a click
    # Drawn (the Pause button, the step label, the picture's arrow), and running.
    first = shot_when(shot, "1-first-step", wid,
                      lambda p: count_colour(p, DEFAULT.accent) > 500 and count_colour(p, illustrations.CALM.accent) > 50,
                      "first step drawn")
    assert count_colour(first, DEFAULT.paused) == 0

    desktop.key("space")
    paused = shot_when(shot, "2-paused", wid, lambda p: count_colour(p, DEFAULT.paused) > 200,
                       "paused countdown drawn")
    before = Image.open(paused).tobytes()

    desktop.key("Right", "Right", "Right")
    shot_when(shot, "3-skipped-to-step-4", wid,
              lambda p: Image.open(p).tobytes() != before and count_colour(p, DEFAULT.paused) > 200,
              "step 4 drawn, still paused")

    desktop.key("Escape")
    result = finish(proc)
    assert result["outcome"] == "stopped"
    assert (result["steps_done"], result["steps_total"], result["routine"]) == (0, 6, "neck")
    assert 0 < result["duration_s"] < 60
    assert_recorded(app_env, result)


def test_runs_to_the_end_and_closes_itself(desktop, app_env, spawn):
    proc = start(spawn, app_env, "--time-scale", "30")
    desktop.wait_window(NAME)
    result = finish(proc, timeout=30)  # 110 s / 30, then "Well done" for 10 s / 30
    assert (result["outcome"], result["steps_done"], result["steps_total"]) == ("completed", 6, 6)
    assert 110 / 30 - 0.1 <= result["duration_s"] <= 110 / 30 + 3
    assert_recorded(app_env, result)


def test_well_done_screen(desktop, app_env, spawn, shot):
    proc = start(spawn, app_env, "--time-scale", "2")
    wid = desktop.wait_window(NAME)
    wait_focused(app_env, wid)
    # Every exercise drawing has a coral arrow; the "Well done" screen has none.
    arrow = illustrations.CALM.accent
    shot_when(shot, "0-exercise", wid, lambda p: count_colour(p, arrow) > 50, "first step drawn")
    desktop.key(*["Right"] * 6)
    shot_when(shot, "well-done", wid, lambda p: count_colour(p, arrow) == 0, "Well done shown")
    desktop.key("Return")
    result = finish(proc)
    assert (result["outcome"], result["steps_done"], result["steps_total"]) == ("completed", 0, 6)
    assert_recorded(app_env, result)


def close_like_a_window_manager(env, wid: int) -> None:
    with xdesk._xconn(env) as d:
        win = d.create_resource_object("window", wid)
        protocols = d.intern_atom("WM_PROTOCOLS")
        message = xevent.ClientMessage(
            window=win, client_type=protocols,
            data=(32, [d.intern_atom("WM_DELETE_WINDOW"), X.CurrentTime, 0, 0, 0]))
        win.send_event(message, event_mask=X.NoEventMask)
        # A round trip, not just flush(): python-xlib can close the connection
        # with the request still unsent (seen under load), and the close is lost.
        d.sync()


def test_window_manager_close_counts_as_stopped(desktop, app_env, spawn):
    proc = start(spawn, app_env, "--time-scale", "2")
    wid = desktop.wait_window(NAME)
    wait_focused(app_env, wid)  # as a person would: the window is up before they click
    close_like_a_window_manager(app_env, wid)
    result = finish(proc)
    assert (result["outcome"], result["steps_done"]) == ("stopped", 0)
    assert_recorded(app_env, result)


def test_sigterm_stops_cleanly_and_no_record_writes_nothing(desktop, app_env, spawn):
    proc = start(spawn, app_env, "--time-scale", "2", "--no-record")
    desktop.wait_window(NAME)
    proc.send_signal(signal.SIGTERM)
    result = finish(proc)
    assert result["outcome"] == "stopped"
    assert not (Path(app_env["XDG_DATA_HOME"]) / "necka-tray" / "history.sqlite3").exists()


def test_bad_arguments_fail_before_any_window(app_env):
    for args in (["--time-scale", "0"], ["--time-scale", "fast"], ["--routine", "nope"]):
        done = subprocess.run([sys.executable, "-m", "necka_tray.windows.session_window", *args],
                              env=app_env, capture_output=True, text=True, timeout=30)
        assert done.returncode == 2 and done.stdout == "", (args, done.stderr)
    env = dict(app_env, NECKA_TIME_SCALE="-1")
    done = subprocess.run([sys.executable, "-m", "necka_tray.windows.session_window"],
                          env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "NECKA_TIME_SCALE" in done.stderr


def test_a_session_in_a_terminal_says_each_problem_once_and_prints_no_result_line(desktop, app_env, spawn):
    # As a user runs it: `necka-tray session` in a terminal (a pty), a broken routines.toml and a
    # default routine that names none, then Ctrl+C's cousin SIGTERM.
    import os
    import pty

    folder = Path(app_env["XDG_CONFIG_HOME"]) / "necka-tray"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "routines.toml").write_text("[[routine]] bad\n")
    (folder / "config.toml").write_text('[session]\ndefault_routine = "nope"\n')
    terminal, tty = pty.openpty()
    xdesk.wait_for(lambda: no_session_window(app_env), 5, what="no session window left over")
    proc = spawn([sys.executable, "-m", "necka_tray", "session", "--time-scale", "2"], app_env,
                 stdout=tty, stderr=subprocess.PIPE, text=True)
    os.close(tty)
    try:
        desktop.wait_window(NAME)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
        shown = b""
        while True:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:  # the pty's other end closed: all read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(terminal)
    assert proc.returncode == 0, err
    assert b'"event"' not in shown, shown  # the result line is for the tray, never for a person
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert all(line.startswith("necka-tray: ") for line in lines), err
    assert sum("routines.toml: line 1" in line for line in lines) == 1
    assert sum("session.default_routine = 'nope' names no routine" in line for line in lines) == 1
    assert [row.data["routine"] for row in history_sessions(app_env)] == ["neck"]  # no tray: the window records it
