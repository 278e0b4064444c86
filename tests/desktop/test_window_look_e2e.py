"""Every window wears the user's look: ``session.theme`` and ``session.text_scale`` reach the
statistics and check-in windows too (they come from one base, ``windows/base.py``).

Each window is opened twice, in the default look at text scale 1 and in the high-contrast
look at 1.5; the screenshots (test-artifacts/) show both, and the checks are the background
colour of each look and a window that grew with its text.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageColor

from necka_tray.windows.palette import DEFAULT, HIGH_CONTRAST

from . import xdesk

WINDOWS = {
    "stats": (["stats", "--window"], "^Necka .+ Statistics$"),
    "checkin": (["checkin"], "^Necka .+ Neck check-in$"),
}


def share(png: Path, colour: str) -> float:
    """The share of the picture's pixels that are exactly ``colour``."""
    rgb = ImageColor.getrgb(colour)
    with Image.open(png) as im:
        colours = im.convert("RGB").getcolors(1 << 22)
    total = sum(n for n, _ in colours)
    return sum(n for n, c in colours if c == rgb) / total


def open_window(desktop, env, spawn, shot, which: str, name: str):
    args, title = WINDOWS[which]
    xdesk.wait_for(lambda: subprocess.run(["xdotool", "search", "--onlyvisible", "--name", title], env=env,
                                          capture_output=True).returncode != 0, 10, what="no window left over")
    proc = spawn([sys.executable, "-m", "necka_tray", *args], env, stdout=subprocess.DEVNULL,
                 stderr=subprocess.PIPE, text=True)
    wid = desktop.wait_window(title, timeout=15)
    xdesk.wait_for(lambda: int(xdesk.run(env, "xdotool", "getwindowfocus")) == wid, 5, what=f"{which} focused")
    geo = desktop.window_geometry(wid)
    png = shot(name, window=wid)
    desktop.key("Escape")
    proc.wait(10)
    return geo, png


@pytest.mark.parametrize("which", sorted(WINDOWS))
def test_theme_and_text_scale_reach_the_window(desktop, app_env, spawn, shot, which):
    plain_geo, plain = open_window(desktop, app_env, spawn, shot, which, "default")
    config = Path(app_env["XDG_CONFIG_HOME"]) / "necka-tray" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[session]\ntheme = "high-contrast"\ntext_scale = 1.5\n')
    big_geo, big = open_window(desktop, app_env, spawn, shot, which, "high-contrast-1.5")

    # The calm look's sage background; the high-contrast look has none of it, and black text.
    # (The statistics chart is a picture in its own colours, in both looks.)
    assert share(plain, DEFAULT.bg) > 0.15
    assert share(big, DEFAULT.bg) == 0 and share(big, HIGH_CONTRAST.text) > 0.005
    assert big_geo.y + big_geo.h <= 800, big_geo  # larger text, still on the screen
    assert big_geo.w > plain_geo.w * 1.15, (plain_geo, big_geo)  # (the statistics table scrolls to fit)
