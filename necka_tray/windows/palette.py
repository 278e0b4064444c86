"""The two looks of Necka's windows, and their fonts at the user's text size.

``DEFAULT`` is the calm one (soft sage background, deep slate text, one teal
accent, an amber focus ring); ``HIGH_CONTRAST`` is black on white with a
dark-blue accent and a thick magenta focus ring, every text at 7:1 contrast
or more (``session.theme = "high-contrast"``). Fonts are sized in points, so
they follow Tk's scaling (the desktop's DPI, see ``scaling.py``), times the
``session.text_scale`` setting.
"""

from __future__ import annotations

import tkinter as tk
from dataclasses import dataclass
from tkinter import font as tkfont

FONT_FAMILIES = ("Cantarell", "Inter", "Noto Sans", "Ubuntu", "Segoe UI", "Helvetica Neue", "DejaVu Sans")


@dataclass(frozen=True)
class Palette:
    name: str
    bg: str
    text: str
    muted: str  # secondary text
    accent: str  # step label, safety cues, progress, primary buttons
    accent_active: str
    on_accent: str  # text on a primary button
    surface: str  # secondary buttons
    trough: str  # the progress bar's empty part, a pressed secondary button
    border: str
    paused: str
    focus: str  # the ring around whatever has the keyboard focus
    focus_width: int  # in 1/96 inch
    high_contrast: bool = False


DEFAULT = Palette(
    name="default", bg="#F4F7F6", text="#1F3A44", muted="#5C7177", accent="#2E7D73", accent_active="#256A61",
    on_accent="#FFFFFF", surface="#FFFFFF", trough="#DCE8E5", border="#C5D5D1", paused="#9A5312",
    focus="#E39B3B", focus_width=3,
)
HIGH_CONTRAST = Palette(
    name="high-contrast", bg="#FFFFFF", text="#000000", muted="#1A1A1A", accent="#0B3D91", accent_active="#072A66",
    on_accent="#FFFFFF", surface="#FFFFFF", trough="#B8B8B8", border="#000000", paused="#8A2E00",
    focus="#C8006E", focus_width=5, high_contrast=True,
)
PALETTES = {p.name: p for p in (DEFAULT, HIGH_CONTRAST)}

#: Point sizes at text scale 1.
SIZES = {"title": 20, "heading": 14, "body": 12, "cue": 11, "count": 34, "button": 11, "small": 10,
         "small_bold": 10}
_STYLE = {"title": ("bold", "roman"), "heading": ("bold", "roman"), "cue": ("normal", "italic"),
          "count": ("bold", "roman"), "button": ("bold", "roman"), "small_bold": ("bold", "roman")}


#: Families with the glyphs (and the right glyph shapes) of languages written in Han characters.
CJK_FAMILIES = {
    "ja": ("Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "WenQuanYi Micro Hei", "Droid Sans Fallback"),
    "zh": ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "Droid Sans Fallback"),
}


def family(root: tk.Misc) -> str:
    """The first installed family for the user's language (a CJK one for Japanese and Chinese)."""
    from necka_tray.texts.i18n import language

    families = set(tkfont.families(root))
    wanted = CJK_FAMILIES.get(language().split("_")[0], ()) + FONT_FAMILIES
    return next((f for f in wanted if f in families), tkfont.nametofont("TkDefaultFont").actual("family"))


def make_fonts(root: tk.Misc, scale: float = 1.0) -> dict[str, tkfont.Font]:
    """Named fonts at ``scale`` times their point size (Tk turns points into pixels by its DPI)."""
    name = family(root)
    return {
        key: tkfont.Font(root=root, family=name, size=point_size(key, scale),
                         weight=_STYLE.get(key, ("normal", "roman"))[0], slant=_STYLE.get(key, ("normal", "roman"))[1])
        for key in SIZES
    }


def point_size(key: str, scale: float) -> int:
    return max(6, round(SIZES[key] * scale))


def resize_fonts(fonts: dict[str, tkfont.Font], scale: float) -> None:
    """Every named font at ``scale``; Tk redraws and re-measures each widget that uses one."""
    for key, font in fonts.items():
        font.configure(size=point_size(key, scale))


def bullets(parent: tk.Misc, items, font: tkfont.Font, fg: str, wrap: int, px: float = 1.0) -> tk.Frame:
    """A bulleted list whose wrapped lines hang under their text, not under the bullet."""
    frame = tk.Frame(parent, bg=parent.cget("bg"))
    frame.columnconfigure(1, weight=1)
    for row, item in enumerate(items):
        for column, text in enumerate(("•", item)):
            tk.Label(frame, text=text, font=font, fg=fg, bg=frame.cget("bg"), wraplength=wrap if column else 0,
                     justify="left", anchor="nw").grid(row=row, column=column, sticky="nw",
                                                       padx=(0, round(8 * px)) if column == 0 else 0,
                                                       pady=round(2 * px))
    return frame
