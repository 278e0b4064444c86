"""The desktop harness itself works: notifications, a tray icon with clicks and
a menu, and a Tk window, before any app code relies on it."""

import sys
from pathlib import Path

from PIL import Image

from . import xdesk

TINY_TRAY = Path(__file__).parent / "fixtures" / "tiny_tray.py"
TK_WINDOW = """
import tkinter as tk
root = tk.Tk()
root.title("Harness Tk window")
tk.Label(root, text="Hello from Tk", padx=60, pady=40, bg="#fff3c0").pack()
root.mainloop()
"""


def assert_not_blank(png: Path, size: tuple[int, int] | None = None) -> None:
    with Image.open(png) as im:
        if size:
            assert im.size == size
        lo_hi = im.convert("L").getextrema()
        assert lo_hi[0] != lo_hi[1], f"{png} is a single colour"


def test_notify_send_reaches_dunst(app_env, shot):
    xdesk.run(app_env, "notify-send", "Hello", "World")
    xdesk.wait_for(lambda: xdesk.displayed_count(app_env) == 1, 5, what="bubble shown")
    assert_not_blank(shot("bubble"))

    got = xdesk.notifications(app_env)

    assert [(n["summary"], n["body"], n["appname"]) for n in got] == [
        ("Hello", "World", "notify-send")]
    assert xdesk.displayed_count(app_env) == 0


def test_tray_icon_docks_clicks_and_opens_menu(app_env, spawn, shot, tmp_path):
    marker = tmp_path / "marker"
    proc = spawn([sys.executable, str(TINY_TRAY), str(marker)], app_env)

    icon = xdesk.wait_tray_icon(app_env, timeout=10, pid=proc.pid)
    assert 16 <= icon.w <= 64 and 16 <= icon.h <= 64
    assert_not_blank(shot("docked"), size=(1280, 800))

    xdesk.click(app_env, *icon.center)
    xdesk.wait_for(marker.exists, 5, what="default action wrote the marker")

    before = {w.wid for w in xdesk.popups(app_env)}
    xdesk.click(app_env, *icon.center, button=3)
    menu = xdesk.wait_for(
        lambda: next((w for w in xdesk.popups(app_env)
                      if w.wid not in before and w.kind == "POPUP_MENU"), None),
        5, what="tray menu mapped")
    assert menu.pid == proc.pid
    assert_not_blank(shot("menu"))
    assert_not_blank(shot("menu-only", window=menu.wid), size=(menu.w, menu.h))

    xdesk.key(app_env, "Down", "Down", "Return")  # second item: Quit
    assert proc.wait(5) == 0
    assert xdesk.tray_icons(app_env) == []


def test_tk_window_is_found_and_captured(app_env, spawn, shot):
    proc = spawn([sys.executable, "-c", TK_WINDOW], app_env)

    wid = xdesk.wait_window(app_env, "^Harness Tk window$", timeout=10)
    geo = xdesk.window_geometry(app_env, wid)

    assert geo.w >= 100 and geo.h >= 50
    assert_not_blank(shot("window", window=wid), size=(geo.w, geo.h))
    assert proc.poll() is None  # still running; spawn's teardown ends it
