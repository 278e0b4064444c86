"""Puts the cached icon (RGBA) on the tray's window: blended onto its background, or premultiplied for
an ARGB visual. A few hundred pixels, so plain Python is fast enough, and Pillow stays out of the tray."""

from __future__ import annotations


def _placed(icon: bytes, width: int, height: int, side: int):
    """(alpha, index in ``icon``, index on the ``width`` x ``height`` canvas) of each pixel that is
    not fully transparent, the ``side`` x ``side`` icon centred on the canvas (4 bytes a pixel)."""
    ox, oy = (width - side) // 2, (height - side) // 2
    for y in range(side):
        row, src = ((oy + y) * width + ox) * 4, y * side * 4
        for x in range(0, side * 4, 4):
            if icon[src + x + 3]:
                yield icon[src + x + 3], src + x, row + x


def blend(icon: bytes, background: bytes, width: int, height: int, side: int, bgrx: bool = True) -> bytes:
    """``icon`` (RGBA, ``side`` square) centred on ``background`` (a ZPixmap of ``width`` x ``height``,
    32 bits a pixel, B G R X when ``bgrx`` else X R G B): the bytes to put on screen."""
    out = bytearray(background)
    r_at, g_at, b_at = (2, 1, 0) if bgrx else (1, 2, 3)
    for a, s, d in _placed(icon, width, height, side):
        k = 255 - a
        out[d + r_at] = (icon[s] * a + out[d + r_at] * k) // 255
        out[d + g_at] = (icon[s + 1] * a + out[d + g_at] * k) // 255
        out[d + b_at] = (icon[s + 2] * a + out[d + b_at] * k) // 255
    return bytes(out)


def premultiplied_bgra(icon: bytes, width: int, height: int, side: int) -> bytes:
    """``icon`` centred on a transparent ``width`` x ``height`` canvas, as a 32-bit ARGB visual wants it."""
    out = bytearray(width * height * 4)
    for a, s, d in _placed(icon, width, height, side):
        out[d:d + 4] = bytes((icon[s + 2] * a // 255, icon[s + 1] * a // 255, icon[s] * a // 255, a))
    return bytes(out)
