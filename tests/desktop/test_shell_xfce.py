"""Necka on Xfce 4.18 (xfwm4, the panel's status tray, xfce4-notifyd), headless on Xvfb
(shells.xfce). Clicks and input come from xdotool; bubbles are read from the bus."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import shells, xdesk
from .conftest import artifact_path
from .session import stop
from .shell_checks import app_menu, drawn_rows, icon_now, start_necka, tracebacks
from .shell_suite import *  # noqa: F401,F403  (the tests every shell runs)
from .shell_suite import Spec, settled


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    shells.require("xfce")
    with shells.xfce(tmp_path_factory.mktemp("xfce")) as running:
        yield running


@pytest.fixture(scope="module")
def spec():
    return Spec(panel=(0, 30), idle_source="x11")


# --- issue 23: the first right click, as soon as the icon shows --------------------------------

ASSETS = Path(__file__).resolve().parents[2] / "assets"  # the icon theme a package installs under /usr/share/icons
PANEL = (0, 30)


@pytest.fixture
def fresh_xfce(tmp_path):
    shells.require("xfce")
    with shells.xfce(tmp_path / "xfce") as running:
        yield running


def test_a_right_click_the_moment_the_icon_shows_opens_neckas_menu(fresh_xfce, spawn, tmp_path, request):
    """A new user who installed Necka (so its icon comes from the icon theme at once) right-clicks
    it the moment it shows, three times with a fresh start each. Xfce's panel shows its own plugin
    menu ("Status Tray Plugin", Properties, Move, Remove, Panel: 5 rows) while the item's dbusmenu
    is still empty; Necka used to register before its first menu, and the icon showed for the
    ~0.3 s (on a cold start, more) that the app took to draw it."""
    shell = fresh_xfce
    assert list(ASSETS.glob("icons/hicolor/*/apps/io.github.necka.Necka.png")), ASSETS
    shell.env["XDG_DATA_DIRS"] = f"{ASSETS}:{shell.env.get('XDG_DATA_DIRS') or '/usr/local/share:/usr/share'}"
    for attempt in range(3):
        run = tmp_path / f"start-{attempt}"
        run.mkdir()
        necka = start_necka(shell, spawn, run, "--time-scale", "30")
        icon = xdesk.wait_for(lambda: necka.proc.poll() is not None or icon_now(shell, PANEL), 30, interval=0,
                              what="Necka's icon drawn")
        assert necka.proc.poll() is None, necka.stderr.read_text()
        shell.click(*icon, 3)
        popup = xdesk.wait_for(lambda: menus(shell), 10, what="a menu after the right click")[0]
        png = settled(shell, artifact_path(request.node, f"menu-{attempt}"))
        rows = [r for r in drawn_rows(png, (popup.x, popup.y, popup.x + popup.w, popup.y + popup.h))
                if not r.separator]
        labels = [i.label for i in app_menu(shell, necka) if not i.separator]
        # Necka's menu, all of it or, when it opened while a layout change was still arriving, its
        # first rows above a scroll arrow (GTK's menu on Xfce does not grow while open): never 5 rows.
        assert len(rows) >= len(labels) // 2, (
            f"start {attempt}: a menu of {len(rows)} rows, not Necka's {len(labels)} items (the panel's own menu)")
        shell.key("Escape")
        xdesk.wait_for(lambda: not menus(shell), 10, what="the menu closed")
        stop(necka.proc)
        xdesk.wait_for(lambda: icon_now(shell, PANEL) is None, 15, what="the icon gone after Necka quit")
    assert tracebacks(necka) == "", necka.stderr.read_text()


def menus(shell) -> list[xdesk.Win]:
    """The open menus: popups bigger than a tooltip, not a notification bubble nor xfwm4's 1-px edge windows."""
    return [p for p in xdesk.popups(shell.env) if p.w > 20 and p.h > 60 and p.kind != "NOTIFICATION"]
