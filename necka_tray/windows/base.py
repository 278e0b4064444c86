"""What every Necka window shares: the user's look, its text size, placement, arguments, the result.

Each window (stretch session, statistics, check-in, info pages) is a
short-lived process of its own. They all start the same way: the settings'
``session.theme`` and ``session.text_scale`` become a ``Look``; a hidden Tk
root gets the desktop's DPI (``scaling``), the look's palette and fonts, and
its title through gettext; once built, ``Window.show`` centres it on the
monitor the user looks at (``monitors``) and raises it; at the end it prints
one JSON line for the tray (``emit``). Arguments are parsed with one-line
errors (``parser``). Nothing here imports the tray or the command line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tkinter as tk
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from necka_tray.children.commandline import one_line_errors
from necka_tray.texts.i18n import _
from necka_tray.windows import monitors, palette, scaling, theme
from necka_tray.windows.palette import DEFAULT, Palette

#: Room left around a window for panels and its title bar (1/96 inch), above and below, and beside it.
SCREEN_MARGIN, SIDE_MARGIN = 72, 16
#: The most of the monitor's width a paragraph may take, however large the text.
WRAP_SHARE = 0.8
#: Fitting a window to a small monitor makes its text this much smaller per step, never below ``FIT_FLOOR``
#: of the size asked for (a window that still does not fit then scrolls or is moved by the window manager).
FIT_STEP, FIT_FLOOR = 0.05, 0.5


@dataclass(frozen=True)
class Look:
    """The user's choices for every window: colours and text size."""

    palette: Palette = DEFAULT
    text_scale: float = 1.0

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Look:
        return cls(palette.PALETTES.get(settings["session.theme"], DEFAULT), float(settings["session.text_scale"]))


def user_settings() -> Mapping[str, Any]:
    """The user's settings, loaded once per window process (a bad file: its defaults, said on stderr)."""
    from necka_tray.store import config
    from necka_tray.store.paths import AppPaths

    return config.load(AppPaths.for_user().config_file).settings


def parser(prog: str, description: str) -> argparse.ArgumentParser:
    """An argument parser whose errors are one line naming the problem, exit 2; the window's
    warnings (a broken routines.toml) go to stderr as one ``necka-tray:`` line each, like the CLI's."""
    import logging

    log = logging.getLogger("necka_tray")
    if not log.handlers:  # the tray's own log (store/logs.py) is never set up in a window's process
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("necka-tray: %(message)s"))
        handler.setLevel(logging.WARNING)
        from necka_tray.children import helpers

        # In a window the tray started, the tray has said the routines file's problem already (and its
        # stderr is the tray's): said again by each window, the tray's terminal had it once per session.
        handler.addFilter(lambda record: not (helpers.started_by_tray() and record.name == "necka_tray.store.routines"))
        log.addHandler(handler)
    p = argparse.ArgumentParser(prog=prog, description=description)
    one_line_errors(p)
    return p


def emit(message) -> bool:
    """The window's result for the tray: one ``protocol`` message, one JSON line on stdout.
    False when no one reads it any more (the tray died): the caller keeps it itself."""
    import os
    import sys

    from necka_tray.children import protocol

    try:
        if sys.stdout is not None and sys.stdout.isatty():  # a person's terminal (necka-tray session, then Ctrl+C): no JSON for them
            return True
        print(protocol.encode(message), flush=True)
    except (BrokenPipeError, ValueError):  # ValueError: stdout already closed
        try:  # no second error when Python flushes stdout at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return False
    return True


def new_root() -> tk.Tk:
    """The window's Tk root; no display is ``NoDisplay`` (one line and its own exit code), not a TclError."""
    try:
        return tk.Tk(className="Necka")
    except tk.TclError as exc:
        from necka_tray.children.commandline import NoDisplay

        display = os.environ.get("DISPLAY")
        if not display:
            raise NoDisplay(_("no graphical display: DISPLAY is not set. Start Necka from your desktop session.")) from None
        raise NoDisplay(_("cannot open the X display {display} ({error}). Start Necka from your desktop session.").format(
            display=repr(display), error=type(exc).__name__)) from None


