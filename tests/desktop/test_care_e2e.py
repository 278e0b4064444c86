"""Care that answers the check-ins (issue 26), on a real desktop: the suggestion to see a professional
comes as a bubble once, not again within 7 days (restarts included), and then again; its button opens
"When to see a professional". Screenshots of the session's last screen and of the statistics window
with the suggestion, in English and German, land in test-artifacts/."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from necka_tray.store.history import History

from . import xdesk
from .necka_app import Necka, docked

CARE_PAGE = "^Necka .+ When to see a professional$"
SESSION, STATISTICS = "^Necka .+ (Stretch session|Dehnpause)$", "^Necka .+ (Statistics|Statistik)$"
SUGGESTION = "healthcare professional"


def rising_history(data: Path, days: int = 14) -> Path:
    """Check-ins rising from 3 to 7 on the ``days`` days before today (10:00 each), as a user's."""
    path = data / "necka-tray" / "history.sqlite3"
    now = datetime.now().astimezone()
    with History(path) as h:
        for i in range(days):
            day = now - timedelta(days=days - i)
            h.record_checkin(day.replace(hour=10, minute=0, second=0, microsecond=0), round(3 + 4 * i / (days - 1)),
                             "cli")
    return path


def quit_necka(necka: Necka) -> None:
    done = subprocess.run([sys.executable, "-m", "necka_tray", "quit"], env=necka.env, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    necka.proc.wait(timeout=15)


def care_bubbles(env: dict) -> list[dict]:
    return [n for n in xdesk.notifications(env) if SUGGESTION in n.get("body", "")]


def shown_at(path: Path, when: datetime) -> None:
    """Move the recorded care notice to ``when`` (as if it had been shown then)."""
    with sqlite3.connect(path) as db:
        db.execute("UPDATE events SET ts = ? WHERE kind = 'notice' AND data LIKE '%\"care\"%'", (when.isoformat(),))


def test_the_suggestion_comes_as_a_bubble_once_and_not_again_within_7_days(desktop, start_necka, app_env,
                                                                             active_user):
    history = rising_history(Path(app_env["XDG_DATA_HOME"]))
    necka = start_necka()
    docked(desktop, necka)
    necka.wait_log(r"action=care-notice notice=care notified=True", timeout=20)
    (bubble,) = xdesk.wait_for(lambda: care_bubbles(app_env), 10, what="the care bubble")
    assert bubble["summary"] == "Necka: your neck check-ins"
    assert "Your neck check-ins have" in bubble["body"]
    assert [n["notice"] for n in necka.history("notice")] == ["care", "weekly"]  # and the look back
    quit_necka(necka)

    # Restarted the same day, and six days later: no second bubble.
    for days_ago in (0, 6):
        shown_at(history, datetime.now().astimezone() - timedelta(days=days_ago, minutes=1))
        xdesk.clear_notifications(app_env)
        before = necka.log_text().count("action=care-suggestion shown=")
        necka = start_necka()
        docked(desktop, necka)
        xdesk.wait_for(lambda: necka.log_text().count("action=care-suggestion shown=") > before, 20,
                       what="the care rule asked again, its bubble held back")
        assert care_bubbles(app_env) == []
        assert [n["notice"] for n in necka.history("notice")] == ["care", "weekly"]
        quit_necka(necka)

    # Seven days after the last one it comes again, and its button opens the care page.
    shown_at(history, datetime.now().astimezone() - timedelta(days=7, minutes=1))
    xdesk.clear_notifications(app_env)
    before = necka.log_text().count("action=care-notice notice=care notified=True")
    necka = start_necka()
    docked(desktop, necka)
    xdesk.wait_for(lambda: necka.log_text().count("action=care-notice notice=care notified=True") > before, 20,
                   what="the care bubble again after 7 days")
    xdesk.wait_for(lambda: xdesk.displayed_count(app_env) > 0, 10, what="the care bubble on screen")
    xdesk.run(desktop.env, "dunstctl", "action", "0")  # a click on the bubble: its default action
    desktop.wait_window(CARE_PAGE, timeout=15)
    assert [n["notice"] for n in necka.history("notice")] == ["care", "weekly", "care"]
    quit_necka(necka)


def test_no_bubble_for_steady_low_check_ins_or_when_turned_off(desktop, start_necka, app_env, active_user):
    path = Path(app_env["XDG_DATA_HOME"]) / "necka-tray" / "history.sqlite3"
    # Noon of each of the last 14 days: the ratings stay on their day whatever the hour the test runs at.
    noon = datetime.now().astimezone().replace(hour=12, minute=0, second=0, microsecond=0)
    with History(path) as h:
        for i in range(14):
            h.record_checkin(noon - timedelta(days=14 - i), 2, "cli")
    necka = start_necka()
    docked(desktop, necka)
    necka.wait_log(r"action=care-check suggestion=none", timeout=20)
    assert "action=care-notice notice=care" not in necka.log_text()  # (a weekly look back may come: another notice)
    quit_necka(necka)

    config = Path(app_env["XDG_CONFIG_HOME"]) / "necka-tray" / "config.toml"
    text = config.read_text(encoding="utf-8")
    assert "suggest_professional = true" in text  # the default file, with its comments
    config.write_text(text.replace("suggest_professional = true", "suggest_professional = false"), encoding="utf-8")
    with History(path) as h:
        for i in range(14):
            h.record_checkin(noon - timedelta(days=14 - i, hours=1), 9, "cli")
    necka = start_necka()
    docked(desktop, necka)
    necka.wait_log(r"action=care-check suggestion=persists on=False", timeout=20)
    assert care_bubbles(app_env) == []
    assert [n["notice"] for n in necka.history("notice") if n["notice"] == "care"] == []
    quit_necka(necka)


@pytest.mark.parametrize("language", ["en", "de"])
def test_screenshots_of_the_suggestion(desktop, app_env, spawn, shot, language):
    """The session's last screen (after a check-in of 7) and the statistics window, with the suggestion."""
    from .test_stats_e2e import rating_buttons

    env = {**app_env, "LANGUAGE": language, "NECKA_TIME_SCALE": "6"}  # "Well done" stays 1.7 s unless pointed at
    rising_history(Path(app_env["XDG_DATA_HOME"]))
    proc = spawn([sys.executable, "-m", "necka_tray", "session", "--routine", "quick_release"], env,
                 stdout=subprocess.PIPE, text=True)
    wid = desktop.wait_window(SESSION, timeout=15)
    buttons = xdesk.wait_for(lambda: rating_buttons(env, wid), 40, interval=0.05, what="the check-in row")
    desktop.move(*buttons[7].center)  # pointing at the row keeps the window open
    desktop.click(*buttons[7].center)
    xdesk.wait_for(lambda: not rating_buttons(env, wid), 5, what="the row replaced by the thanks")
    shot(f"session-done-{language}", window=wid)
    desktop.key("Return")
    proc.communicate(timeout=15)

    stats = spawn([sys.executable, "-m", "necka_tray", "stats", "--window"], env)
    wid = desktop.wait_window(STATISTICS, timeout=15)
    xdesk.wait_for(lambda: desktop.window_geometry(wid).w > 600, 10, what="the statistics window laid out")
    shot(f"statistics-{language}", window=wid)
    geo = desktop.window_geometry(wid)
    assert geo.w <= 1280 and geo.h <= 800, geo
    desktop.key("Escape")
    stats.wait(timeout=15)


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_gentle_day_says_so_from_the_first_screen(desktop, app_env, spawn, shot, language):
    """After a check-in of 7 today the session runs the gentle variants (the first one: a tilt held 8 s,
    not 15) and one line says why; the screenshot is of its first screen."""
    env = {**app_env, "LANGUAGE": language}
    path = Path(app_env["XDG_DATA_HOME"]) / "necka-tray" / "history.sqlite3"
    with History(path) as h:
        now = datetime.now().astimezone()  # a check-in of today's, even just after midnight
        h.record_checkin(max(now - timedelta(minutes=5), now.replace(hour=0, minute=0, second=0, microsecond=0)), 7,
                         "cli")
    proc = spawn([sys.executable, "-m", "necka_tray", "session", "--routine", "quick_release"], env,
                 stdout=subprocess.PIPE, text=True)
    wid = desktop.wait_window("^Necka .+", timeout=15)
    xdesk.wait_for(lambda: desktop.window_geometry(wid).h > 300, 10, what="the session window laid out")
    shot(f"gentle-first-screen-{language}", window=wid)
    desktop.key("Escape")  # stop
    out, _ = proc.communicate(timeout=15)
    from necka_tray.children import protocol

    result = protocol.decode(out.splitlines()[-1])
    assert (result.routine, result.outcome) == ("quick_release", "stopped")
