"""The one button every Necka window uses: flat, in the window's palette, with a focus ring.

The palettes and fonts live in ``palette.py`` (soft sage background, deep
slate text, one teal accent, an amber ring on whatever has the keyboard
focus; and a high-contrast look), so a change to them reaches every window.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import font as tkfont

from necka_tray.windows.palette import DEFAULT, Palette


def button(parent: tk.Misc, text: str, command: Callable[[], None], font: tkfont.Font, px: float = 1.0,
           primary: bool = False, palette: Palette = DEFAULT, **kw) -> tk.Button:
    """A flat button whose border turns to the focus colour with the focus; Enter and Space press it."""
    p = palette
    b = tk.Button(
        parent, text=text, command=command, font=font, relief="flat", bd=0, cursor="hand2", takefocus=True,
        padx=round(kw.pop("padx", 14) * px), pady=round(kw.pop("pady", 7) * px),
        bg=p.accent if primary else p.surface, fg=p.on_accent if primary else p.text,
        activebackground=p.accent_active if primary else p.trough, activeforeground=p.on_accent if primary else p.text,
        highlightthickness=max(2, round(p.focus_width * px)), highlightbackground=p.accent if primary else p.border,
        highlightcolor=p.focus, **kw,
    )
    for key in ("<Return>", "<KP_Enter>", "<space>"):
        b.bind(key, lambda e: (b.invoke(), "break")[1])
    return b
