"""Sitting time on a real desktop: Xvfb's idle counter, a full-screen window, the tray's states.

Input comes from xdotool (Shift presses), so the X server's MIT-SCREEN-SAVER
idle counter, which Necka reads, behaves as with a person at the keyboard.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from . import xdesk
from .necka_app import docked, open_menu_item, wait_menu

FIXTURES = Path(__file__).parent / "fixtures"


def hover_tooltip(desktop, icon, shot, name):
    desktop.move(10, 790)  # away and back: a real enter
    desktop.move(*icon.center)
    xdesk.wait_for(lambda: [p for p in desktop.popups() if p.kind != "POPUP_MENU"], 5, what="tooltip")
    shot(name)


def test_reminders_reach_a_typing_user_and_never_an_absent_one(desktop, start_necka, shot):
    # Scale 120: posture every 10 s, a natural break after 2.5 s without input.
    necka = start_necka("--time-scale", "120")
    docked(desktop, necka)
    necka.wait_log(r"action=idle-source name=x11")
    with xdesk.keep_active(desktop.env):
        xdesk.wait_for(lambda: [n for n in desktop.notifications() if n["summary"] == "Posture check"], 20,
                       what="a posture check for the typing user")
    # Hands off the keyboard: after 2.5 s the user is away; reminders due meanwhile stay silent.
    necka.wait_log(r"action=away since=", timeout=10)
    desktop.clear_notifications()
    necka.wait_log(r"action=suppress kind=posture", timeout=20)  # a posture check (10 s) fell due while away
    assert desktop.notifications() == []
    assert xdesk.idle_ms(desktop.env) > 2_500  # still away: no input since the away threshold
    # Back at the keyboard: a natural break is recorded, the countdowns restart, nothing fires at once:
    # the next posture check comes a whole interval (10 s) after the return, not sooner.
    with xdesk.keep_active(desktop.env):
        necka.wait_log(r"action=restart reason=natural-break", timeout=10)
        back = time.monotonic()
        breaks = xdesk.wait_for(lambda: necka.history("natural_break"), 10, what="the natural break recorded")
        assert breaks[-1]["minutes"] >= 0.2  # real minutes: 12+ s away
        xdesk.wait_for(lambda: [n for n in desktop.notifications() if n["summary"] == "Posture check"], 20,
                       what="a posture check after the return")
        assert time.monotonic() - back >= 8, "a reminder fired right after the return"


def test_tray_says_away_while_the_user_is_gone(desktop, start_necka, app_env, shot):
    # Scale 10 with a one-minute natural break: away after 6 s; the tray looks again every 6 s,
    # so the hover (which is input, and ends the break) is seen only after the tooltip is up.
    config = Path(app_env["XDG_CONFIG_HOME"]) / "necka-tray" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[idle]\nnatural_break_minutes = 1\n")
    necka = start_necka("--time-scale", "10")
    icon = docked(desktop, necka)
    necka.wait_log(r"action=away since=", timeout=30)
    # GTK titles the icon's window with the tooltip text: read it without touching anything.
    title = xdesk.wait_for(lambda: (t := xdesk.window_name(desktop.env, icon.wid)).startswith("Necka: away since") and t, 10,
                           what="the away tooltip")
    assert title.startswith("Necka: away since")
    hover_tooltip(desktop, icon, shot, "tooltip-away")


def test_a_full_screen_window_holds_reminders_until_it_closes(desktop, start_necka, spawn, shot):
    # Scale 60: posture every 20 s, a natural break after 5 s without input.
    necka = start_necka("--time-scale", "60")
    icon = docked(desktop, necka)
    with xdesk.keep_active(desktop.env):
        xdesk.wait_for(lambda: xdesk.idle_ms(desktop.env) < 1000, 5, what="the user at the keyboard")
    hover_tooltip(desktop, icon, shot, "tooltip-active")  # typing hides tooltips: hover between keys
    with xdesk.keep_active(desktop.env):
        presentation = spawn([sys.executable, str(FIXTURES / "fullscreen.py")], desktop.env)
        wid = desktop.wait_window("^Presentation$", timeout=10)
        subprocess.run(["xdotool", "windowfocus", str(wid)], env=desktop.env, check=True)
        desktop.clear_notifications()
        necka.wait_log(r"action=hold kind=posture", timeout=30)  # the posture check fell due, and waits
        assert desktop.notifications() == [], "nothing may pop up over the presentation"
        shot("presentation-no-bubbles")
        # Lower it (still focused, still full screen) to see the tray's quiet state.
        xdesk.lower(desktop.env, wid)
    hover_tooltip(desktop, icon, shot, "tooltip-quiet")
    with xdesk.keep_active(desktop.env):
        presentation.terminate()
        presentation.wait(5)
        got = xdesk.wait_for(lambda: desktop.notifications(), 10, what="the held reminder after the presentation")
        assert got[0]["summary"] in ("Posture check", "Shoulder rolls", "Time for a stretch break")
        assert "held=True" in necka.log_text()


def test_outside_working_hours_is_quiet_and_says_until_when(desktop, start_necka, app_env, shot):
    config = Path(app_env["XDG_CONFIG_HOME"]) / "necka-tray" / "config.toml"
    config.parent.mkdir(parents=True)
    # Working hours that are never now: a one-minute window twelve hours away.
    hour = (time.localtime().tm_hour + 12) % 24
    config.write_text(f'[schedule]\nenabled = true\ndays = "mon-sun"\nstart = "{hour:02d}:00"\nend = "{hour:02d}:01"\n')
    necka = start_necka("--time-scale", "240")
    icon = docked(desktop, necka)
    hover_tooltip(desktop, icon, shot, "tooltip-outside-hours")
    with xdesk.keep_active(desktop.env):
        necka.wait_log(r"action=suppress kind=posture", timeout=30)  # posture (5 s) fell due: held back
    assert desktop.notifications() == []


def test_snooze_and_skip_from_the_menu_while_a_break_is_due(desktop, start_necka, app_env, shot):
    # Scale 600: the stretch break (60 min) is due after 6 s. A natural break of 60 configured
    # minutes (6 s): the typing user never counts as away, which would end the due break and
    # change the menu under the keys.
    config = Path(app_env["XDG_CONFIG_HOME"]) / "necka-tray" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[idle]\nnatural_break_minutes = 60\n")
    necka = start_necka("--time-scale", "600")
    icon = docked(desktop, necka)
    with xdesk.keep_active(desktop.env):
        necka.wait_log(r"action=remind kind=stretch", timeout=20)
        desktop.click(*icon.center, button=3)
        wait_menu(desktop)
        shot("menu-break-due")
        desktop.key("Escape")
        open_menu_item(desktop, icon, "Snooze stretch 10 min", stretch_due=True)
        necka.wait_log(r"action=menu choice=snooze args=\[10\]")
        (snooze,) = xdesk.wait_for(lambda: necka.history("snooze"), 10, what="the snooze recorded")
        necka.wait_log(r"action=remind kind=stretch[^\n]*\n(.|\n)*action=remind kind=stretch", timeout=20)
        # The break came back 10 configured minutes (1 s real) after the snooze, read from the
        # history rather than raced against the clock.
        snoozed_at = datetime.fromisoformat(snooze["ts"])
        again = xdesk.wait_for(lambda: [t for r in necka.history("reminder") if r["reminder"] == "stretch"
                                        and (t := datetime.fromisoformat(r["ts"])) > snoozed_at], 10,
                               what="the stretch reminder after the snooze recorded")[0]
        assert timedelta(seconds=0.9) <= again - snoozed_at < timedelta(seconds=5)
        open_menu_item(desktop, icon, "Skip next stretch", stretch_due=True)
        necka.wait_log(r"action=menu choice=skip")  # logged as the choice is taken, before it is recorded
        skips = xdesk.wait_for(lambda: necka.history("skip"), 10, what="the skip in the history")
        assert skips[-1]["was_due"] is True
