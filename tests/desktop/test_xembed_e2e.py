"""The toolkit-free X11 tray icon (tray/xembed.py) as a user meets it, and the GTK one it replaced.

The icon is a plain X window docked into trayer; its menu and tooltip are Tk
processes of their own, its pixels come from a helper process. What matters
to the user: the icon looks like the icon, the tooltip says what the title
says, the menu opens every time (also right after it was closed), and the
tray process itself never loads a toolkit or Pillow.
"""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image

from . import xdesk
from .necka_app import docked, menus, wait_menu

TEAL = (38, 137, 128)


def test_the_icon_is_drawn_and_the_tray_process_loads_no_toolkit(desktop, start_necka, shot):
    necka = start_necka()
    icon = docked(desktop, necka)
    necka.wait_log(r"action=control-listen")

    def teal_pixels():
        path = shot("icon", window=icon.wid)
        with Image.open(path) as im:
            rgb = im.convert("RGB")
            return sum(1 for x in range(rgb.width) for y in range(rgb.height)
                       if all(abs(a - b) < 40 for a, b in zip(rgb.getpixel((x, y)), TEAL)))

    assert xdesk.wait_for(lambda: teal_pixels() > icon.w * icon.h // 4, 10, what="the teal disc drawn")
    desktop.move(*icon.center)  # a tooltip, then a menu: helpers, not the tray process
    xdesk.wait_for(lambda: desktop.popups(), 5, what="the tooltip")
    desktop.click(*icon.center, button=3)
    xdesk.wait_for(lambda: menus(desktop), 10, what="the menu")
    desktop.key("Escape")
    maps = Path(f"/proc/{necka.proc.pid}/maps").read_text()
    for library in ("libgtk", "libgdk", "libtk", "_tkinter", "_imaging", "libfreetype"):
        assert library not in maps, f"the tray process loaded {library}"
    stderr = necka.stderr.read_text()
    assert not re.search(r"GLib|Gtk|CRITICAL|Traceback", stderr), stderr


def test_the_tooltip_says_what_the_title_says(desktop, start_necka, shot):
    necka = start_necka()
    icon = docked(desktop, necka)
    necka.wait_log(r"action=add job=stretch")
    title = xdesk.wait_for(lambda: (t := xdesk.window_name(desktop.env, icon.wid)).startswith("Necka:") and t, 10,
                           what="the tooltip text as the icon's title")
    desktop.move(*icon.center)
    tip = xdesk.wait_for(lambda: desktop.popups(), 5, what="the tooltip")[0]
    assert xdesk.window_name(desktop.env, tip.wid) == "Necka tooltip"
    assert tip.y >= icon.y + icon.h  # below an icon at the top of the screen
    shot("tooltip", window=tip.wid)
    desktop.move(0, 799)
    xdesk.wait_for(lambda: not desktop.popups(), 5, what="the tooltip gone with the pointer")
    assert title.startswith("Necka: stretch break in ")


def test_the_menu_opens_every_time_even_right_after_it_closed(desktop, start_necka):
    necka = start_necka()
    icon = docked(desktop, necka)
    necka.wait_log(r"action=control-listen")
    for _ in range(5):
        desktop.click(*icon.center, button=3)
        wait_menu(desktop)  # holding the keyboard: Escape reaches it
        desktop.key("Escape")
        xdesk.wait_for(lambda: not menus(desktop), 10, what="the menu closed")  # then at once again
    assert necka.proc.poll() is None


def test_the_gtk_status_icon_still_works_when_asked_for(desktop, start_necka, app_env):
    necka = start_necka(env=dict(app_env, PYSTRAY_BACKEND="gtk"))
    icon = docked(desktop, necka)
    necka.wait_log(r"action=start backend=gtk")
    necka.wait_log(r"action=control-listen")  # the app has built its menu (pystray shows none before)
    desktop.click(*icon.center, button=3)
    xdesk.wait_for(lambda: menus(desktop), 10, what="the GTK menu")
    desktop.key("Escape")
    assert "libgtk-3" in Path(f"/proc/{necka.proc.pid}/maps").read_text()
