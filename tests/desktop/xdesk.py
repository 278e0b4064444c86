"""Small helpers that look at and drive the headless test desktop.

Every function takes the environment (``DISPLAY``, ``DBUS_SESSION_BUS_ADDRESS``)
of the desktop it talks to, so tests never depend on the developer's own session.
Tests may poll (``wait_for``); the app under test may not.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from Xlib import X, display as xdisplay
from Xlib.error import BadDrawable, BadWindow

T = TypeVar("T")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run(env: dict, *args: str, timeout: float = 10) -> str:
    """Run a desktop tool in ``env``; a failure raises with its stderr."""
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        raise RuntimeError(f"{args[0]} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def wait_for(predicate: Callable[[], T], timeout: float, interval: float = 0.1,
             what: str = "condition") -> T:
    """Poll until ``predicate()`` is truthy and return it; TimeoutError names ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not met within {timeout} s")
        time.sleep(interval)


# --- windows -----------------------------------------------------------------

@dataclass(frozen=True)
class Win:
    """A mapped window, with its geometry relative to the root window."""
    wid: int
    x: int
    y: int
    w: int
    h: int
    pid: int | None = None   # _NET_WM_PID, if the client set it
    kind: str | None = None  # _NET_WM_WINDOW_TYPE without its prefix, e.g. "POPUP_MENU"

    @property
    def center(self) -> tuple[int, int]:
        return self.x + self.w // 2, self.y + self.h // 2


@contextlib.contextmanager
def _xconn(env: dict) -> Iterator[xdisplay.Display]:
    """A connection of its own per call: python-xlib connections are not thread-safe."""
    d = xdisplay.Display(env["DISPLAY"])
    try:
        yield d
    finally:
        d.close()


def _win(d: xdisplay.Display, w) -> Win:
    geo = w.get_geometry()
    pos = d.screen().root.translate_coords(w, 0, 0)
    pid = w.get_full_property(d.intern_atom("_NET_WM_PID"), X.AnyPropertyType)
    kind = w.get_full_property(d.intern_atom("_NET_WM_WINDOW_TYPE"), X.AnyPropertyType)
    return Win(w.id, pos.x, pos.y, geo.width, geo.height,
               pid=pid.value[0] if pid else None,
               kind=d.get_atom_name(kind.value[0]).removeprefix("_NET_WM_WINDOW_TYPE_") if kind else None)


def _wins(d: xdisplay.Display, windows, keep: Callable) -> list[Win]:
    """``Win`` of each window passing ``keep``, skipping any destroyed meanwhile
    (menus and tooltips come and go while a test polls)."""
    found = []
    for w in windows:
        with contextlib.suppress(BadWindow, BadDrawable):
            if keep(w):
                found.append(_win(d, w))
    return found


def _descendants(w) -> Iterator:
    try:
        children = w.query_tree().children
    except BadWindow:
        return
    for child in children:
        yield child
        yield from _descendants(child)


def has_tray(env: dict) -> bool:
    """Whether a tray host owns the XEmbed tray selection ``_NET_SYSTEM_TRAY_S0``."""
    with _xconn(env) as d:
        return d.get_selection_owner(d.intern_atom("_NET_SYSTEM_TRAY_S0")) != X.NONE


def tray_icons(env: dict) -> list[Win]:
    """The icons docked in the XEmbed tray, empty if there is no tray.

    The ``_NET_SYSTEM_TRAY_S0`` owner is often an invisible helper window (it
    is in trayer), so search every top-level window of the owner's X client
    for mapped descendants carrying ``_XEMBED_INFO``: the docked plugs.
    """
    with _xconn(env) as d:
        owner = d.get_selection_owner(d.intern_atom("_NET_SYSTEM_TRAY_S0"))
        if owner == X.NONE:
            return []
        xembed = d.intern_atom("_XEMBED_INFO")
        client = owner.id & ~d.display.info.resource_id_mask
        hosts = [w for w in d.screen().root.query_tree().children
                 if w.id & ~d.display.info.resource_id_mask == client]
        return _wins(d, (w for host in hosts for w in _descendants(host)),
                     lambda w: w.get_attributes().map_state == X.IsViewable
                     and w.get_full_property(xembed, X.AnyPropertyType))


