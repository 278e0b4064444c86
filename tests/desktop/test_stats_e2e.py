"""History as a user meets it: a stretch session from the tray, the neck check-in answered with a
click, ``necka-tray stats --json`` showing both, and the statistics and daily check-in windows
opened from the tray menu."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

from PIL import Image, ImageChops, ImageColor
from Xlib import X

from necka_tray.core.stats import DayStats
from necka_tray.windows import chart

from . import xdesk
from .necka_app import docked, open_menu_item, wait_menu

SESSION = "^Necka .+ Stretch session$"
STATISTICS = "^Necka .+ Statistics$"
CHECKIN = "^Necka .+ Neck check-in$"


def rating_buttons(env: dict, wid: int) -> list[xdesk.Win]:
    """The eleven 0-10 buttons of a check-in row in window ``wid`` (Tk draws each widget in an X
    window of its own): the one row of eleven equal, mapped windows; [] until it is shown."""
    with xdesk._xconn(env) as d:
        top = d.create_resource_object("window", wid)
        wins = xdesk._wins(d, xdesk._descendants(top), lambda w: w.get_attributes().map_state == X.IsViewable)
    rows = defaultdict(list)
    for w in wins:
        if 12 <= w.w <= 80 and 12 <= w.h <= 80:
            rows[(w.y, w.w, w.h)].append(w)
    found = [sorted(r, key=lambda w: w.x) for r in rows.values() if len(r) == 11]
    return found[0] if len(found) == 1 else []


def count_colour(png: Path, colour: str, tolerance: int = 10) -> int:
    rgb = ImageColor.getrgb(colour)
    with Image.open(png) as im:
        bands = im.convert("RGB").split()
    masks = [b.point(lambda v, c=c: 255 if abs(v - c) <= tolerance else 0) for b, c in zip(bands, rgb)]
    return ImageChops.multiply(ImageChops.multiply(masks[0], masks[1]), masks[2]).histogram()[255]


def stats_json(env: dict) -> dict:
    done = subprocess.run([sys.executable, "-m", "necka_tray", "stats", "--json"], env=env,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_session_checkin_stats_and_the_statistics_window(desktop, start_necka, shot, active_user, tmp_path):
    # Scale 6: the ~2-minute routine takes about 19 s, "Well done" stays 1.7 s unless someone answers.
    necka = start_necka("--time-scale", "6")
    icon = docked(desktop, necka)
    necka.wait_log(r"action=add job=stretch")
    desktop.click(*icon.center)
    wid = desktop.wait_window(SESSION, timeout=10)
    buttons = xdesk.wait_for(lambda: rating_buttons(desktop.env, wid), 40, interval=0.05,
                             what="the check-in row on the Well done screen")
    seven = buttons[7]
    desktop.move(*seven.center)  # pointing at the row keeps the window open for the answer
    shot("1-well-done-checkin", window=wid)
    desktop.click(*seven.center)
    xdesk.wait_for(lambda: not rating_buttons(desktop.env, wid), 5, what="the row replaced by the thanks")
    shot("2-thanks", window=wid)
    desktop.key("Return")  # Close
    necka.wait_log(r"action=session-end outcome=completed", timeout=15)

    report = stats_json(necka.env)
    today = report["days"][-1]
    assert today["day"] == report["today"]
    assert today["stretch_done"] == 1 and today["checkins"] == [7]
    assert report["today_line"].startswith("Today: 1 stretch · ")
    (checkin,) = necka.history("checkin")
    assert (checkin["rating"], checkin["source"]) == (7, "session")

    # The menu shows today at a glance; Statistics… opens the window.
    desktop.click(*icon.center, button=3)
    wait_menu(desktop)
    shot("3-menu-today-line")
    desktop.key("Escape")
    open_menu_item(desktop, icon, "Statistics…")
    stats_wid = desktop.wait_window(STATISTICS, timeout=15)
    xdesk.wait_for(lambda: desktop.window_geometry(stats_wid).w > 600, 5, what="the statistics window laid out")
    geo = desktop.window_geometry(stats_wid)
    assert geo.w <= 1280 and geo.h <= 800, geo  # fits the screen
    # The check-in point is drawn in the chart: more of its colour than the legend alone has.
    legend_only = tmp_path / "empty-chart.png"
    chart.render([DayStats(date.fromisoformat(report["today"]))]).save(legend_only)
    legend = count_colour(legend_only, chart.CALM.neck)
    xdesk.wait_for(lambda: count_colour(shot("4-statistics-window", window=stats_wid), chart.CALM.neck) > legend + 20,
                   10, what="the chart drawn with the check-in point")
    necka.wait_log(r"action=stats-start pid=\d+")
    desktop.key("Escape")
    xdesk.wait_for(lambda: subprocess.run(["xdotool", "search", "--onlyvisible", "--name", STATISTICS],
                                          env=desktop.env, capture_output=True).returncode != 0,
                   10, what="the statistics window closed")


def test_the_tray_records_the_session_its_window_reports(desktop, start_necka):
    """One writer of the history while the tray runs: the window (started with --no-record) reports
    the session with its start and end, and the tray records it, once."""
    necka = start_necka("--time-scale", "10")
    docked(desktop, necka)
    necka.wait_log(r"action=add job=stretch")
    done = subprocess.run([sys.executable, "-m", "necka_tray", "stretch"], env=necka.env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    desktop.wait_window(SESSION, timeout=10)
    necka.wait_log(r"action=session-end outcome=completed routine=neck", timeout=60)
    (session,) = necka.history("session")
    assert (session["outcome"], session["routine"], session["steps_done"]) == ("completed", "neck", 6)
    started, ended = (datetime.fromisoformat(session[k]) for k in ("ts", "ended"))
    assert timedelta(seconds=5) < ended - started < timedelta(seconds=60)
    assert necka.history("checkin") == []  # nothing answered on the last screen
    assert "action=message-ignored" not in necka.log.read_text()


def test_daily_checkin_from_the_tray(desktop, start_necka, shot, active_user):
    necka = start_necka()
    icon = docked(desktop, necka)
    necka.wait_log(r"action=add job=stretch")
    open_menu_item(desktop, icon, "How is your neck today?…")
    wid = desktop.wait_window(CHECKIN, timeout=15)
    buttons = xdesk.wait_for(lambda: rating_buttons(desktop.env, wid), 10, what="the check-in buttons")
    shot("checkin-window", window=wid)
    desktop.click(*buttons[3].center)
    necka.wait_log(r"action=checkin-start pid=\d+")
    xdesk.wait_for(lambda: necka.history("checkin"), 5, what="the check-in recorded")
    (checkin,) = necka.history("checkin")
    assert (checkin["rating"], checkin["source"]) == (3, "daily")
    xdesk.wait_for(lambda: subprocess.run(["xdotool", "search", "--onlyvisible", "--name", CHECKIN],
                                          env=desktop.env, capture_output=True).returncode != 0,
                   10, what="the check-in window closed after its thanks")


def test_the_checkin_works_from_the_keyboard_with_a_visible_focus(desktop, app_env, spawn, shot):
    from necka_tray.windows.palette import DEFAULT as theme_default

    proc = spawn([sys.executable, "-m", "necka_tray", "checkin"], app_env, stdout=subprocess.PIPE, text=True)
    wid = desktop.wait_window(CHECKIN, timeout=15)
    buttons = xdesk.wait_for(lambda: rating_buttons(desktop.env, wid), 10, what="the check-in buttons")
    xdesk.wait_for(lambda: int(xdesk.run(app_env, "xdotool", "getwindowfocus")) == wid, 5,
                   what="the check-in window focused")
    desktop.key("Right", "Right")

    def rings() -> list[int]:
        with Image.open(shot("keyboard-focus-on-2", window=wid)) as im:
            g = desktop.window_geometry(wid)
            return [count_colour_in(im, b, g, theme_default.focus) for b in buttons]

    # The amber ring is around "2" and nowhere else (once the keys are handled).
    found = xdesk.wait_for(lambda: (r := rings())[2] > 40 and sum(r) == r[2] and r, 10, what="the focus ring on 2")
    assert found[2] > 40
    desktop.key("Return")
    out, _ = proc.communicate(timeout=15)
    from necka_tray.children import protocol

    assert protocol.decode(out.splitlines()[-1]).rating == 2  # a protocol.CheckinResult
    path = Path(app_env["XDG_DATA_HOME"]) / "necka-tray" / "history.sqlite3"
    from necka_tray.store.history import History

    with History(path) as h:
        (event,) = h.events("checkin")
    assert event.data == {"rating": 2, "source": "daily"}


def count_colour_in(im, button: xdesk.Win, window: xdesk.Win, colour: str) -> int:
    """Pixels of ``colour`` in ``button`` (screen coordinates) of a screenshot of ``window``."""
    box = im.convert("RGB").crop((button.x - window.x, button.y - window.y,
                                  button.x - window.x + button.w, button.y - window.y + button.h))
    rgb = ImageColor.getrgb(colour)
    return sum(n for n, c in box.getcolors(1 << 16) if all(abs(a - b) <= 10 for a, b in zip(c, rgb)))


TABLE_DAYS = """
import json, sys
from necka_tray.windows import base, stats_window
settings = base.user_settings()
report, problem = stats_window._load(400, settings)
root = base.new_root()
window = stats_window.StatsWindow(root, report, 400, problem, base.Look.from_settings(settings))
root.update_idletasks()
print(json.dumps([window.table.item(row)["values"][0] for row in window.table.get_children()]))
root.destroy()
"""


def test_the_window_table_over_a_year_names_each_rows_year(app_env):
    """As ``necka-tray stats --days 400``: 400 days hold each date of November and December twice."""
    done = subprocess.run([sys.executable, "-c", TABLE_DAYS], env=app_env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    days = [str(d) for d in json.loads(done.stdout)]
    assert len(days) == 400 and days[0] == "Today" and len(set(days)) == 400, days[:3]
    first = datetime.now().astimezone().date() - timedelta(days=399)
    assert days[-1].endswith(f" {first.year}")
