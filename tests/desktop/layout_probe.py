"""Run one of Necka's windows, and instead of its main loop measure what it shows.

    python tests/desktop/layout_probe.py OUT.json PNG WINDOW [ARGS...]

``WINDOW`` is ``session``, ``stats`` or ``checkin``; the window is built by its own
``main`` (the user's settings, language and text size, as when the tray opens it).
Once it is on screen, every visible label and button is checked from Tk's geometry:
not clipped (its size is at least what it asks for), inside the window, not overlapping
another, the window inside the screen; each table heading fits its column. The window
is saved to ``PNG`` (ImageMagick's ``import``), the problems to ``OUT.json``, then it closes.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
import tkinter as tk
from pathlib import Path
from tkinter import font as tkfont
from tkinter import ttk

TEXT_CLASSES = {"Label", "Button", "Checkbutton", "Radiobutton", "Message", "TLabel", "TButton"}


def rect(w: tk.Misc) -> tuple[int, int, int, int]:
    return w.winfo_rootx(), w.winfo_rooty(), w.winfo_width(), w.winfo_height()


def inside(a, b, slack: int = 1) -> bool:
    return (a[0] >= b[0] - slack and a[1] >= b[1] - slack and a[0] + a[2] <= b[0] + b[2] + slack
            and a[1] + a[3] <= b[1] + b[3] + slack)


def overlap(a, b) -> bool:
    return min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]) > 1 and min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]) > 1


def walk(w: tk.Misc):
    yield w
    for child in w.winfo_children():
        yield from walk(child)


def name(w: tk.Misc) -> str:
    try:
        text = str(w.cget("text"))
    except tk.TclError:
        text = ""
    return f"{w.winfo_class()} {text[:40]!r}"


def problems(root: tk.Tk) -> list[str]:
    out = []
    top = rect(root)
    screen = (0, 0, root.winfo_screenwidth(), root.winfo_screenheight())
    if not inside(top, screen, 0):
        out.append(f"the window {top} is not inside the {screen[2]}x{screen[3]} screen")
    leaves = []
    for w in walk(root):
        if w is root or not w.winfo_ismapped():
            continue
        r = rect(w)
        if not inside(r, top):
            out.append(f"{name(w)} at {r} is outside the window {top}")
        if w.winfo_class() in TEXT_CLASSES and str(w.cget("text")).strip():
            if w.winfo_width() < w.winfo_reqwidth() - 1 or w.winfo_height() < w.winfo_reqheight() - 1:
                out.append(f"{name(w)} is clipped: {w.winfo_width()}x{w.winfo_height()} shown, "
                           f"{w.winfo_reqwidth()}x{w.winfo_reqheight()} needed")
            leaves.append((r, w))
        if isinstance(w, ttk.Treeview):
            style = ttk.Style(w)
            heading_font = style.lookup(f"{w.cget('style') or 'Treeview'}.Heading", "font") or "TkHeadingFont"
            f = tkfont.Font(root=w, font=heading_font)
            for col in w.cget("columns"):
                text = w.heading(col, "text")
                if f.measure(text) + 4 > int(w.column(col, "width")):
                    out.append(f"table heading {text!r} ({f.measure(text)} px) is wider than its column "
                               f"({w.column(col, 'width')} px)")
    for (a, wa), (b, wb) in itertools.combinations(leaves, 2):
        if overlap(a, b):
            out.append(f"{name(wa)} at {a} overlaps {name(wb)} at {b}")
    return out


def kept_share() -> dict:
    """Records how much of the asked text size the window kept (``Window.fit_text``)."""
    from necka_tray.windows import base

    seen = {"text_kept": 1.0}
    fit = base.Window.fit_text

    def recording(self, *args, **kwargs):
        fit(self, *args, **kwargs)
        seen["text_kept"] = self.text_kept

    base.Window.fit_text = recording
    return seen


def probe(out: Path, png: Path, seen: dict):
    def mainloop(self, n: int = 0) -> None:  # replaces Tk's: measure, save, close
        root = self._root()
        deadline = time.monotonic() + 15
        while not root.winfo_viewable() and time.monotonic() < deadline:
            root.update()
            time.sleep(0.02)
        end = time.monotonic() + 0.8  # let the first screen settle (fonts, images, after() callbacks)
        while time.monotonic() < end:
            root.update()
            time.sleep(0.02)
        found = problems(root) if root.winfo_viewable() else ["the window never appeared"]
        frame = int(root.wm_frame(), 16)
        subprocess.run(["import", "-window", str(frame), str(png)], check=False, timeout=20,
                       capture_output=True)
        out.write_text(json.dumps({"problems": found, "geometry": rect(root), "title": root.title(), **seen},
                                  ensure_ascii=False))
        root.destroy()

    return mainloop


def main() -> int:
    out, png, window, *args = sys.argv[1:]
    tk.Misc.mainloop = probe(Path(out), Path(png), kept_share())
    module = {"session": "session_window", "stats": "stats_window", "checkin": "checkin"}[window]
    from importlib import import_module

    from necka_tray.cli import use_language

    use_language()  # as the command line does before it opens a window
    import_module(f"necka_tray.windows.{module}").main(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
