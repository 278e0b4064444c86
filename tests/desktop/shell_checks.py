"""What the shell tests check on every shell, as a user's eyes and hand meet it there.

The icon is found by its teal disc in a screenshot of the panel; the host's menu is read from
screenshots too (each drawn row of text, each separator line) and driven by real pointer
clicks, so what is checked is what the host drew, not what Necka meant to send. What Necka
meant comes from its own ``com.canonical.dbusmenu`` object (``app_menu``), read once, to say
which drawn row is which item.
"""

from __future__ import annotations

import os
import re
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops

from . import xdesk
from .necka_app import Necka
from .session import FLAT_DIRS, sni_watcher
from .shells import Shell, chown_tree

TEAL = (38, 137, 128)
SESSION_TITLE = r"^Necka .+ Stretch session$"


def start_necka(shell: Shell, spawn, tmp: Path, *args: str, config: str = "") -> Necka:
    """``python -m necka_tray *args`` as the session's user, with fresh user dirs (and ``config``)."""
    home = shell.tmp / f"user-{time.monotonic_ns()}"
    env = dict(shell.env)
    for var, sub in FLAT_DIRS.items():
        if var == "XDG_RUNTIME_DIR" and (shell.as_user or "WAYLAND_DISPLAY" in shell.env):
            continue  # the session's runtime dir, as a user's apps share it: the Wayland socket is there
        (home / sub).mkdir(mode=0o700, parents=True)
        env[var] = str(home / sub)
    if config:
        (home / "config" / "necka-tray").mkdir(parents=True)
        (home / "config" / "necka-tray" / "config.toml").write_text(config)
    from necka_tray.store.state import SAFETY_SEEN, WindowMemory

    WindowMemory(home / "data" / "necka-tray" / "state.json").update(**{SAFETY_SEEN: "2000-01-01"})
    if shell.as_user:
        chown_tree(home)
    stderr = tmp / f"necka-stderr-{shell.name}.txt"
    proc = spawn([*shell.as_user, shell.python, "-m", "necka_tray", *args], env, stderr=stderr.open("w"))
    return Necka(env, proc, stderr, time.time())


def item_name(shell: Shell, necka: Necka) -> str | None:
    """Necka's entry in the watcher's list, once the shell's watcher has it."""
    pid = necka.proc.pid
    items = sni_watcher(shell.env, "RegisteredStatusNotifierItems") or ()
    # setpriv execs the app, so the pid is the app's
    return next((i for i in items if f"-{pid}-" in i), None)


def find_icon(png: Path, band: tuple[int, int]) -> tuple[int, int] | None:
    """The centre of the teal disc within the rows ``band`` (y0, y1) of a screenshot, or None."""
    with Image.open(png) as im:
        return teal_disc(im.convert("RGB"), band)


def icon_now(shell: Shell, band: tuple[int, int]) -> tuple[int, int] | None:
    """``find_icon`` on the screen as it is this moment (X11 shells): what a user's eye sees."""
    y0, y1 = band
    found = teal_disc(xdesk.grab(shell.env, y0, y1), (0, y1 - y0))
    return found and (found[0], found[1] + y0)


def teal_disc(rgb: Image.Image, band: tuple[int, int]) -> tuple[int, int] | None:
    """The centre of the biggest teal disc within the rows ``band`` of an RGB image, or None."""
    hits = [(x, y) for y in range(*band) for x in range(rgb.width)
            if all(abs(a - b) < 40 for a, b in zip(rgb.getpixel((x, y)), TEAL))]
    # the teal things in the panel, split where no teal column is for 6 px: Necka's is the biggest
    clusters: list[list] = []
    for x, y in sorted(hits):
        if clusters and x - clusters[-1][-1][0] <= 6:
            clusters[-1].append((x, y))
        else:
            clusters.append([(x, y)])
    hits = max(clusters, key=len, default=[])
    if len(hits) < 30:
        return None
    xs, ys = [x for x, _ in hits], [y for _, y in hits]
    return (min(xs) + max(xs)) // 2, (min(ys) + max(ys)) // 2


def wait_icon(shell: Shell, necka: Necka, shot: Path, band: tuple[int, int], timeout: float = 30):
    xdesk.wait_for(lambda: necka.proc.poll() is not None or item_name(shell, necka), timeout,
                   what="Necka's item registered with the shell's watcher")
    assert necka.proc.poll() is None, necka.stderr.read_text()
    return xdesk.wait_for(lambda: find_icon(shell.screenshot(shot), band), timeout, what="Necka's icon drawn")


# --- the menu Necka serves, and the menu the host drew ------------------------------------

@dataclass(frozen=True)
class Item:
    label: str
    separator: bool
    enabled: bool
    submenu: tuple["Item", ...]
    toggle: str = ""


