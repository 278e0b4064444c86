"""Line drawings of each exercise pose, made with Pillow.

Drawn in code rather than shipped as images so they scale to any size, have
a high-contrast variant for free and stay identical run to run (tests can
compare them). Figures face the user like a mirror: "tilt to the left" leans
toward the left of the screen, the way the user will move.

Coordinates are in a 200 x 200 design box; everything is drawn 4x larger and
scaled down for smooth edges (the pen and the colours are in ``pen.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from PIL import Image, ImageChops, ImageDraw, ImageOps

from necka_tray.windows.pen import BOX, CALM, HIGH_CONTRAST, SUPERSAMPLE, Inks, Pen, Point, arc, bezier, rotate

__all__ = ["CALM", "HIGH_CONTRAST", "POSES", "Inks", "render"]


# -- figures ------------------------------------------------------------

_FRONT_PIVOT = (100.0, 146.0)
_SIDE_PIVOT = (92.0, 150.0)  # left of centre: room for the arrow in front

# A face in profile looking right, around the head's centre (forehead, nose,
# lips, chin, jaw), closed by the back of the head.
_PROFILE = [
    (20, -27), (28, -16), (31, -6), (39, 8), (31, 12), (31, 19),
    (30, 26), (26, 31), (16, 34), (6, 33),
]


def _front(pen: Pen, tilt: float, face: bool = True) -> None:
    """Head and shoulders from the front (``face`` False: from behind), head tilted ``tilt``
    degrees (negative: toward screen left)."""
    rot = lambda p: rotate(p, _FRONT_PIVOT, tilt)  # noqa: E731
    # The neck bends: its base stays in the collar, its top follows the head.
    pen.shape([rot((87, 100)), rot((113, 100)), (114, 160), (86, 160)], fill=pen.pal.skin)
    left = bezier((18, 212), (20, 168), (40, 150), (82, 144))
    right = bezier((118, 144), (160, 150), (180, 168), (182, 212))
    pen.shape(left + [(100, 143)] + right, fill=pen.pal.shirt)
    pen.line(bezier((84, 144), (100, 160), (116, 144)), width=pen.pal.width * 0.8)  # collar
    for ex in (-33, 33):  # ears, half hidden by the head
        pen.circle(rot((100 + ex, 86)), 8, fill=pen.pal.skin)
    pen.circle(rot((100, 80)), 35, fill=pen.pal.skin)
    if not face:  # from behind: hair over the head, the spine's line down the shirt
        pen.circle(rot((100, 80)), 35, fill=pen.pal.line)
        pen.line([(100, 152), (100, 212)], width=pen.pal.width * 0.7)
        return
    for ex in (-12, 12):
        pen.dot(rot((100 + ex, 77)), 3.6)
    pen.line([rot(p) for p in arc((100, 87), 12, 25, 155, n=16)], width=pen.pal.width * 0.9)


def _side(pen: Pen, nod: float, glide: float = 0.0) -> None:
    """Head and shoulders in profile, facing right; ``nod`` > 0 lowers the chin, ``glide`` < 0
    moves the head straight back (a chin tuck)."""
    rot = lambda p: rotate((p[0] + glide * (150 - p[1]) / 50, p[1]), _SIDE_PIVOT, nod)  # noqa: E731
    pen.shape([rot((74, 104)), rot((104, 104)), (110, 164), (72, 164)], fill=pen.pal.skin)
    torso = bezier((46, 212), (48, 170), (58, 152), (82, 148)) + bezier(
        (104, 148), (126, 152), (138, 170), (140, 212)
    )
    pen.shape(torso, fill=pen.pal.shirt)
    c = (92.0, 82.0)
    face = [(c[0] + x, c[1] + y) for x, y in _PROFILE]
    # Back of the head: from the jaw round the back to the forehead.
    back = arc(c, 34, 100, 300, n=40)
    pen.shape([rot(p) for p in face + back], fill=pen.pal.skin)
    pen.dot(rot((c[0] + 17, c[1] - 5)), 3.6)  # eye
    pen.line([rot((c[0] + 23, c[1] + 23)), rot((c[0] + 29, c[1] + 22))], width=pen.pal.width * 0.8)  # mouth
    pen.line([rot(p) for p in arc((c[0] - 6, c[1] + 4), 8, 110, 260, n=14)], width=pen.pal.width * 0.85)  # ear
    pen.line([rot(p) for p in arc((c[0] - 6, c[1] + 4), 3.5, 120, 250, n=8)], width=pen.pal.width * 0.6)


def _tilt(pen: Pen, direction: int) -> None:
    _front(pen, 20.0 * direction)
    # Curved arrow over the head, sweeping the way the head goes.
    start, end = -90 + 6 * direction, -90 + 38 * direction
    pen.arrow(arc(_FRONT_PIVOT, 116, start, end), head=12)


def _chin_down(pen: Pen) -> None:
    _side(pen, 22)
    pen.arrow(arc(_SIDE_PIVOT, 110, -60, -26), head=12)


def _look_up(pen: Pen) -> None:
    _side(pen, -12)
    pen.arrow(arc(_SIDE_PIVOT, 110, -26, -54), head=12)


def _shoulder_rolls(pen: Pen) -> None:
    _front(pen, 0)
    for cx, sweep in ((40, -1), (160, 1)):
        # An open circle with a head, "round and round", above each shoulder.
        pen.arrow(arc((cx, 122), 17, 110 * sweep, 110 * sweep + 300 * sweep), head=11)


def _breathing(pen: Pen) -> None:
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
        pen.line(arc((c[0] + ex, c[1] - 6), 5, 20, 160, n=10), width=pen.pal.width * 0.8)
    pen.line(arc((c[0], c[1] + 4), 8, 30, 150, n=12), width=pen.pal.width * 0.8)


def _shoulder_roll_profile(pen: Pen, backward: bool) -> None:
    """In profile (facing right) a circle around the shoulder: backward goes up, back and down."""
    _side(pen, 0)
    c, r = (96.0, 168.0), 19.0
    start, end = (40, -250) if backward else (140, 430)
    pen.arrow(arc(c, r, start, end, n=48), head=11)


def _shoulder_squeeze(pen: Pen) -> None:
    """From behind: the shoulder blades, and arrows drawing them in toward the spine."""
    _front(pen, 0, face=False)
    for sign in (-1, 1):
        pen.line(bezier((100 + sign * 16, 162), (100 + sign * 40, 164), (100 + sign * 20, 200)),
                 width=pen.pal.width * 0.8)
        pen.arrow([(100 + sign * 66, 174), (100 + sign * 42, 174)], head=11)


def _shoulders_down(pen: Pen) -> None:
    _front(pen, 0)
    for x in (44, 156):
        pen.arrow([(x, 104), (x, 134)], head=11)


def _chin_tuck(pen: Pen) -> None:
    _side(pen, 0, glide=-7)
    pen.arrow([(160, 112), (136, 112)], head=11)


def _hand(pen: Pen, c: Point, rx: float, ry: float, angle: float = 0) -> None:
    """A palm: a rounded oval, drawn as a closed shape (rotated ``angle`` degrees)."""
    pts = [rotate((c[0] + rx * math.cos(math.radians(a)), c[1] + ry * math.sin(math.radians(a))), c, angle)
           for a in range(0, 360, 12)]
    pen.shape(pts, fill=pen.pal.skin)


def _arm(pen: Pen, pts: Sequence[Point], width: float = 15) -> None:
    """A sleeve-coloured limb along ``pts``, outlined."""
    pen.line(pts, width=width + pen.pal.width * 2)
    pen.line(pts, color=pen.pal.shirt, width=width)


def _press_forward(pen: Pen) -> None:
    """Profile; the palm on the forehead, the head pressing into it without moving."""
    _side(pen, 0)
    _arm(pen, [(150, 214), (164, 150), (136, 76)])
    _hand(pen, (128, 64), 9, 17, angle=-10)
    for y in (50, 64, 78):  # the press: short strokes where head and hand meet
        pen.line([(143, y), (152, y)], color=pen.pal.accent, width=pen.pal.width * 1.1)


def _press_side(pen: Pen) -> None:
    """Front; the left palm (screen left, as in a mirror) against the side of the head."""
    _front(pen, 0)
    _arm(pen, [(40, 168), (22, 120), (50, 84)])
    _hand(pen, (58, 76), 9, 17, angle=12)
    for y in (62, 76, 90):
        pen.line([(34, y - 6), (42, y - 4)], color=pen.pal.accent, width=pen.pal.width * 1.1)


def _press_back(pen: Pen) -> None:
    """Profile; hands clasped behind the head, the head pressing back into them."""
    _side(pen, 0)
    _arm(pen, [(84, 160), (70, 112), (64, 84)])
    _hand(pen, (56, 76), 10, 17, angle=-10)
    for y in (60, 74, 88):
        pen.line([(32, y), (41, y)], color=pen.pal.accent, width=pen.pal.width * 1.1)


# -- at the desk: a seated figure in profile, facing the screen on the right ----------

_EYE = (95.0, 46.0)


def _desk_scene(pen: Pen) -> None:
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
    pen.shape(bezier((62, 126), (60, 100), (62, 80), (74, 72)) + bezier((92, 72), (100, 84), (98, 106), (96, 126)),
              fill=pal.shirt)
    pen.shape([(80, 60), (90, 60), (90, 74), (80, 74)], fill=pal.skin)  # neck
    head = [(86 + x * 0.5, 48 + y * 0.5) for x, y in _PROFILE] + arc((86, 48), 17, 100, 300, n=30)
    pen.shape(head, fill=pal.skin)
    pen.dot(_EYE, 2.4)
    # Arm: upper arm down, forearm forward to the desk.
    _arm(pen, [(82, 82), (86, 108), (120, 102)], width=10)


def _sit_back(pen: Pen) -> None:
    _desk_scene(pen)
    pen.arrow([(114, 143), (64, 143)], head=11)


def _feet_flat(pen: Pen) -> None:
    _desk_scene(pen)
    pen.line([(112, 180), (152, 180)], color=pen.pal.accent, width=pen.pal.width * 1.6)
    pen.arrow([(150, 136), (150, 160)], head=10)


def _screen_eye_level(pen: Pen) -> None:
    _desk_scene(pen)
    x = _EYE[0] + 6
    while x < 142:  # dashes from the eye to the top of the screen
        pen.line([(x, _EYE[1] - 4), (min(x + 6, 142), _EYE[1] - 4)], color=pen.pal.accent, width=pen.pal.width)
        x += 11


def _done(pen: Pen) -> None:
    pen.circle((100, 100), 62, fill=pen.pal.shirt)
    pen.line([(70, 102), (92, 124), (132, 80)], width=pen.pal.width * 3)


_POSES: dict[str, Callable[[Pen], None]] = {
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
    big = side * SUPERSAMPLE
    k = big / BOX

    # The card: a filled disc, also used as the clipping mask for the figure.
    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).ellipse((2 * k, 2 * k, big - 2 * k, big - 2 * k), fill=255)
    card = Image.new("RGBA", (big, big), pal.disc)
    card.putalpha(mask)

    layer = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw_pose(Pen(ImageDraw.Draw(layer), k, pal))
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
