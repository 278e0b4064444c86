"""The drawing kit of the exercise pictures: two looks and a pen that draws in design units.

Coordinates are in a 200 x 200 design box; the pen draws everything
``SUPERSAMPLE`` times larger, and ``illustrations.render`` scales it down for
smooth edges. ``CALM`` and ``HIGH_CONTRAST`` are the pictures' colours in
each window look; ``rotate``, ``arc`` and ``bezier`` are the geometry the
figures are made of.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import ImageDraw

Point = tuple[float, float]

SUPERSAMPLE = 4
BOX = 200.0


@dataclass(frozen=True)
class Inks:
    """The figure drawings' colours and line width (a window's own colours: ``palette.Palette``)."""

    disc: str
    disc_edge: str | None
    line: str
    skin: str
    shirt: str
    accent: str
    soft: str  # fill of the breathing circle
    ring: str  # the faint outer breathing ring
    width: float  # line width in design units
    trousers: str = "#7C98A6"
    furniture: str = "#CBDAD6"  # chair, desk and screen stand


CALM = Inks(
    disc="#E3EFEC",
    disc_edge=None,
    line="#2F4858",
    skin="#FCE9DA",
    shirt="#A9D3C9",
    accent="#E07A5F",
    soft="#C5E0DA",
    ring="#C5E0DA",
    width=3.2,
)
HIGH_CONTRAST = Inks(
    disc="#FFFFFF",
    disc_edge="#000000",
    line="#000000",
    skin="#FFFFFF",
    shirt="#FFFFFF",
    accent="#000000",
    soft="#FFFFFF",
    ring="#000000",
    width=4.6,
    trousers="#FFFFFF",
    furniture="#FFFFFF",
)


class Pen:
    """Draws in design units onto the supersampled canvas."""

    def __init__(self, draw: ImageDraw.ImageDraw, scale: float, pal: Inks) -> None:
        self.d = draw
        self.k = scale
        self.pal = pal

    def _p(self, pts: Sequence[Point]) -> list[tuple[float, float]]:
        return [(x * self.k, y * self.k) for x, y in pts]

    @property
    def w(self) -> int:
        return max(1, round(self.pal.width * self.k))

    def line(self, pts: Sequence[Point], color: str | None = None, width: float | None = None) -> None:
        w = self.w if width is None else max(1, round(width * self.k))
        color = color or self.pal.line
        self.d.line(self._p(pts), fill=color, width=w, joint="curve")
        r = w / 2  # round caps
        for x, y in (self._p([pts[0]])[0], self._p([pts[-1]])[0]):
            self.d.ellipse((x - r, y - r, x + r, y + r), fill=color)

    def shape(self, pts: Sequence[Point], fill: str) -> None:
        p = self._p(pts)
        self.d.polygon(p, fill=fill)
        self.d.line(p + [p[0], p[1]], fill=self.pal.line, width=self.w, joint="curve")

    def circle(self, c: Point, r: float, fill: str | None = None, outline: bool = True, color: str | None = None,
               width: float | None = None) -> None:
        x, y = c[0] * self.k, c[1] * self.k
        rr = r * self.k
        w = self.w if width is None else max(1, round(width * self.k))
        self.d.ellipse(
            (x - rr, y - rr, x + rr, y + rr),
            fill=fill,
            outline=(color or self.pal.line) if outline else None,
            width=w if outline else 0,
        )

    def dot(self, c: Point, r: float, color: str | None = None) -> None:
        self.circle(c, r, fill=color or self.pal.line, outline=False)

    def arrow(self, pts: Sequence[Point], color: str | None = None, head: float = 9.0) -> None:
        """A polyline ending in a filled arrowhead pointing along its last segment."""
        color = color or self.pal.accent
        (x0, y0), (x1, y1) = pts[-2], pts[-1]
        a = math.atan2(y1 - y0, x1 - x0)
        # Stop the shaft inside the head so the tip stays sharp.
        shaft_end = (x1 - math.cos(a) * head * 0.6, y1 - math.sin(a) * head * 0.6)
        self.line([*pts[:-1], shaft_end], color=color)
        left = (x1 - head * math.cos(a - 0.5), y1 - head * math.sin(a - 0.5))
        right = (x1 - head * math.cos(a + 0.5), y1 - head * math.sin(a + 0.5))
        self.d.polygon(self._p([(x1, y1), left, right]), fill=color)


def rotate(p: Point, pivot: Point, degrees: float) -> Point:
    """Rotate clockwise on screen (y grows downward)."""
    a = math.radians(degrees)
    x, y = p[0] - pivot[0], p[1] - pivot[1]
    return (pivot[0] + x * math.cos(a) - y * math.sin(a), pivot[1] + x * math.sin(a) + y * math.cos(a))


def arc(c: Point, r: float, start: float, end: float, n: int = 40) -> list[Point]:
    """Points on a circle from ``start`` to ``end`` degrees (0 = right, 90 = down)."""
    return [
        (c[0] + r * math.cos(math.radians(start + (end - start) * i / n)),
         c[1] + r * math.sin(math.radians(start + (end - start) * i / n)))
        for i in range(n + 1)
    ]


def bezier(*ctrl: Point, n: int = 24) -> list[Point]:
    """Sample a Bézier curve of any degree (de Casteljau)."""
    out = []
    for i in range(n + 1):
        t = i / n
        pts = list(ctrl)
        while len(pts) > 1:
            pts = [((1 - t) * a[0] + t * b[0], (1 - t) * a[1] + t * b[1]) for a, b in zip(pts, pts[1:])]
        out.append(pts[0])
    return out
