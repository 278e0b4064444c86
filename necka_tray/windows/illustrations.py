"""Line drawings of each exercise pose, made with Pillow.

Drawn in code rather than shipped as images so they scale to any size, have
a high-contrast variant for free and stay identical run to run (tests can
compare them). Figures face the user like a mirror: "tilt to the left" leans
toward the left of the screen, the way the user will move.

Coordinates are in a 200 x 200 design box; everything is drawn 4x larger and
scaled down for smooth edges.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageOps

Point = tuple[float, float]

_SUPERSAMPLE = 4
_BOX = 200.0


@dataclass(frozen=True)
class Palette:
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


CALM = Palette(
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
HIGH_CONTRAST = Palette(
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


class _Pen:
    """Draws in design units onto the supersampled canvas."""

    def __init__(self, draw: ImageDraw.ImageDraw, scale: float, pal: Palette) -> None:
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


def _rotate(p: Point, pivot: Point, degrees: float) -> Point:
    """Rotate clockwise on screen (y grows downward)."""
    a = math.radians(degrees)
    x, y = p[0] - pivot[0], p[1] - pivot[1]
    return (pivot[0] + x * math.cos(a) - y * math.sin(a), pivot[1] + x * math.sin(a) + y * math.cos(a))


def _arc(c: Point, r: float, start: float, end: float, n: int = 40) -> list[Point]:
    """Points on a circle from ``start`` to ``end`` degrees (0 = right, 90 = down)."""
    return [
        (c[0] + r * math.cos(math.radians(start + (end - start) * i / n)),
         c[1] + r * math.sin(math.radians(start + (end - start) * i / n)))
        for i in range(n + 1)
    ]


def _bezier(*ctrl: Point, n: int = 24) -> list[Point]:
    """Sample a Bézier curve of any degree (de Casteljau)."""
    out = []
    for i in range(n + 1):
        t = i / n
        pts = list(ctrl)
        while len(pts) > 1:
            pts = [((1 - t) * a[0] + t * b[0], (1 - t) * a[1] + t * b[1]) for a, b in zip(pts, pts[1:])]
        out.append(pts[0])
    return out


# -- figures ------------------------------------------------------------

_FRONT_PIVOT = (100.0, 146.0)
_SIDE_PIVOT = (92.0, 150.0)  # left of centre: room for the arrow in front

# A face in profile looking right, around the head's centre (forehead, nose,
# lips, chin, jaw), closed by the back of the head.
_PROFILE = [
    (20, -27), (28, -16), (31, -6), (39, 8), (31, 12), (31, 19),
    (30, 26), (26, 31), (16, 34), (6, 33),
]


def _front(pen: _Pen, tilt: float, face: bool = True) -> None:
    """Head and shoulders from the front (``face`` False: from behind), head tilted ``tilt``
    degrees (negative: toward screen left)."""
    rot = lambda p: _rotate(p, _FRONT_PIVOT, tilt)  # noqa: E731
    # The neck bends: its base stays in the collar, its top follows the head.
    pen.shape([rot((87, 100)), rot((113, 100)), (114, 160), (86, 160)], fill=pen.pal.skin)
    left = _bezier((18, 212), (20, 168), (40, 150), (82, 144))
    right = _bezier((118, 144), (160, 150), (180, 168), (182, 212))
    pen.shape(left + [(100, 143)] + right, fill=pen.pal.shirt)
    pen.line(_bezier((84, 144), (100, 160), (116, 144)), width=pen.pal.width * 0.8)  # collar
    for ex in (-33, 33):  # ears, half hidden by the head
        pen.circle(rot((100 + ex, 86)), 8, fill=pen.pal.skin)
    pen.circle(rot((100, 80)), 35, fill=pen.pal.skin)
    if not face:  # from behind: hair over the head, the spine's line down the shirt
        pen.circle(rot((100, 80)), 35, fill=pen.pal.line)
        pen.line([(100, 152), (100, 212)], width=pen.pal.width * 0.7)
        return
    for ex in (-12, 12):
        pen.dot(rot((100 + ex, 77)), 3.6)
    pen.line([rot(p) for p in _arc((100, 87), 12, 25, 155, n=16)], width=pen.pal.width * 0.9)


def _side(pen: _Pen, nod: float, glide: float = 0.0) -> None:
    """Head and shoulders in profile, facing right; ``nod`` > 0 lowers the chin, ``glide`` < 0
    moves the head straight back (a chin tuck)."""
    rot = lambda p: _rotate((p[0] + glide * (150 - p[1]) / 50, p[1]), _SIDE_PIVOT, nod)  # noqa: E731
    pen.shape([rot((74, 104)), rot((104, 104)), (110, 164), (72, 164)], fill=pen.pal.skin)
    torso = _bezier((46, 212), (48, 170), (58, 152), (82, 148)) + _bezier(
        (104, 148), (126, 152), (138, 170), (140, 212)
    )
    pen.shape(torso, fill=pen.pal.shirt)
    c = (92.0, 82.0)
    face = [(c[0] + x, c[1] + y) for x, y in _PROFILE]
    # Back of the head: from the jaw round the back to the forehead.
    back = _arc(c, 34, 100, 300, n=40)
    pen.shape([rot(p) for p in face + back], fill=pen.pal.skin)
    pen.dot(rot((c[0] + 17, c[1] - 5)), 3.6)  # eye
    pen.line([rot((c[0] + 23, c[1] + 23)), rot((c[0] + 29, c[1] + 22))], width=pen.pal.width * 0.8)  # mouth
    pen.line([rot(p) for p in _arc((c[0] - 6, c[1] + 4), 8, 110, 260, n=14)], width=pen.pal.width * 0.85)  # ear
    pen.line([rot(p) for p in _arc((c[0] - 6, c[1] + 4), 3.5, 120, 250, n=8)], width=pen.pal.width * 0.6)


def _tilt(pen: _Pen, direction: int) -> None:
    _front(pen, 20.0 * direction)
    # Curved arrow over the head, sweeping the way the head goes.
    start, end = -90 + 6 * direction, -90 + 38 * direction
    pen.arrow(_arc(_FRONT_PIVOT, 116, start, end), head=12)


def _chin_down(pen: _Pen) -> None:
    _side(pen, 22)
    pen.arrow(_arc(_SIDE_PIVOT, 110, -60, -26), head=12)


def _look_up(pen: _Pen) -> None:
    _side(pen, -12)
    pen.arrow(_arc(_SIDE_PIVOT, 110, -26, -54), head=12)


def _shoulder_rolls(pen: _Pen) -> None:
    _front(pen, 0)
    for cx, sweep in ((40, -1), (160, 1)):
        # An open circle with a head, "round and round", above each shoulder.
        pen.arrow(_arc((cx, 122), 17, 110 * sweep, 110 * sweep + 300 * sweep), head=11)


def _breathing(pen: _Pen) -> None:
    c = (100, 100)
    pen.circle(c, 78, fill=None, color=pen.pal.ring, width=pen.pal.width * 0.9)
    pen.circle(c, 58, fill=pen.pal.soft)
    pen.circle(c, 34, fill=pen.pal.shirt, color=pen.pal.line)
    # Four small arrows: breathe in, grow; breathe out, settle.
    for a in (-90, 0, 90, 180):
        r0, r1 = 62, 76
        pts = [(c[0] + r0 * math.cos(math.radians(a)), c[1] + r0 * math.sin(math.radians(a))),
               (c[0] + r1 * math.cos(math.radians(a)), c[1] + r1 * math.sin(math.radians(a)))]
        pen.arrow(pts, head=8)
    # A calm, closed-eye face in the middle.
    for ex in (-11, 11):
        pen.line(_arc((c[0] + ex, c[1] - 6), 5, 20, 160, n=10), width=pen.pal.width * 0.8)
    pen.line(_arc((c[0], c[1] + 4), 8, 30, 150, n=12), width=pen.pal.width * 0.8)


def _shoulder_roll_profile(pen: _Pen, backward: bool) -> None:
    """In profile (facing right) a circle around the shoulder: backward goes up, back and down."""
    _side(pen, 0)
    c, r = (96.0, 168.0), 19.0
    start, end = (40, -250) if backward else (140, 430)
    pen.arrow(_arc(c, r, start, end, n=48), head=11)


def _shoulder_squeeze(pen: _Pen) -> None:
    """From behind: the shoulder blades, and arrows drawing them in toward the spine."""
    _front(pen, 0, face=False)
    for sign in (-1, 1):
        pen.line(_bezier((100 + sign * 16, 162), (100 + sign * 40, 164), (100 + sign * 20, 200)),
                 width=pen.pal.width * 0.8)
        pen.arrow([(100 + sign * 66, 174), (100 + sign * 42, 174)], head=11)


def _shoulders_down(pen: _Pen) -> None:
    _front(pen, 0)
    for x in (44, 156):
        pen.arrow([(x, 104), (x, 134)], head=11)


def _chin_tuck(pen: _Pen) -> None:
    _side(pen, 0, glide=-7)
    pen.arrow([(160, 112), (136, 112)], head=11)


def _hand(pen: _Pen, c: Point, rx: float, ry: float, angle: float = 0) -> None:
    """A palm: a rounded oval, drawn as a closed shape (rotated ``angle`` degrees)."""
    pts = [_rotate((c[0] + rx * math.cos(math.radians(a)), c[1] + ry * math.sin(math.radians(a))), c, angle)
           for a in range(0, 360, 12)]
    pen.shape(pts, fill=pen.pal.skin)


def _arm(pen: _Pen, pts: Sequence[Point], width: float = 15) -> None:
    """A sleeve-coloured limb along ``pts``, outlined."""
    pen.line(pts, width=width + pen.pal.width * 2)
    pen.line(pts, color=pen.pal.shirt, width=width)


def _press_forward(pen: _Pen) -> None:
    """Profile; the palm on the forehead, the head pressing into it without moving."""
    _side(pen, 0)
    _arm(pen, [(150, 214), (164, 150), (136, 76)])
    _hand(pen, (128, 64), 9, 17, angle=-10)
    for y in (50, 64, 78):  # the press: short strokes where head and hand meet
        pen.line([(143, y), (152, y)], color=pen.pal.accent, width=pen.pal.width * 1.1)


def _press_side(pen: _Pen) -> None:
    """Front; the left palm (screen left, as in a mirror) against the side of the head."""
    _front(pen, 0)
    _arm(pen, [(40, 168), (22, 120), (50, 84)])
    _hand(pen, (58, 76), 9, 17, angle=12)
    for y in (62, 76, 90):
        pen.line([(34, y - 6), (42, y - 4)], color=pen.pal.accent, width=pen.pal.width * 1.1)


def _press_back(pen: _Pen) -> None:
    """Profile; hands clasped behind the head, the head pressing back into them."""
    _side(pen, 0)
    _arm(pen, [(84, 160), (70, 112), (64, 84)])
    _hand(pen, (56, 76), 10, 17, angle=-10)
    for y in (60, 74, 88):
        pen.line([(32, y), (41, y)], color=pen.pal.accent, width=pen.pal.width * 1.1)


# -- at the desk: a seated figure in profile, facing the screen on the right ----------

_EYE = (95.0, 46.0)


def _desk_scene(pen: _Pen) -> None:
    pal, w = pen.pal, pen.pal.width
    pen.line([(30, 174), (170, 174)], width=w * 0.8)  # floor
    # Desk and screen.
    pen.shape([(118, 104), (176, 104), (176, 111), (118, 111)], fill=pal.furniture)
    pen.line([(166, 111), (166, 174)], width=w)
    pen.shape([(150, 82), (156, 82), (158, 104), (148, 104)], fill=pal.furniture)  # stand
    pen.shape([(146, 42), (156, 42), (156, 84), (146, 84)], fill=pal.line)  # the screen, edge on
    # Chair: backrest, seat, post and base.
    pen.shape([(48, 74), (58, 74), (60, 128), (50, 128)], fill=pal.furniture)
    pen.shape([(50, 126), (104, 126), (104, 134), (50, 134)], fill=pal.furniture)
    pen.line([(78, 134), (78, 162)], width=w * 1.2)
    pen.line([(58, 164), (98, 164)], width=w * 1.2)
    for x in (60, 96):
        pen.circle((x, 168), 4, fill=pal.furniture)
    # Legs: thigh on the seat, shin down to a foot flat on the floor.
    pen.line([(72, 118), (126, 120)], width=18 + w * 2)
    pen.line([(72, 118), (126, 120)], color=pal.trousers, width=18)
    pen.line([(126, 120), (128, 166)], width=14 + w * 2)
    pen.line([(126, 120), (128, 166)], color=pal.trousers, width=14)
    pen.shape([(120, 164), (140, 165), (142, 172), (120, 172)], fill=pal.line)
    # Body sitting upright against the backrest.
    pen.shape(_bezier((62, 126), (60, 100), (62, 80), (74, 72)) + _bezier((92, 72), (100, 84), (98, 106), (96, 126)),
              fill=pal.shirt)
    pen.shape([(80, 60), (90, 60), (90, 74), (80, 74)], fill=pal.skin)  # neck
    head = [(86 + x * 0.5, 48 + y * 0.5) for x, y in _PROFILE] + _arc((86, 48), 17, 100, 300, n=30)
    pen.shape(head, fill=pal.skin)
    pen.dot(_EYE, 2.4)
    # Arm: upper arm down, forearm forward to the desk.
    _arm(pen, [(82, 82), (86, 108), (120, 102)], width=10)


def _sit_back(pen: _Pen) -> None:
    _desk_scene(pen)
    pen.arrow([(114, 143), (64, 143)], head=11)


def _feet_flat(pen: _Pen) -> None:
    _desk_scene(pen)
    pen.line([(112, 180), (152, 180)], color=pen.pal.accent, width=pen.pal.width * 1.6)
    pen.arrow([(150, 136), (150, 160)], head=10)


def _screen_eye_level(pen: _Pen) -> None:
    _desk_scene(pen)
    x = _EYE[0] + 6
    while x < 142:  # dashes from the eye to the top of the screen
        pen.line([(x, _EYE[1] - 4), (min(x + 6, 142), _EYE[1] - 4)], color=pen.pal.accent, width=pen.pal.width)
        x += 11


def _done(pen: _Pen) -> None:
    pen.circle((100, 100), 62, fill=pen.pal.shirt)
    pen.line([(70, 102), (92, 124), (132, 80)], width=pen.pal.width * 3)


_POSES: dict[str, Callable[[_Pen], None]] = {
    "tilt_left": lambda pen: _tilt(pen, -1),
    "tilt_right": lambda pen: _tilt(pen, 1),
    "chin_down": _chin_down,
    "look_up": _look_up,
    "shoulder_rolls": _shoulder_rolls,
    "breathing": _breathing,
    "done": _done,
    "shoulder_rolls_back": lambda pen: _shoulder_roll_profile(pen, backward=True),
    "shoulder_rolls_forward": lambda pen: _shoulder_roll_profile(pen, backward=False),
    "shoulder_squeeze": _shoulder_squeeze,
    "shoulders_down": _shoulders_down,
    "chin_tuck": _chin_tuck,
    "press_forward": _press_forward,
    "press_side": _press_side,
    "press_back": _press_back,
    "sit_back": _sit_back,
    "feet_flat": _feet_flat,
    "screen_eye_level": _screen_eye_level,
}

#: Every pose ``render`` can draw.
POSES = frozenset(_POSES)


def render(pose: str, size: int | tuple[int, int], high_contrast: bool = False, mirror: bool = False) -> Image.Image:
    """Draw ``pose`` on a round card, transparent outside it (RGBA, ``size`` pixels).

    ``mirror``: flipped left to right (the other side of a two-sided exercise).
    """
    try:
        draw_pose = _POSES[pose]
    except KeyError:
        raise ValueError(f"unknown pose {pose!r}; known: {sorted(_POSES)}") from None
    width, height = (size, size) if isinstance(size, int) else size
    if width <= 0 or height <= 0:
        raise ValueError("size must be positive")
    side = min(width, height)
    pal = HIGH_CONTRAST if high_contrast else CALM
    big = side * _SUPERSAMPLE
    k = big / _BOX

    # The card: a filled disc, also used as the clipping mask for the figure.
    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).ellipse((2 * k, 2 * k, big - 2 * k, big - 2 * k), fill=255)
    card = Image.new("RGBA", (big, big), pal.disc)
    card.putalpha(mask)

    layer = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw_pose(_Pen(ImageDraw.Draw(layer), k, pal))
    layer.putalpha(ImageChops.multiply(layer.getchannel("A"), mask))
    card.alpha_composite(layer)
    if pal.disc_edge:
        w = round(pal.width * k)
        ImageDraw.Draw(card).ellipse((2 * k, 2 * k, big - 2 * k, big - 2 * k), outline=pal.disc_edge, width=w)

    small = card.resize((side, side), Image.Resampling.LANCZOS)
    if mirror:
        small = ImageOps.mirror(small)
    if (width, height) == (side, side):
        return small
    out = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    out.alpha_composite(small, ((width - side) // 2, (height - side) // 2))
    return out
