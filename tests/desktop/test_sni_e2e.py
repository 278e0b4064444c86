"""Necka's own StatusNotifierItem on a real SNI host, as a user meets it.

The desktop is Xvfb + a private bus + status-notifier-watcher +
gtk-sni-tray-standalone (a bar along the bottom edge that renders items and
their dbusmenu menus with GTK, in its own process) + dunst; no XEmbed tray.
What matters: the icon shows in the bar, a left click opens the stretch
session, a right click opens the host's native menu and a choice there acts
like the XEmbed popup's, the icon comes back when the panel restarts, and the
tray process loads no toolkit and prints no GLib warnings.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from PIL import Image

from . import xdesk
from .conftest import _require_tools, artifact_path
from .necka_app import downs_to
from .session import running_desktop, sni_watcher, user_env

TEAL = (38, 137, 128)
BAR = 30  # gtk-sni-tray-standalone --bottom: a 30-px bar along the bottom edge
TOOLKITS = ("libgtk", "libgdk", "libtk", "_tkinter", "_imaging", "libfreetype")


def bar_icon(desk, path: Path) -> tuple[int, int] | None:
    """The centre of the teal disc in the bar (from a screenshot saved to ``path``), or None."""
    desk.screenshot(path)
    with Image.open(path) as im:
        rgb = im.convert("RGB")
        top = rgb.height - BAR
        hits = [(x, y) for y in range(top, rgb.height) for x in range(0, 200)
                if all(abs(a - b) < 40 for a, b in zip(rgb.getpixel((x, y)), TEAL))]
    if len(hits) < 40:
        return None
    xs, ys = [x for x, _ in hits], [y for _, y in hits]
    return (min(xs) + max(xs)) // 2, (min(ys) + max(ys)) // 2


def registered(env, necka) -> bool:
    return any(f"-{necka.proc.pid}-" in item for item in sni_watcher(env, "RegisteredStatusNotifierItems") or ())


def shown(desk, necka, request, suffix="bar") -> tuple[int, int]:
    """Wait until the item is registered and its icon drawn in the bar; return the icon's centre."""
    xdesk.wait_for(lambda: necka.proc.poll() is not None or registered(desk.env, necka), 15,
                   what="the item registered with the watcher")
    assert necka.proc.poll() is None, necka.stderr.read_text()
    return xdesk.wait_for(lambda: bar_icon(desk, artifact_path(request.node, suffix)), 15,
                          what="Necka's icon drawn in the SNI bar")


def native_menus(desk):
    return [p for p in desk.popups() if p.kind == "POPUP_MENU" or p.h > BAR]


@pytest.mark.smoke  # also on the oldest libraries (scripts/test)
def test_icon_shows_a_left_click_opens_the_session_and_no_toolkit_is_loaded(sni_desktop, start_sni_necka, request):
    necka = start_sni_necka()
    centre = shown(sni_desktop, necka, request)
    necka.wait_log(r"action=control-listen")
    assert re.search(r"action=start backend=sni .*left click: stretch session", necka.log_text())
    sni_desktop.click(*centre)
    wid = sni_desktop.wait_window("^Necka .+ Stretch session$", timeout=10)
    necka.wait_log(r"action=sni-click kind=Activate")
    sni_desktop.screenshot(artifact_path(request.node, "session"), wid)
    maps = Path(f"/proc/{necka.proc.pid}/maps").read_text()
    for library in TOOLKITS:
        assert library not in maps, f"the tray process loaded {library}"
    stderr = necka.stderr.read_text()
    assert not re.search(r"GLib|Gtk|CRITICAL|Traceback", stderr), stderr


def test_status_says_which_tray_runs_and_a_middle_click_pauses_and_resumes(sni_desktop, start_sni_necka, request):
    import subprocess
    import sys

    def status() -> str:
        return subprocess.run([sys.executable, "-m", "necka_tray", "status"], env=necka.env, capture_output=True,
                              text=True, timeout=20).stdout

    necka = start_sni_necka()
    centre = shown(sni_desktop, necka, request)
    necka.wait_log(r"action=control-listen")
    out = status()
    assert "tray: StatusNotifierItem)" in out, out
    assert "Tray icon: left click: stretch session, middle click: pause 30 min / resume, right click: menu" in out
    sni_desktop.click(*centre, button=2)
    necka.wait_log(r"action=sni-click kind=SecondaryActivate")
    necka.wait_log(r"action=menu choice=pause args=\['30m'\]")
    assert "paused until" in status()
    sni_desktop.click(*centre, button=2)
    necka.wait_log(r"action=menu choice=resume")
    quit_ = subprocess.run([sys.executable, "-m", "necka_tray", "quit"], env=necka.env, capture_output=True,
                           text=True, timeout=30)
    assert quit_.returncode == 0, quit_.stderr
    assert necka.proc.wait(10) == 0  # the D-Bus loop ends with the app
    xdesk.wait_for(lambda: not registered(sni_desktop.env, necka), 5, what="the item gone from the watcher")