def wait_tray_icon(env: dict, timeout: float = 10, pid: int | None = None) -> Win:
    """Wait for a docked icon (of process ``pid`` if given) whose geometry has
    settled, and return it: trayer maps a new icon 1 px wide, then resizes it,
    and a click aimed at the first geometry misses."""
    last = None

    def settled():
        nonlocal last
        icon = next((i for i in tray_icons(env) if pid is None or i.pid == pid), None)
        if icon and icon == last and min(icon.w, icon.h) >= 8:
            return icon
        last = icon
    return wait_for(settled, timeout, what=f"tray icon of pid {pid} docked and settled")


def popups(env: dict) -> list[Win]:
    """Mapped override-redirect top-level windows: menus, tooltips, bubbles."""
    with _xconn(env) as d:
        return _wins(d, d.screen().root.query_tree().children,
                     lambda w: (a := w.get_attributes()).override_redirect
                     and a.map_state == X.IsViewable)


def pointer_grabbed(env: dict) -> bool:
    """Whether some client holds the pointer (an open menu, or one unmapped but not yet let go:
    a click then goes to that client, not to what is under the pointer). Asked by trying a grab
    of our own and letting go at once; call it only while nothing is meant to grab."""
    with _xconn(env) as d:
        root = d.screen().root
        status = root.grab_pointer(False, 0, X.GrabModeAsync, X.GrabModeAsync, X.NONE, X.NONE, X.CurrentTime)
        if status == X.GrabSuccess:
            d.ungrab_pointer(X.CurrentTime)
            d.sync()
        return status != X.GrabSuccess


def wait_window(env: dict, name_regex: str, timeout: float = 10) -> int:
    """The id of the first visible window whose name matches ``name_regex``
    (an extended regex, matched case-insensitively by xdotool).

    Asked again until the deadline: xdotool's search fails outright (BadWindow) when a
    window it walks closes meanwhile, as menus and tooltips do."""
    def found() -> int | None:
        done = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", name_regex], env=env,
                              capture_output=True, text=True, timeout=10)
        return int(done.stdout.split()[0]) if done.returncode == 0 and done.stdout.split() else None
    try:
        return wait_for(found, timeout, what=f"a visible window named /{name_regex}/")
    except TimeoutError:
        raise TimeoutError(f"no visible window named /{name_regex}/ within {timeout} s") from None


def window_geometry(env: dict, wid: int) -> Win:
    with _xconn(env) as d:
        return _win(d, d.create_resource_object("window", wid))


# --- input -------------------------------------------------------------------

def move(env: dict, x: int, y: int) -> None:
    """Move the pointer (hover). A move to where it already is sends no event:
    no tooltip, and the idle time is not reset."""
    run(env, "xdotool", "mousemove", str(x), str(y))


def click(env: dict, x: int, y: int, button: int = 1) -> None:
    run(env, "xdotool", "mousemove", str(x), str(y), "click", str(button))


def key(env: dict, *keys: str) -> None:
    """Press keys by X keysym name, e.g. ``key(env, "Down", "Return")``."""
    run(env, "xdotool", "key", "--delay", "50", *keys)


def type_text(env: dict, text: str) -> None:
    run(env, "xdotool", "type", "--delay", "20", "--", text)


# --- screenshots -------------------------------------------------------------

def grab(env: dict, y0: int, y1: int):
    """The screen's rows ``y0``..``y1`` (whole width) as an RGB ``PIL.Image``, straight from the X
    server: milliseconds, so a test can look as often as a user's eye would (a screenshot tool
    takes ~0.2 s)."""
    from PIL import Image

    with _xconn(env) as d:
        width = d.screen().width_in_pixels
        raw = d.screen().root.get_image(0, y0, width, y1 - y0, X.ZPixmap, 0xFFFFFFFF)
    return Image.frombytes("RGB", (width, y1 - y0), raw.data, "raw", "BGRX")


