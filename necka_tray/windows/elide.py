"""A text cut short to fit a width in pixels, for lines that cannot wrap (a menu's rows).

A routines.toml title is at most 60 characters, but 60 wide ones (U+FDFD, cuneiform) are
thousands of pixels: a menu sized to them reaches past the screen. The cut never falls between a
character and the marks or joiners that belong to it, so no mark is left on the ellipsis.
"""

from __future__ import annotations

import unicodedata
from typing import Callable

ELLIPSIS = "…"


def _cut_points(text: str) -> list[int]:
    """Where ``text`` may be cut: before a character that does not belong to the one before it."""
    return [i for i in range(1, len(text)) if unicodedata.category(text[i]) not in ("Mn", "Me", "Cf", "Mc")]


def elide(text: str, fits: Callable[[str], bool]) -> str:
    """``text`` itself when it ``fits``, else its longest start (cut between characters) + "…" that fits."""
    if fits(text):
        return text
    points = _cut_points(text)
    low, high = 0, len(points)  # points[:low] fit; find the most that do
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[:points[middle - 1]].rstrip() + ELLIPSIS):
            low = middle
        else:
            high = middle - 1
    return (text[:points[low - 1]].rstrip() if low else "") + ELLIPSIS