def app_menu(shell: Shell, necka: Necka) -> tuple[Item, ...]:
    """Necka's menu as a host reads it: ``GetLayout(0, -1, [])`` on its dbusmenu object."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    bus_name = item_name(shell, necka).split("/")[0]
    with open_dbus_connection(shell.env["DBUS_SESSION_BUS_ADDRESS"]) as conn:
        menu = DBusAddress("/MenuBar", bus_name=bus_name, interface="com.canonical.dbusmenu")
        reply = conn.send_and_get_reply(new_method_call(menu, "GetLayout", "iias", (0, -1, [])), timeout=5)

    def item(node) -> Item:
        _, props, children = node
        p = {k: v[1] for k, v in props.items()}
        return Item(label=p.get("label", "").replace("__", "_"), separator=p.get("type") == "separator",
                    enabled=p.get("enabled", True), toggle=p.get("toggle-type", ""),
                    submenu=tuple(item(c[1]) for c in children if dict(c[1][1]).get("visible", ("b", True))[1]))

    return tuple(i for i in item(reply.body[1]).submenu)


@dataclass(frozen=True)
class Row:
    y0: int
    y1: int
    separator: bool

    @property
    def y(self) -> int:
        return (self.y0 + self.y1) // 2


def popup_box(before: Path, after: Path, outside=None, cell: int = 8):
    """The bounding box (x0, y0, x1, y1) of the largest connected region that changed between
    two screenshots (a new popup; not the pointer, nor a banner elsewhere), not counting changes
    inside the boxes ``outside`` (the menu a submenu opened from)."""
    from PIL import ImageDraw

    with Image.open(before) as a, Image.open(after) as b:
        diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).convert("L").point(lambda v: 255 if v > 24 else 0)
    for rect in outside or ():
        ImageDraw.Draw(diff).rectangle(rect, fill=0)
    w, h = (diff.width + cell - 1) // cell, (diff.height + cell - 1) // cell
    coarse = diff.resize((w, h), Image.BOX)  # a cell counts if anything in it changed
    on = {(x, y) for y in range(h) for x in range(w) if coarse.getpixel((x, y)) > 0}
    best: list = []
    while on:
        todo, part = [on.pop()], []
        while todo:
            x, y = todo.pop()
            part.append((x, y))
            for n in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
                if n in on:
                    on.remove(n)
                    todo.append(n)
        if len(part) > len(best):
            best = part
    if not best:
        return None
    xs, ys = [x for x, _ in best], [y for _, y in best]
    cut = diff.crop((min(xs) * cell, min(ys) * cell, (max(xs) + 1) * cell, (max(ys) + 1) * cell)).getbbox()
    return cut and (cut[0] + min(xs) * cell, cut[1] + min(ys) * cell, cut[2] + min(xs) * cell, cut[3] + min(ys) * cell)


def drawn_rows(png: Path, box) -> list[Row]:
    """The rows a menu drew inside ``box``: each band of text, and each thin wide line (a
    separator, often faint). The menu's background is its most common colour; its frame (the
    bands along its top and bottom edges) is skipped."""
    x0, y0, x1, y1 = box
    with Image.open(png) as im:
        menu = im.convert("RGB").crop((x0 + 3, y0, x1 - 3, y1))
    w, h = menu.size
    bg = max(menu.getcolors(w * h), key=lambda c: c[0])[1]
    strong, faint = [], []
    for y in range(h):
        dist = [sum(abs(a - b) for a, b in zip(menu.getpixel((x, y)), bg)) for x in range(w)]
        strong.append(sum(d > 60 for d in dist))
        faint.append(sum(d > 12 for d in dist))
    rows, y = [], 0
    while y < h:
        if not faint[y]:
            y += 1
            continue
        start = y
        while y < h and faint[y]:
            y += 1
        height = y - start
        edge = start < 10 or y > h - 10
        if edge and max(faint[start:y]) > w * 0.85:
            continue  # the frame: a line (or a rounded edge) across the whole menu
        if height <= 3 and max(faint[start:y]) > w * 0.5 and not edge:
            rows.append(Row(y0 + start, y0 + y, separator=True))
        elif height >= 5 and max(strong[start:y]):
            rows.append(Row(y0 + start, y0 + y, separator=False))
    return rows


def expected_rows(items: tuple[Item, ...]) -> list[bool]:
    """What a host that draws the menu right shows, top to bottom: True for a separator."""
    return [i.separator for i in items]


def close_session(necka: Necka) -> None:
    """End the stretch session the click opened (its helper process, as the window's close would)."""
    m = re.findall(r"action=session-start pid=(\d+)", necka.log_text())
    if m:
        with_pid = int(m[-1])
        try:
            os.kill(with_pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        necka.wait_log(rf"action=helper-end pid={with_pid}|action=session-end", timeout=15)


def tracebacks(necka: Necka) -> str:
    """What Necka printed on stderr that a user must never see."""
    text = necka.stderr.read_text(errors="replace")
    return "\n".join(line for line in text.splitlines() if re.search(r"Traceback|Exception in thread|Error:", line))