def screenshot(env: dict, path: str | Path, window: int | None = None) -> Path:
    """Save the screen (or one window) as PNG; raise if nothing usable was written.

    ImageMagick's ``import`` grabs a window by id; ``scrot`` is the fallback.
    Written to a temporary name and renamed, so concurrent runs sharing
    test-artifacts/ never see half a file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.png")
    try:
        if shutil.which("import"):
            run(env, "import", "-window", hex(window) if window else "root", str(tmp))
        elif window:
            g = window_geometry(env, window)
            run(env, "scrot", "--overwrite", "--autoselect", f"{g.x},{g.y},{g.w},{g.h}", str(tmp))
        else:
            run(env, "scrot", "--overwrite", str(tmp))
        with tmp.open("rb") as f:
            if f.read(8) != PNG_MAGIC:
                raise RuntimeError(f"screenshot {path} is empty or not a PNG")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


# --- notifications (dunst) ---------------------------------------------------

# Bus address -> the last notification id that clear_notifications() hid.
# Debian 12's dunst 1.9.0 has no `dunstctl history-clear`; its ids only grow.
_cleared_up_to: dict[str, int] = {}


def _history(env: dict) -> list[dict]:
    run(env, "dunstctl", "close-all")  # `history` lists closed notifications only
    data = json.loads(run(env, "dunstctl", "history"))["data"]
    return [{k: v["data"] for k, v in n.items()} for n in (data[0] if data else [])]


def clear_notifications(env: dict) -> None:
    """Close every bubble and make ``notifications()`` forget all received so far."""
    ids = [n["id"] for n in _history(env)]
    _cleared_up_to[env["DBUS_SESSION_BUS_ADDRESS"]] = max(ids, default=0)


def notifications(env: dict) -> list[dict]:
    """Notifications dunst received since the last clear, oldest first; closes them.

    Each dict maps dunst's fields (``summary``, ``body``, ``appname``, ``id``,
    ``urgency``, ...) to plain values.
    """
    after = _cleared_up_to.get(env["DBUS_SESSION_BUS_ADDRESS"], 0)
    return sorted((n for n in _history(env) if n["id"] > after), key=lambda n: n["id"])


def displayed_count(env: dict) -> int:
    """How many notifications are on screen right now (does not close them)."""
    return int(run(env, "dunstctl", "count", "displayed"))


@contextlib.contextmanager
def repeating(every: float, step: Callable[[], object]) -> Iterator[None]:
    """Run ``step`` every ``every`` seconds on a thread of its own while the block runs."""
    import threading

    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            step()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)


def keep_active(env: dict, every: float = 0.3):
    """Press Shift every ``every`` seconds, so the X server's idle counter says a user is at work.

    Shift changes nothing in any window; a pointer move could close a menu.
    """
    return repeating(every, lambda: subprocess.run(["xdotool", "key", "shift"], env=env, capture_output=True,
                                                   timeout=5))


def idle_ms(env: dict) -> int:
    """The X server's idle counter (what Necka's X11 idle source reads)."""
    from Xlib.ext import screensaver

    with _xconn(env) as d:
        return screensaver.query_info(d.screen().root).idle


def lower(env: dict, wid: int) -> None:
    """Put a window at the bottom of the stack (xdotool 3.2016 has no windowlower)."""
    with _xconn(env) as d:
        d.create_resource_object("window", wid).configure(stack_mode=X.Below)
        d.sync()


def window_name(env: dict, wid: int) -> str:
    """A window's title (_NET_WM_NAME, else WM_NAME); '' if it has none."""
    with _xconn(env) as d:
        w = d.create_resource_object("window", wid)
        prop = w.get_full_property(d.intern_atom("_NET_WM_NAME"), d.intern_atom("UTF8_STRING"))
        if prop is not None:
            return prop.value.decode("utf-8", "replace")
        return w.get_wm_name() or ""
