"""The tests every shell module runs (``from .shell_suite import *``), against its own shell.

A shell module provides the module-scoped fixtures ``shell`` (a running ``shells.Shell``) and
``spec`` (a ``Spec``: where its panel is, what idle source it has, which checks wait for a fix
on another branch). One Necka runs per module (``necka``), so a shell starts once; the tests
run in file order: icon, left click, menu, bubble, idle, and last its stderr.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field

import pytest

from . import xdesk
from .conftest import artifact_path
from .session import die_with_parent, stop
from .shell_checks import (SESSION_TITLE, app_menu, close_session, drawn_rows, expected_rows, popup_box,
                           start_necka, tracebacks, wait_icon)

SCALE = 30  # a configured minute lasts 2 s: a posture check every 30 s, away after 10 s without input
CONFIG = "[reminders.posture]\ninterval_minutes = 15\n"  # the first bubble 30 s in, after the menu test


@dataclass(frozen=True)
class Spec:
    panel: tuple[int, int]                  # the rows (y0, y1) of the screen where its tray icons are
    idle_source: str                        # the idle source Necka should find there (a regex)
    xfail: dict[str, str] = field(default_factory=dict)  # test name -> the branch whose fix it awaits
    #: 2 where a single left click opens the menu by the host's own rule (GNOME's AppIndicator
    #: extension, for an item that has a menu: the README says so, and a double click starts it)
    clicks: int = 1


def pending(request, spec: Spec) -> None:
    reason = spec.xfail.get(request.node.originalname)
    if reason:
        request.applymarker(pytest.mark.xfail(reason=f"fixed by the {reason} branch", strict=False))


@pytest.fixture(scope="module")
def necka(shell, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"necka-{shell.name}")
    procs = []

    def spawn(args, env, **kw):
        procs.append(subprocess.Popen(args, env=env, start_new_session=True, preexec_fn=die_with_parent, **kw))
        return procs[-1]

    app = start_necka(shell, spawn, tmp, "--time-scale", str(SCALE), config=CONFIG)
    yield app
    for proc in procs:
        stop(proc)


@pytest.fixture(scope="module")
def icon(shell, spec, necka, request):
    path = artifact_path(request.node, f"{shell.name}-panel")
    return wait_icon(shell, necka, path, spec.panel)


def settled(shell, path):
    """A screenshot of the screen once it stopped changing (menus fade out, banners slide away),
    but for something small (a bubble's countdown ring)."""
    from PIL import Image, ImageChops

    last = []

    def still():
        shell.screenshot(path)
        with Image.open(path) as im:
            now = im.convert("RGB")
        box = ImageChops.difference(last[-1], now).getbbox() if last else (0, 0, 999, 999)
        same = box is None or (box[2] - box[0] < 40 and box[3] - box[1] < 40)  # a ticking clock or timer is still
        last.append(now)
        return same

    xdesk.wait_for(still, 15, interval=0.3, what="the screen settled")
    return path


def at_work(shell, every: float = 0.3):
    """A user at the keyboard: a bit of real input every ``every`` seconds."""
    return xdesk.repeating(every, shell.nudge)


def test_the_icon_shows(shell, spec, necka, icon, request):
    pending(request, spec)
    x, y = icon
    assert spec.panel[0] <= y < spec.panel[1]
    necka.wait_log(r"action=start backend=sni ")


def test_a_left_click_opens_the_stretch_session(shell, spec, necka, icon, request):
    pending(request, spec)
    necka.wait_log(r"action=control-listen")
    if spec.clicks == 2:
        shell.extra["double_click"](*icon)
    else:
        shell.click(*icon, 1)
    xdesk.wait_for(lambda: any(re.match(SESSION_TITLE, w) for w in shell.windows()), 15,
                   what="the stretch session window")
    shell.screenshot(artifact_path(request.node, f"{shell.name}-session"))
    assert "action=sni-click kind=Activate" in necka.log_text()
    close_session(necka)


def test_the_menu_is_drawn_right_and_break_interval_45_is_saved(shell, spec, necka, icon, request):
    pending(request, spec)
    items = app_menu(shell, necka)
    labels = [i.label for i in items if not i.separator]
    assert labels[0] == "Start stretch session" and labels[-1] == "Quit Necka", labels
    assert len(labels) == len(set(labels)), f"an item twice: {labels}"
    if shell.key:
        shell.key("Escape")  # a menu an earlier test left open (GNOME opens one on a left click)
    before = settled(shell, artifact_path(request.node, f"{shell.name}-before-menu"))
    shell.click(*icon, 3)
    menu_png = artifact_path(request.node, f"{shell.name}-menu")

    def menu_drawn():
        shell.screenshot(menu_png)
        # the icon's own hover highlight does not count as the menu
        box = popup_box(before, menu_png, outside=[(icon[0] - 24, spec.panel[0], icon[0] + 24, spec.panel[1])])
        rows = drawn_rows(menu_png, box) if box else []
        return len([r for r in rows if not r.separator]) >= len(labels) and (box, rows)

    box, rows = xdesk.wait_for(menu_drawn, 15, interval=0.3, what="the host's menu drawn with every item")
    assert [r.separator for r in rows] == expected_rows(items), (
        f"drawn rows (True: separator) differ from the menu: {[r.separator for r in rows]} vs {expected_rows(items)}")
    interval = next(n for n, i in enumerate(items) if i.label == "Break interval")
    choices = [c.label for c in items[interval].submenu]
    assert choices[:4] == ["20 min", "30 min", "45 min", "60 min"], choices
    row = rows[interval]
    shell.move(box[0] + 40, row.y)
    shell.click(box[0] + 40, row.y, 1)  # a click on a submenu's item opens it on every host
    sub_png = artifact_path(request.node, f"{shell.name}-submenu")
    x, y = xdesk.wait_for(lambda: submenu_item(shell, before, menu_png, sub_png, box, (box[0] + 40, row.y),
                                               lambda: app_menu(shell, necka),
                                               choices, "45 min"), 15, interval=0.3, what="the Break interval submenu drawn")
    shell.move(x, y)
    shell.click(x, y, 1)
    necka.wait_log(r"action=menu choice=interval args=\[45\]", timeout=10)
    xdesk.wait_for(lambda: re.search(r"(?m)^\[reminders\.stretch\][^\[]*^interval_minutes = 45",
                                     necka.config.read_text()), 10, what="interval 45 saved to config.toml")


def submenu_item(shell, before, menu_png, sub_png, box, pointer, layout, choices, label):
    """Where the submenu drew ``label``: beside the menu (GTK, Qt), or inline below its item
    (GNOME Shell opens submenus in place). None until it is drawn whole."""
    shell.screenshot(sub_png)
    # beside the menu, on its left or its right (the menu's own columns, with its shadow, do not count)
    sides = [popup_box(menu_png, sub_png, outside=[(box[0] - 8, 0, 10_000, 10_000)]),
             popup_box(menu_png, sub_png, outside=[(0, 0, box[2] + 8, 10_000)])]
    new = next((b for b in sides if b and b[2] - b[0] > 40 and b[3] - b[1] > 40  # touching the menu: no banner
                and (b[2] >= box[0] - 30 and b[0] <= box[2] + 30)), None)
    if new:
        rows = [r for r in drawn_rows(sub_png, new) if not r.separator]
        if len(rows) < len(choices):
            return None
        return (new[0] + new[2]) // 2, rows[choices.index(label)].y
    # in place: the menu as it is now (it may have changed its size), not the panel nor the pointer
    px, py = pointer
    whole = popup_box(before, sub_png, outside=[(0, 0, 10_000, box[1] - 1), (px - 24, py - 24, px + 24, py + 32)])
    if not whole:
        return None
    rows = drawn_rows(sub_png, whole)
    inner = split_tall(sub_png, whole, rows)
    if inner is not None:  # the open submenu, drawn as a block of its own; its item may head it
        inline = inner[-len(choices):]
        return ((whole[0] + whole[2]) // 2, inline[choices.index(label)].y) if len(inner) >= len(choices) else None
    items = layout()  # as it is now: a host may hide lines while a submenu is open in place (GNOME)
    if len([r for r in rows if not r.separator]) < len([i for i in items if not i.separator]) + len(choices):
        return None
    interval = next(n for n, i in enumerate(items) if i.label == "Break interval")
    inline = [r for r in rows[interval + 1:] if not r.separator]  # the submenu's rows follow its item
    return (whole[0] + whole[2]) // 2, inline[choices.index(label)].y


def split_tall(png, box, rows):
    """The text rows inside the first band taller than three text rows, read on its own: an open
    submenu drawn on a background of its own (GNOME) reads as one block against the menu's.
    None if there is no such band."""
    from statistics import median

    text = [r.y1 - r.y0 for r in rows if not r.separator]
    usual = median(text) if text else 0
    for r in rows:
        if usual and not r.separator and r.y1 - r.y0 > 3 * usual:  # not its frame nor its scrollbar:
            return [i for i in drawn_rows(png, (box[0] + 12, r.y0 - 1, box[2] - 24, r.y1 + 1)) if not i.separator]
    return None


def test_a_posture_bubble_arrives(shell, spec, necka, request):
    pending(request, spec)
    with at_work(shell):
        bubble = xdesk.wait_for(lambda: [b for b in shell.bubbles() if b["summary"] == "Posture check"], 60,
                                what="a posture check taken by the notification server")
        shell.screenshot(artifact_path(request.node, f"{shell.name}-bubble"))
    assert bubble[0]["app"] == "Necka"
    if "shown" in shell.extra:  # the server's own list of what it shows (makoctl list)
        assert "Posture check" in [b["summary"] for b in shell.extra["shown"]()]
    assert re.search(r"action=remind kind=posture notified=True", necka.log_text())


def test_idle_is_detected(shell, spec, necka, request):
    pending(request, spec)
    necka.wait_log(rf"action=idle-source name={spec.idle_source}", timeout=5)
    shell.nudge()  # input, so the absence that follows starts now
    necka.wait_log(r"action=away since=", timeout=30)
    with at_work(shell):
        necka.wait_log(r"action=restart reason=natural-break", timeout=20)


def test_nothing_on_stderr_is_a_traceback(shell, spec, necka, request):
    pending(request, spec)
    assert necka.proc.poll() is None, necka.stderr.read_text()
    assert tracebacks(necka) == "", necka.stderr.read_text()