def test_right_click_opens_the_native_menu_and_break_interval_45_is_saved(sni_desktop, start_sni_necka, request):
    necka = start_sni_necka()
    centre = shown(sni_desktop, necka, request)
    necka.wait_log(r"action=add job=stretch")
    before = necka.next_run("stretch")
    sni_desktop.click(*centre, button=3)
    menu = xdesk.wait_for(lambda: native_menus(sni_desktop), 10, what="the host's native menu")[0]
    time.sleep(0.4)
    sni_desktop.screenshot(artifact_path(request.node, "menu"), menu.wid)
    sni_desktop.key(*["Down"] * downs_to("Break interval"))
    sni_desktop.key("Right")  # opens the submenu with its first item, 20 min, selected
    xdesk.wait_for(lambda: len(native_menus(sni_desktop)) > 1, 5, what="the Break interval submenu")
    time.sleep(0.3)
    sni_desktop.screenshot(artifact_path(request.node, "submenu"))
    sni_desktop.key("Down", "Down", "Return")  # 30, 45 min
    necka.wait_log(r"action=menu choice=interval args=\[45\]")
    xdesk.wait_for(lambda: re.search(r"(?m)^\[reminders\.stretch\][^\[]*^interval_minutes = 45",
                                     necka.config.read_text()), 5, what="interval 45 saved")
    after = xdesk.wait_for(lambda: (n := necka.next_run("stretch")) != before and n, 5, what="the stretch job moved")
    assert abs((before - after).total_seconds() - 15 * 60) < 30  # the countdown keeps its start


@pytest.fixture(scope="module")
def own_sni_desktop(tmp_path_factory):
    """An SNI desktop of this module's own: its tests kill and restart the host and the watcher."""
    _require_tools()
    with running_desktop(tmp_path_factory.mktemp("ownsni"), tray="sni") as desk:
        yield desk


def test_the_icon_comes_back_when_the_host_or_the_watcher_restarts(own_sni_desktop, spawn, tmp_path, request):
    from .necka_app import make_start_necka

    desk = own_sni_desktop
    env = user_env(desk.env, tmp_path)
    xdesk.move(env, 1279, 0)
    necka = make_start_necka(env, spawn, tmp_path)()
    shown(desk, necka, request, "before")
    necka.wait_log(r"action=control-listen")

    desk.stop_sni_host()
    assert bar_icon(desk, artifact_path(request.node, "no-host")) is None
    desk.start_sni_host()
    shown(desk, necka, request, "host-restarted")

    desk.stop_sni_host()
    desk.stop_watcher()  # the watcher forgets every item: Necka must register again
    desk.start_watcher()
    necka.wait_log(r"action=sni-register reason=watcher-restarted")  # NameOwnerChanged, before any host
    assert registered(desk.env, necka)
    desk.start_sni_host()
    shown(desk, necka, request, "watcher-restarted")
    assert necka.proc.poll() is None
    stderr = necka.stderr.read_text()
    assert not re.search(r"GLib|Gtk|CRITICAL|Traceback", stderr), stderr


def test_with_no_host_yet_it_waits_says_so_once_and_shows_when_the_panel_starts(own_sni_desktop, spawn, tmp_path,
                                                                                 request):
    from .necka_app import make_start_necka

    desk = own_sni_desktop
    desk.stop_sni_host()  # the watcher runs, the panel is still starting (a login race)
    env = user_env(desk.env, tmp_path)
    necka = make_start_necka(env, spawn, tmp_path)()
    necka.wait_log(r"action=start backend=sni ")
    necka.wait_log(r"No tray \(StatusNotifier host\) is running yet")
    desk.start_sni_host()
    shown(desk, necka, request)
    assert necka.log_text().count("is running yet") == 1
    assert necka.stderr.read_text().count("is running yet") == 1  # said on the terminal too, once
