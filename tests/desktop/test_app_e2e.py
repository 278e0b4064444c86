"""Necka as a user meets it: its own process, a real tray, real clicks, real notifications.

Every test starts ``python -m necka_tray`` with fresh per-user dirs on the
shared Xvfb desktop (see conftest.py) and talks to it only as a person or
the desktop would: clicks and keys through xdotool, notifications read from
dunst, files in the user's folders.
"""

from __future__ import annotations

import re
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from . import xdesk
from .necka_app import docked, downs_to, menus, wait_menu


@pytest.mark.smoke  # also on the oldest libraries (scripts/test)
def test_icon_docks_shows_a_tooltip_and_never_loads_tkinter(desktop, start_necka, shot):
    necka = start_necka("--time-scale", "1")
    icon = docked(desktop, necka)
    assert 16 <= icon.w <= 64 and 16 <= icon.h <= 64
    shot("icon-docked")
    # Hover: the tooltip ("Necka: stretch break in 60 min") shows in a popup window.
    subprocess.run(["xdotool", "mousemove", str(icon.center[0]), str(icon.center[1])], env=desktop.env, check=True)
    xdesk.wait_for(lambda: desktop.popups(), 5, what="tooltip popup")
    shot("tooltip")
    necka.wait_log(r"action=add job=stretch minutes=60")
    maps = Path(f"/proc/{necka.proc.pid}/maps").read_text()
    assert "libtk" not in maps and "_tkinter" not in maps, "the tray process must never load Tk"
    assert necka.stderr.read_text() == ""


@pytest.mark.smoke  # also on the oldest libraries (scripts/test)
def test_posture_check_notification_reaches_dunst(desktop, start_necka, active_user):
    # Scale 240: the 20-minute posture interval lasts five seconds (a user is typing meanwhile).
    necka = start_necka("--time-scale", "240")
    docked(desktop, necka)
    received = xdesk.wait_for(
        lambda: [n for n in desktop.notifications() if n["summary"] == "Posture check"], 15,
        what="a posture-check notification")
    assert "feet flat" in received[0]["body"]
    assert received[0]["appname"] == "Necka"
    # Recorded right after the bubble is sent: wait for the file, not for luck.
    recorded = xdesk.wait_for(lambda: necka.history("reminder"), 10, what="the reminder in the history")
    assert recorded[0]["reminder"] == "posture"


@pytest.mark.smoke  # also on the oldest libraries (scripts/test)
def test_left_click_runs_a_stretch_session_to_the_end(desktop, start_necka, shot, active_user):
    # Scale 10: the ~2-minute routine takes about 12 s; reminders stay minutes away.
    necka = start_necka("--time-scale", "10")
    icon = docked(desktop, necka)
    necka.wait_log(r"action=add job=stretch")
    before = necka.next_run("stretch")
    desktop.click(*icon.center)
    wid = desktop.wait_window("^Necka .+ Stretch session$", timeout=30)
    xdesk.wait_for(lambda: desktop.window_geometry(wid).w > 300, 10, what="the session window laid out")
    shot("session-window", window=wid)
    necka.wait_log(r"action=session-end outcome=completed", timeout=60)
    ended = time.time()
    sessions = necka.history("session")
    assert sessions and sessions[-1]["outcome"] == "completed"
    assert sessions[-1]["steps_done"] == sessions[-1]["steps_total"] >= 6
    # Finishing restarts the stretch countdown from that moment (60 min / 10 = 6 min real).
    after = xdesk.wait_for(lambda: necka.next_run("stretch") if necka.next_run("stretch") != before else None, 5,
                           what="the stretch job retimed")
    expected = datetime.fromtimestamp(ended, timezone.utc) + timedelta(minutes=6)
    assert abs(after - expected) < timedelta(seconds=10)


def test_menu_sets_the_break_interval_to_45_minutes(desktop, start_necka, shot):
    necka = start_necka()
    icon = docked(desktop, necka)
    necka.wait_log(r"action=add job=stretch minutes=60")
    before = necka.next_run("stretch")
    desktop.click(*icon.center, button=3)
    wait_menu(desktop)  # drawn, and holding the keyboard
    shot("menu")
    # Break interval (status lines are disabled: skipped) ▸ 20, 30, 45. Keys reach the
    # menu in order: Right has opened the submenu before the next Down is read.
    desktop.key(*["Down"] * downs_to("Break interval"), "Right", "Down", "Down")
    xdesk.wait_for(lambda: len(menus(desktop)) == 2, 10, what="the Break interval submenu")
    shot("break-interval-submenu")
    desktop.key("Return")
    necka.wait_log(r"action=menu choice=interval args=\[45\]")  # logged as the choice is taken ...
    xdesk.wait_for(lambda: re.search(r"\[reminders\.stretch\][^\[]*interval_minutes = 45", necka.config.read_text()),
                   10, what="45 minutes saved in config.toml")  # ... then saved
    after = xdesk.wait_for(lambda: necka.next_run("stretch") if necka.next_run("stretch") != before else None, 5,
                           what="the stretch job retimed")
    assert abs((before - after) - timedelta(minutes=15)) < timedelta(seconds=5)


def test_broken_config_names_the_key_starts_and_keeps_the_file(desktop, start_necka, app_env):
    config = Path(app_env["XDG_CONFIG_HOME"]) / "necka-tray" / "config.toml"
    config.parent.mkdir(parents=True)
    original = b"# mine\n[reminders.posture]\ninterval_minutes = -5\n[reminders.stretch]\ninterval_minutes = 30\n"
    config.write_bytes(original)
    necka = start_necka()
    docked(desktop, necka)
    necka.wait_log(r"action=add job=stretch minutes=30")  # the valid part is used
    assert re.search(r"reminders\.posture\.interval_minutes.*5 to 240", necka.stderr.read_text())
    assert config.read_bytes() == original
    bubble = xdesk.wait_for(lambda: [n for n in desktop.notifications() if n["summary"] == "Necka settings"], 10,
                            what="the settings notification")
    assert "reminders.posture.interval_minutes" in bubble[0]["body"]


def test_no_display_is_one_clear_line(start_necka, app_env):
    env = {k: v for k, v in app_env.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    necka = start_necka(env=env)
    assert necka.proc.wait(30) == 5  # the README's "cannot run here", not 3 ("no Necka is running")
    err = necka.stderr.read_text().strip()
    assert err == "necka-tray: no graphical display: DISPLAY is not set. Start Necka from your desktop session."


def test_without_pygobject_the_xembed_icon_still_works(desktop, start_necka, app_env, tmp_path):
    # A 'gi' that cannot be imported, as on a system without PyGObject: an XEmbed tray
    # needs no toolkit in the tray process (only AppIndicator trays need PyGObject; the
    # refusal with the fix there is covered in tests/unit/test_platform_linux.py).
    fake = tmp_path / "nogi"
    (fake / "gi").mkdir(parents=True)
    (fake / "gi" / "__init__.py").write_text("raise ImportError('No module named gi')\n")
    env = dict(app_env, PYTHONPATH=str(fake))
    env.pop("PYSTRAY_BACKEND", None)
    necka = start_necka(env=env)
    docked(desktop, necka)
    necka.wait_log(r"action=start backend=xembed")
    assert necka.proc.poll() is None and necka.stderr.read_text() == ""
