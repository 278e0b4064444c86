"""The tray icon's pixels for the XEmbed and SNI trays, without Pillow in the tray process.

``icon.py`` draws the icon with Pillow; the tray only needs its few dozen
distinct images (ring steps x due x paused) at the size the tray gives it.
Loading Pillow (with the FreeType, HarfBuzz, PNG, JPEG, TIFF... libraries its
core module links) would cost the tray process ~5 MiB for good, so a
short-lived helper process draws them all once per size into a cache file of
raw RGBA (``python -m necka_tray.windows.icon_bitmaps SIZE FILE``), keyed by Necka's
version; the tray reads one image from it when the icon changes and blends it
onto the tray's background itself (a few hundred pixels: plain Python is fast
enough).
"""

from __future__ import annotations

import sys
from pathlib import Path

from necka_tray import __version__

MAGIC = b"NECKAIC1"


def keys() -> list[tuple[int, bool, bool]]:
    """Every ``TrayView.icon_key`` there is, in file order."""
    from necka_tray.core.planner import RING_STEPS

    return [(step, due, paused) for step in range(RING_STEPS + 1) for due in (False, True) for paused in (False, True)]


def cache_file(cache_dir: Path, size: int) -> Path:
    return Path(cache_dir) / f"tray-icons-{__version__}-{size}.rgba"


def read(path: Path, key: tuple[int, bool, bool], size: int) -> bytes | None:
    """The RGBA bytes (not premultiplied) of ``key`` at ``size``, or None when the cache has no such image."""
    try:
        index = keys().index(tuple(key))
    except ValueError:
        return None
    length = size * size * 4
    from necka_tray.store.fsutil import open_user_file  # never blocks: the tray's X thread reads this

    try:
        with open_user_file(path) as f:
            if f.read(len(MAGIC)) != MAGIC or int.from_bytes(f.read(2), "little") != size:
                return None
            f.seek(len(MAGIC) + 2 + index * length)
            data = f.read(length)
    except OSError:
        return None
    return data if len(data) == length else None


def write(path: Path, size: int) -> None:
    """Draw every image at ``size`` and write the cache file (atomically, user-only)."""
    from necka_tray.store.fsutil import atomic_write
    from necka_tray.windows.icon import draw_icon

    parts = [MAGIC, size.to_bytes(2, "little")]
    parts += [draw_icon(step, due, paused, size=size).convert("RGBA").tobytes() for step, due, paused in keys()]
    Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write(Path(path), b"".join(parts))


def command(size: int, path: Path, png: bool = False) -> list[str]:
    """The helper process that writes the cache, or with ``png`` the plain icon as a PNG file
    (for notification bubbles). Frozen: the executable's ``icons`` entry (packaging/frozen_main.py)."""
    args = [*(["png"] if png else []), str(size), str(path)]
    if getattr(sys, "frozen", False):
        return [sys.executable, "icons", *args]
    return [sys.executable, "-m", "necka_tray.windows.icon_bitmaps", *args]


def write_png(path: Path, size: int) -> None:
    import io

    from necka_tray.store.fsutil import atomic_write
    from necka_tray.windows.icon import draw_icon

    data = io.BytesIO()
    draw_icon(size=size).save(data, "PNG")
    atomic_write(Path(path), data.getvalue())  # user-only, like all of Necka's files


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


def main(argv: list[str] | None = None) -> int:
    """``[png] SIZE FILE``, or several ``SIZE FILE`` pairs (the SNI icon wants six sizes: one Pillow start)."""
    args = sys.argv[1:] if argv is None else argv
    png = args[:1] == ["png"]
    rest = args[png:]
    try:
        if not rest or len(rest) % 2 or (png and len(rest) > 2):
            raise ValueError(rest)
        jobs = [(int(rest[i]), Path(rest[i + 1])) for i in range(0, len(rest), 2)]
        if not all(1 <= size <= 512 for size, _ in jobs):
            raise ValueError(jobs)
    except ValueError:
        print("usage: python -m necka_tray.windows.icon_bitmaps [png] SIZE FILE [SIZE FILE ...] (SIZE from 1 to 512)",
              file=sys.stderr)
        return 2
    for size, path in jobs:
        try:
            (write_png if png else write)(path, size)
        except OSError as exc:
            print(f"necka-tray: cannot write the tray icon cache {path} ({exc.strerror or exc})", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
