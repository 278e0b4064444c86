"""The tray icon, drawn with Pillow: Necka's head-and-shoulders mark inside a progress ring.

The ring fills toward the next stretch break in ``RING_STEPS`` steps, so
the image changes a few times an hour, never every second. A due break
turns the disc warm; a pause turns it grey with a pause badge. Shapes are
drawn at 4x and scaled down for smooth edges at any tray size; the same
function exports the packaged icons (``packaging/make_icons.py``).
"""

from __future__ import annotations

from functools import lru_cache

from PIL import Image, ImageDraw

from necka_tray.core.planner import RING_STEPS

TEAL = (38, 137, 128, 255)
WARM = (231, 111, 81, 255)
GREY = (120, 128, 136, 255)
RING_TRACK = (255, 255, 255, 70)
RING_FILL = (255, 214, 102, 255)
WHITE = (255, 255, 255, 255)


@lru_cache(maxsize=32)
def draw_icon(step: int = 0, due: bool = False, paused: bool = False, size: int = 64) -> Image.Image:
    """The tray image for a ring ``step`` of ``RING_STEPS`` (cached: a few distinct images a day)."""
    s = size * 4
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    disc = GREY if paused else WARM if due else TEAL
    d.ellipse((0, 0, s - 1, s - 1), fill=disc)
    ring = max(4, s // 11)
    inset = ring // 2 + s // 40
    box = (inset, inset, s - 1 - inset, s - 1 - inset)
    d.arc(box, 0, 360, fill=RING_TRACK, width=ring)
    filled = 1.0 if due else min(step, RING_STEPS) / RING_STEPS
    if filled > 0:
        d.arc(box, -90, -90 + 360 * filled, fill=WHITE if due else RING_FILL, width=ring)
    _draw_figure(d, s)
    if paused:
        _draw_pause_badge(d, s)
    return img.resize((size, size), Image.LANCZOS)


def _draw_figure(d: ImageDraw.ImageDraw, s: int) -> None:
    """Head, neck and shoulders: the thing Necka looks after."""
    cx = s / 2
    head_r = s * 0.13
    head_cy = s * 0.38
    d.ellipse((cx - head_r, head_cy - head_r, cx + head_r, head_cy + head_r), fill=WHITE)
    neck_w = s * 0.09
    d.rectangle((cx - neck_w / 2, head_cy + head_r * 0.6, cx + neck_w / 2, s * 0.6), fill=WHITE)
    # Shoulders: the top half of a wide ellipse, clipped by the ring's inner edge.
    sh_w, sh_top, sh_h = s * 0.27, s * 0.56, s * 0.34
    d.chord((cx - sh_w, sh_top, cx + sh_w, sh_top + sh_h), 180, 360, fill=WHITE)
    d.rectangle((cx - sh_w, sh_top + sh_h / 2 - 1, cx + sh_w, s * 0.78), fill=WHITE)


def _draw_pause_badge(d: ImageDraw.ImageDraw, s: int) -> None:
    r = s * 0.2
    cx, cy = s - r - s * 0.02, s - r - s * 0.02
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(40, 44, 52, 255), outline=WHITE, width=max(2, s // 64))
    bw, bh = r * 0.28, r * 1.0
    for dx in (-r * 0.3, r * 0.3):
        d.rectangle((cx + dx - bw / 2, cy - bh / 2, cx + dx + bw / 2, cy + bh / 2), fill=WHITE)