class Window:
    """A Tk root in the user's look, hidden while it is built; ``show`` puts it on screen."""

    def __init__(self, root: tk.Tk, title: str, look: Look | None = None) -> None:
        self.root = root
        self.look = look or Look()
        self.pal = self.look.palette
        self.px = scaling.apply(root)
        self.fonts = palette.make_fonts(root, self.look.text_scale)
        # Hidden while it is built and measured (measuring runs idle tasks, which
        # would otherwise map a half-built window), shown once, in place.
        root.withdraw()
        root.title(title)
        root.configure(bg=self.pal.bg)
        self._monitor: monitors.Rect | None = None
        #: The share of the asked text size the window shows (below 1 only when it had to fit a small monitor).
        self.text_kept = 1.0

    def monitor(self) -> monitors.Rect:
        """The monitor the window opens on (the one the user looks at while it is built)."""
        if self._monitor is None:
            self._monitor = monitors.current(self.root)
        return self._monitor

    def room(self) -> tuple[int, int]:
        """The largest window (width, height) that fits that monitor beside its panels and title bar."""
        m = self.monitor()
        return m.width - round(SIDE_MARGIN * self.px), m.height - round(SCREEN_MARGIN * self.px)

    def wrap(self, width: int) -> int:
        """A text width of ``width`` (1/96 inch) at this screen's density, wider for larger text,
        but never wider than most of the monitor: large text wraps into more lines instead."""
        return min(round(width * self.px * max(1.0, self.look.text_scale)), round(self.room()[0] * WRAP_SHARE))

    def fit_text(self, relayout: Callable[[], None] = lambda: None) -> None:
        """The last resort for a window still larger than its monitor after its own ways to fit
        (wrapping, a smaller picture, fewer rows): the largest text that fits, a step at a time.
        ``relayout`` re-measures what the window sized from its text (fixed heights, columns)."""
        root, (width, height) = self.root, self.room()
        root.update_idletasks()
        while ((root.winfo_reqwidth() > width or root.winfo_reqheight() > height)
               and self.text_kept - FIT_STEP >= FIT_FLOOR - 1e-9):
            self.text_kept = round(self.text_kept - FIT_STEP, 2)
            palette.resize_fonts(self.fonts, self.look.text_scale * self.text_kept)
            relayout()
            root.update_idletasks()

    def button(self, parent: tk.Misc, text: str, command: Callable[[], None], primary: bool = False,
               font: str = "button", **kw) -> tk.Button:
        return theme.button(parent, text, command, self.fonts[font], self.px, primary=primary, palette=self.pal,
                            **kw)

    def label(self, parent: tk.Misc, text: str, font: str = "body", fg: str | None = None, **kw) -> tk.Label:
        return tk.Label(parent, text=text, font=self.fonts[font], fg=fg or self.pal.text, bg=parent.cget("bg"), **kw)

    def show(self, height_share: int = 3, keep: monitors.Rect | None = None, resizable: bool = True) -> None:
        """Centre the window on the monitor the user looks at (or keep it at ``keep``, a place
        remembered from last time, if that lies on that monitor), then raise it with the focus."""
        root = self.root
        root.update_idletasks()
        w, h = root.winfo_reqwidth(), root.winfo_reqheight()
        here = self.monitor()
        x, y = monitors.centred(here, w, h, height_share)
        size = ""
        if keep is not None:
            want = monitors.Rect(keep.x, keep.y, max(w, keep.width), max(h, keep.height))
            if here.holds(want):
                x, y = want.x, want.y
                size = f"{want.width}x{want.height}" if (want.width, want.height) != (w, h) else ""
        root.geometry(f"{size}+{x}+{y}")
        if resizable:
            root.minsize(w, h)
        else:
            root.resizable(False, False)
        root.deiconify()
        root.lift()
        root.attributes("-topmost", True)
        # Only to get in front once; staying on top would be rude.
        root.after(800, lambda: root.attributes("-topmost", False))

    def geometry(self) -> monitors.Rect | None:
        """Where the window is now (for remembering it), or None if the window manager says nothing useful."""
        m = re.fullmatch(r"(\d+)x(\d+)\+(-?\d+)\+(-?\d+)", self.root.wm_geometry())
        if m is None:
            return None
        width, height, x, y = map(int, m.groups())
        return monitors.Rect(x, y, width, height)


def open_page(page: str) -> None:
    """Show one of Necka's pages ("care", "relief") in its own process; the caller does not wait for it."""
    import subprocess
    import sys

    from necka_tray.children.helpers import command

    try:
        subprocess.Popen(command("info", page), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         start_new_session=True)
    except OSError as exc:
        from necka_tray.texts.i18n import _

        print("necka-tray: " + _("could not open the page: {error}").format(error=exc), file=sys.stderr)
