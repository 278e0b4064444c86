"""The tray icon on an X11 system tray (XEmbed), on python-xlib alone: no GTK in the tray process.

Why not pystray's gtk backend here: importing GTK through PyGObject costs
~16 MiB of private memory and ~0.2 s before the icon can show, more than all
of Necka's own work, and pystray's xorg backend has no menu and ignores
clicks. This adapter docks a plain X window into the tray (the freedesktop
system-tray protocol) and puts the icon's pixels into it itself (drawn once
per size by a helper process: ``windows/icon_bitmaps.py``, so Pillow never loads
here either), runs the default action on a left click, pauses or resumes
reminders on a middle click, and shows the menu on a right click and the
tooltip on a hover as short-lived Tk processes (``xembed_popups.py`` ->
``windows/popup_menu.py``).

Threads: the X connection belongs to the thread in ``run`` (python-xlib is not
thread-safe); ``render`` and ``stop`` queue a call and wake that thread through
a pipe. The loop blocks in ``select`` without a timeout, except while a
tooltip waits to show: an idle tray never wakes up.

A tray host that starts after Necka, or restarts, announces itself with a
``MANAGER`` message on the root window; the icon then docks (again).
"""

from __future__ import annotations

import logging
import os
import select
import threading
import time
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from Xlib import X, Xatom, Xutil, error as xerror
from Xlib.protocol import event as xevent

from necka_tray.desktop.platform import x11
from necka_tray.tray import backend
from necka_tray.tray.xembed_popups import Popups

if TYPE_CHECKING:  # only types: the planner is not needed before the icon docks
    from necka_tray.core.actions import Action
    from necka_tray.core.planner import TrayView
    from necka_tray.tray.menu_model import Entry

logger = logging.getLogger(__name__)


REQUEST_DOCK = 0  # _NET_SYSTEM_TRAY_OPCODE
XEMBED_MAPPED = 1  # _XEMBED_INFO flags
FIRST_SIZE = 22  # until the tray host gives the icon its size
TOOLTIP_DELAY_S = 0.5
_EVENTS = (X.ExposureMask | X.StructureNotifyMask | X.ButtonPressMask | X.ButtonReleaseMask
           | X.EnterWindowMask | X.LeaveWindowMask)


