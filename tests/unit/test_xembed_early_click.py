"""A click on the XEmbed icon before the app drew its first menu is answered, not lost.

The icon docks before the app has built its menu (start-up order, see owner/main.py);
a click in that gap used to run an empty default action or open an empty menu.
"""

from __future__ import annotations

from necka_tray.core.planner import TrayView
from necka_tray.tray.menu_model import Entry
from necka_tray.tray.xembed import XEmbedTray
from necka_tray.tray.xembed_popups import Popups


def _tray(actions: list, menus: list) -> XEmbedTray:
    """The click and render logic only: no X connection (``_win`` None: nothing is drawn)."""
    tray = object.__new__(XEmbedTray)
    tray._on_action = actions.append
    tray._view, tray._entries, tray._early_click, tray._early_tooltip = None, (), None, False
    tray._win, tray._drawn_key, tray._title = None, None, ""
    tray._calls = []
    tray._popups = Popups(children=None, on_action=actions.append)  # no tooltip shows: nothing starts
    tray._call = lambda fn, *args: fn(*args)  # the X thread's queue, run at once
    tray._open_menu = lambda x, y: menus.append((x, y, tray._entries))
    return tray


VIEW = TrayView(tooltip="Necka", status_lines=(), ring_step=0, stretch_due=False, paused=False,
                session_running=False)
ENTRIES = (Entry("Start stretch session", action=("session",), default=True),)


def test_a_left_click_before_the_first_render_runs_the_default_action_at_that_render():
    actions, menus = [], []
    tray = _tray(actions, menus)
    tray._click(1, 5, 5)
    assert actions == []
    tray.render(VIEW, ENTRIES)
    assert actions == [("session",)]
    tray.render(VIEW, ENTRIES)  # once only
    assert actions == [("session",)]


def test_a_right_click_before_the_first_render_opens_the_full_menu_at_that_render():
    actions, menus = [], []
    tray = _tray(actions, menus)
    tray._click(3, 7, 9)
    assert menus == []
    tray.render(VIEW, ENTRIES)
    assert menus == [(7, 9, ENTRIES)] and actions == []


def test_clicks_after_the_first_render_act_at_once():
    actions, menus = [], []
    tray = _tray(actions, menus)
    tray.render(VIEW, ENTRIES)
    tray._click(1, 0, 0)
    tray._click(3, 1, 2)
    tray._click(2, 1, 2)  # the middle button: pause for 30 minutes (resume while paused)
    assert actions[0] == ("session",) and str(actions[1].verb.value) == "pause" and actions[1].arg == "30m"
    assert menus == [(1, 2, ENTRIES)]


def test_a_hover_before_the_first_render_shows_the_tooltip_at_that_render():
    shown = []
    tray = _tray([], [])
    tray._tooltip_due = None
    real_show = XEmbedTray._show_tooltip
    tray._show_tooltip = lambda: (real_show(tray), shown.append(tray._view))
    tray._show_tooltip()  # the tooltip delay ran out before the app drew anything
    assert shown == [None] and tray._early_tooltip
    tray.render(VIEW, ENTRIES)
    assert shown == [None, VIEW] and not tray._early_tooltip


def test_a_pointer_that_left_before_the_first_render_shows_no_tooltip():
    tray = _tray([], [])
    tray._tooltip_due = None
    tray._show_tooltip()
    tray._hide_tooltip()
    assert not tray._early_tooltip
