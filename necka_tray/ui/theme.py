"""The calm look Necka's small windows share (statistics, check-in): colours, fonts, a button.

The same palette as the stretch-session window: soft sage background, deep
slate text, one teal accent, and an amber ring on whatever has the keyboard
focus, so every control can be found and used without a mouse.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import font as tkfont

BG = "#F4F7F6"
TEXT = "#1F3A44"
MUTED = "#5C7177"
ACCENT = "#2E7D73"
ACCENT_ACTIVE = "#256A61"
TROUGH = "#DCE8E5"
BORDER = "#C5D5D1"
FOCUS = "#E39B3B"
WHITE = "#FFFFFF"

FONT_FAMILIES = ("Cantarell", "Inter", "Noto Sans", "Ubuntu", "Segoe UI", "Helvetica Neue", "DejaVu Sans")


def pixel_scale(root: tk.Misc) -> float:
    """Pixels per 1/96 inch: sizes grow on dense screens."""
    return max(1.0, root.winfo_fpixels("1i") / 96.0)


def make_fonts(root: tk.Misc) -> dict[str, tkfont.Font]:
    families = set(tkfont.families(root))
    family = next((f for f in FONT_FAMILIES if f in families), tkfont.nametofont("TkDefaultFont").actual("family"))

    def font(size: int, weight: str = "normal") -> tkfont.Font:
        return tkfont.Font(root=root, family=family, size=size, weight=weight)

    return {"title": font(16, "bold"), "body": font(12), "button": font(11, "bold"), "small": font(10),
            "small_bold": font(10, "bold")}


def button(parent: tk.Misc, text: str, command: Callable[[], None], font: tkfont.Font, px: float = 1.0,
           primary: bool = False, **kw) -> tk.Button:
    """A flat button whose border turns amber with the focus; Enter and Space press it."""
    b = tk.Button(
        parent, text=text, command=command, font=font, relief="flat", bd=0, cursor="hand2", takefocus=True,
        padx=round(kw.pop("padx", 14) * px), pady=round(kw.pop("pady", 7) * px),
        bg=ACCENT if primary else WHITE, fg=WHITE if primary else TEXT,
        activebackground=ACCENT_ACTIVE if primary else TROUGH, activeforeground=WHITE if primary else TEXT,
        highlightthickness=max(2, round(3 * px)), highlightbackground=ACCENT if primary else BORDER,
        highlightcolor=FOCUS, **kw,
    )
    for key in ("<Return>", "<KP_Enter>", "<space>"):
        b.bind(key, lambda e: (b.invoke(), "break")[1])
    return b