class XEmbedTray:
    """The ``backend.TrayBackend`` on an XEmbed system tray."""

    has_default_action = True
    has_secondary_action = True  # a middle click: pause 30 min / resume
    has_menu = True

    def __init__(self, on_action: Callable[[Action], None], cache_dir: Path, display_name: str | None = None) -> None:
        from necka_tray.children.processes import Children

        self._on_action = on_action
        self._cache_dir = Path(cache_dir)
        self._children = Children(post=self._call)  # helpers' results come back on the X thread
        self._popups = Popups(self._children, on_action)  # the menu and tooltip processes
        self._drawing = None  # the helper process drawing the icon bitmaps, while it runs
        self._d = x11.take(display_name if display_name is not None else os.environ.get("DISPLAY"))
        self._d.set_error_handler(self._x_error)
        self._root = self._d.screen().root
        atom = self._d.intern_atom
        self._selection = atom(f"_NET_SYSTEM_TRAY_S{self._d.get_default_screen()}")
        self._manager = atom("MANAGER")
        self._opcode = atom("_NET_SYSTEM_TRAY_OPCODE")
        self._tray_visual = atom("_NET_SYSTEM_TRAY_VISUAL")
        self._xembed_info = atom("_XEMBED_INFO")
        self._wm_pid = atom("_NET_WM_PID")
        self._net_wm_name = atom("_NET_WM_NAME")
        self._utf8 = atom("UTF8_STRING")
        self._orientation = atom("_NET_SYSTEM_TRAY_ORIENTATION")
        self._vertical = False
        self._calls: deque[tuple[Callable[..., None], tuple]] = deque()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._running = False
        self._win = None  # our icon window, None until created (or after the tray destroyed it)
        self._gc = None
        self._depth = 0
        self._argb = False  # the tray gave us a 32-bit visual: draw with alpha, no background
        self._size = (FIRST_SIZE, FIRST_SIZE)
        self._viewable = False
        self._pressed = 0
        # The latest view and menu, replaced whole by ``render`` (any thread), read by the X thread.
        self._view: TrayView | None = None
        self._entries: tuple[Entry, ...] = ()
        self._drawn_key: tuple | None = None  # the icon_key on screen
        self._title = ""  # the window title set last (the tooltip text)
        self._tooltip_due: float | None = None
        self._early_click: tuple[int, int, int] | None = None  # (button, x, y) before the first render
        self._early_tooltip = False  # the pointer rests on the icon, the tooltip waits for the first render

    # -- the interface the app uses (any thread) ----------------------------------

    def run(self, setup: Callable[[], None]) -> None:
        """Dock the icon, start ``setup`` on its own thread and run the X loop on this one."""
        self._root.change_attributes(event_mask=X.StructureNotifyMask)  # MANAGER messages
        self._running = True
        self._dock()
        self._d.flush()
        threading.Thread(target=setup, name="setup", daemon=True).start()
        try:
            self._loop()
        except (xerror.ConnectionClosedError, OSError) as exc:
            logger.warning("The X display went away (%s); Necka quits.", exc)
        finally:
            # The wake-up pipe stays open: ``stop`` may still be called (the app quitting after
            # the display went away), and a closed descriptor number can be reused by a file.
            self._running = False
            self._popups.close_menu()
            self._hide_tooltip()

    def render(self, view: TrayView, entries: tuple[Entry, ...]) -> None:
        """Keep the view and the menu; wake the X thread only when something on screen changes.

        The menu is built when it opens, so a new menu costs nothing until then.
        The tooltip text also becomes the icon window's title, as GTK's status icon
        does: trays that proxy XEmbed icons and accessibility tools read it there.
        """
        old = self._view
        self._entries = entries  # before the view: a click that sees the view must see its menu
        self._view = view
        if old is None or old.icon_key != view.icon_key or old.tooltip != view.tooltip:
            self._call(self._apply)  # (a tooltip that shows gets the new text too)

    def stop(self) -> None:
        self._call(self._quit)

    # -- the X thread --------------------------------------------------------------

    def _call(self, fn: Callable[..., None], *args: Any) -> None:
        self._calls.append((fn, args))
        try:
            os.write(self._wake_w, b"\0")
        except (BlockingIOError, OSError):
            pass  # already woken (pipe full), or the loop has ended

    def _loop(self) -> None:
        fd = self._d.fileno()
        while self._running:
            if not self._d.pending_events() and not self._calls:
                timeout = None if self._tooltip_due is None else max(0.0, self._tooltip_due - time.monotonic())
                ready, _, _ = select.select([fd, self._wake_r], [], [], timeout)
                if self._wake_r in ready:
                    while True:
                        try:
                            if not os.read(self._wake_r, 4096):
                                break
                        except BlockingIOError:
                            break
            while self._calls and self._running:
                fn, args = self._calls.popleft()
                self._guarded(fn, *args)
            while self._running and self._d.pending_events():
                self._guarded(self._handle, self._d.next_event())
            if self._tooltip_due is not None and time.monotonic() >= self._tooltip_due:
                self._tooltip_due = None
                self._show_tooltip()
            self._d.flush()

    def _guarded(self, fn: Callable[..., None], *args: Any) -> None:
        """A bug in drawing or in one event must not take the tray down with it."""
        try:
            fn(*args)
        except xerror.ConnectionClosedError:
            raise
        except Exception:
            logger.exception("action=tray-event fn=%s failed", getattr(fn, "__name__", fn))

    def _quit(self) -> None:
        self._running = False
        self._hide_tooltip()
        if self._win is not None:
            self._win.destroy()  # the tray host drops the icon
            self._win = None
        self._d.flush()

    def _x_error(self, err, request) -> None:
        # BadWindow and friends after the tray host died under us: expected, the icon docks again.
        logger.debug("X error %s", err)

    # -- docking -------------------------------------------------------------------

    def _dock(self) -> None:
        """Ask the tray host to embed the icon; without one, wait for its MANAGER message."""
        owner = self._d.get_selection_owner(self._selection)
        if not getattr(owner, "id", 0):
            logger.info("action=tray-wait reason=no-system-tray")
            return
        if self._win is None:
            self._create_window(owner)
        self._vertical = x11.tray_is_vertical(owner, self._orientation)
        message = xevent.ClientMessage(window=owner, client_type=self._opcode,
                                       data=(32, [X.CurrentTime, REQUEST_DOCK, self._win.id, 0, 0]))
        owner.send_event(message, event_mask=X.NoEventMask)
        logger.info("action=dock tray=%#x window=%#x", owner.id, self._win.id)

    def _create_window(self, owner) -> None:
        visual = x11.tray_argb_visual(self._d, owner, self._tray_visual)
        w, h = self._size
        if visual:
            colormap = self._root.create_colormap(visual, X.AllocNone)
            self._win = self._root.create_window(0, 0, w, h, 0, 32, X.InputOutput, visual, event_mask=_EVENTS,
                                                 background_pixel=0, border_pixel=0, colormap=colormap)
            self._depth, self._argb = 32, True
        else:
            # The tray's own background shows through; the icon is blended onto it when drawn.
            self._win = self._root.create_window(0, 0, w, h, 0, X.CopyFromParent, X.InputOutput,
                                                 X.CopyFromParent, event_mask=_EVENTS,
                                                 background_pixmap=X.ParentRelative)
            self._depth, self._argb = self._d.screen().root_depth, False
        self._lsb_first = self._d.display.info.image_byte_order == X.LSBFirst  # B G R X in memory (24-bit)
        self._set_title(self._view.tooltip if self._view else "Necka")
        self._win.set_wm_class("necka-tray", "Necka")
        self._win.change_property(self._wm_pid, Xatom.CARDINAL, 32, [os.getpid()])
        self._win.change_property(self._xembed_info, self._xembed_info, 32, [0, XEMBED_MAPPED])
        self._ask_size(FIRST_SIZE)
        self._gc = self._win.create_gc()
        self._viewable = False

    def _ask_size(self, side: int) -> None:
        """Trays size an icon from its minimum size hint (GtkSocket-based ones like trayer do)."""
        self._win.set_wm_normal_hints(flags=Xutil.PMinSize | Xutil.PBaseSize, min_width=side, min_height=side,
                                      base_width=side, base_height=side)

    # -- events --------------------------------------------------------------------

    def _handle(self, ev) -> None:
        win = self._win
        if ev.type == X.ClientMessage and ev.window == self._root:
            if ev.client_type == self._manager and ev.data[1][1] == self._selection:
                logger.info("action=tray-host-started")
                self._dock()
            return
        if win is None or getattr(ev, "window", None) != win:
            return
        if ev.type == X.Expose and ev.count == 0:
            self._viewable = True
            self._paint()
        elif ev.type == X.ConfigureNotify:
            if (ev.width, ev.height) != self._size:
                self._size = (ev.width, ev.height)
                self._paint()
            # A square icon as wide as the panel is high (or as high as it is wide).
            side = ev.width if self._vertical else ev.height
            if side >= 8 and (ev.width, ev.height) != (side, side):
                self._ask_size(side)
        elif ev.type == X.MapNotify:
            self._viewable = True
        elif ev.type == X.UnmapNotify:
            self._viewable = False
            self._hide_tooltip()
        elif ev.type == X.ReparentNotify and ev.parent == self._root:
            # The tray host went away and the server handed the icon back to the root
            # window: hide it until a new tray host asks for it.
            logger.info("action=tray-host-gone")
            win.unmap()
            self._hide_tooltip()
        elif ev.type == X.DestroyNotify:
            logger.info("action=tray-host-gone window=destroyed")
            self._win = None
            self._hide_tooltip()
        elif ev.type == X.EnterNotify:
            self._tooltip_due = time.monotonic() + TOOLTIP_DELAY_S
        elif ev.type == X.LeaveNotify:
            self._hide_tooltip()
        elif ev.type == X.ButtonPress:
            self._pressed = ev.detail
            self._hide_tooltip()
        elif ev.type == X.ButtonRelease and ev.detail == self._pressed:
            self._pressed = 0
            inside = 0 <= ev.event_x < self._size[0] and 0 <= ev.event_y < self._size[1]
            if inside:
                self._click(ev.detail, ev.root_x, ev.root_y)

    def _click(self, button: int, x: int, y: int) -> None:
        """Left: the default action; middle: ``backend.secondary_action``; right: the menu. The icon
        docks before the app has drawn its first menu: a click then is kept and answered at that
        first render, never lost (an empty menu, a default action that does nothing)."""
        if button not in (1, 2, 3):
            return
        if self._view is None:
            logger.info("action=click-early button=%s", button)
            self._early_click = (button, x, y)
        elif button == 1:
            self._default_action()
        elif button == 2:
            self._on_action(backend.secondary_action(self._entries))
        else:
            self._open_menu(x, y)

    def _apply(self) -> None:
        view = self._view
        if view is None:
            return
        if self._early_click is not None:
            click, self._early_click = self._early_click, None
            self._click(*click)
        if self._early_tooltip:
            self._early_tooltip = False
            self._show_tooltip()
        if view.icon_key != self._drawn_key:
            self._paint()
        if self._win is not None and view.tooltip != self._title:
            self._set_title(view.tooltip)
            self._popups.tell_tooltip(view.tooltip)

    def _set_title(self, text: str) -> None:
        self._title = text
        self._win.set_wm_name(text.encode("latin-1", "replace"))
        self._win.change_property(self._net_wm_name, self._utf8, 8, text.encode("utf-8"))

    # -- drawing -------------------------------------------------------------------

    def _paint(self) -> None:
        if self._win is None or not self._viewable:
            return
        from necka_tray.store import icon_cache
        from necka_tray.tray import icon_pixels

        w, h = self._size
        side = min(w, h)
        if side < 8:
            return  # trays map a new icon 1 px wide first, then give it its size
        key = self._view.icon_key if self._view else (0, False, False)
        cache = icon_cache.cache_file(self._cache_dir, side)
        pixels = icon_cache.read(cache, key, side)
        if pixels is None:
            self._draw_bitmaps(side, cache)  # paints when they are ready
            return
        try:
            if self._argb:
                data = icon_pixels.premultiplied_bgra(pixels, w, h, side)
            else:
                self._win.clear_area()  # the tray's background, then blend the icon onto it
                background = self._win.get_image(0, 0, w, h, X.ZPixmap, 0xFFFFFFFF).data
                data = icon_pixels.blend(pixels, background, w, h, side, self._lsb_first)
            self._win.put_image(self._gc, 0, 0, w, h, X.ZPixmap, self._depth, 0, data)
            self._drawn_key = key
        except (xerror.XError, ValueError, IndexError) as exc:  # the window went away meanwhile, an odd visual
            logger.debug("action=paint failed (%s)", exc)

    def _draw_bitmaps(self, side: int, cache: Path) -> None:
        """Have a helper process draw this size's icons (once per size and version), then paint."""
        if self._drawing is not None and self._drawing.poll() is None:
            return

        def drawn(_message, code: int) -> None:
            if code == 0:
                self._paint()

        self._drawing = self._children.start("icons", str(side), str(cache), on_end=drawn)

    # -- clicks, menu, tooltip -------------------------------------------------------

    def _default_action(self) -> None:
        action = backend.default_action(self._entries)
        if action is not None:
            self._on_action(action)

    def _open_menu(self, x: int, y: int) -> None:
        self._popups.open_menu(x, y, self._entries)

    def _show_tooltip(self) -> None:
        """A hover before the app's first render shows the tooltip at that render (its text is not
        known yet)."""
        if self._view is None:
            self._early_tooltip = True
            return
        if self._win is None or not self._viewable or self._popups.tooltip_shows:
            return
        pos = self._root.translate_coords(self._win, 0, 0)
        self._popups.show_tooltip(self._view.tooltip, (pos.x, pos.y, *self._size))

    def _hide_tooltip(self) -> None:
        self._tooltip_due = None
        self._early_tooltip = False
        self._popups.hide_tooltip()
