"""Windows open on the monitor that holds the pointer, never across two (issue 13, "the right monitor").

A desktop of two 1280x800 monitors side by side, joined by Xinerama (``two_screens``);
the pointer is parked in the middle of one, each window opened, and its geometry must lie
within that monitor.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from necka_tray.store.state import SAFETY_SEEN, WindowMemory
from necka_tray.windows.monitors import Rect

from . import xdesk
from .session import user_env

WINDOWS = {
    "session": (["-m", "necka_tray.windows.session_window", "--time-scale", "2", "--no-record"],
                "Stretch session"),
    "stats": (["-m", "necka_tray", "stats", "--window"], "^Necka .+ Statistics$"),
    "checkin": (["-m", "necka_tray", "checkin"], "^Necka .+ Neck check-in$"),
    "info": (["-m", "necka_tray", "info", "care"], "^Necka .+ When to see a professional$"),
}
MONITORS = [Rect(0, 0, 1280, 800), Rect(1280, 0, 1280, 800)]


@pytest.mark.parametrize("screen", [0, 1])
@pytest.mark.parametrize("which", sorted(WINDOWS))
def test_the_window_opens_on_the_pointers_monitor(two_screens, tmp_path, spawn, which, screen):
    env = user_env(two_screens.env, tmp_path)
    WindowMemory(tmp_path / "data" / "necka-tray" / "state.json").update(**{SAFETY_SEEN: "2000-01-01"})
    args, title = WINDOWS[which]
    xdesk.wait_for(lambda: subprocess.run(["xdotool", "search", "--onlyvisible", "--name", title], env=env,
                                          capture_output=True).returncode != 0, 10, what="no window left over")
    monitor = MONITORS[screen]
    xdesk.move(env, monitor.x + 300, 500)
    proc = spawn([sys.executable, *args], env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wid = two_screens.wait_window(title, timeout=15)
    geo = two_screens.window_geometry(wid)
    try:
        assert monitor.holds(Rect(geo.x, geo.y, geo.w, geo.h)), (monitor, geo)
        # Centred across it, not just somewhere on it.
        assert abs((geo.x + geo.w / 2) - (monitor.x + monitor.width / 2)) <= 2, geo
    finally:
        xdesk.wait_for(lambda: int(xdesk.run(env, "xdotool", "getwindowfocus")) == wid, 5, what="focused")
        two_screens.key("Escape")
        proc.wait(15)
