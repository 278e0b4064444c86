"""The tray icon's pixels for the XEmbed and SNI trays, without Pillow in the tray process.

``icon.py`` draws the icon with Pillow; the tray only needs its few dozen
distinct images (ring steps x due x paused) at the size the tray gives it.
Loading Pillow (with the FreeType, HarfBuzz, PNG, JPEG, TIFF... libraries its
core module links) would cost the tray process ~5 MiB for good, so a
short-lived helper process draws them all once per size into a cache file of
raw RGBA (the ``icons`` helper, ``necka_tray/children/helpers.py``: ``icons SIZE FILE``), keyed by Necka's
version (``necka_tray/store/icon_cache.py``); the tray reads one image from it
when the icon changes and blends it onto the tray's background itself
(``tray/icon_pixels.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from necka_tray.store.icon_cache import MAGIC, cache_file, keys, read  # noqa: F401  (the format; read by the tray)

def write(path: Path, size: int) -> None:
    """Draw every image at ``size`` and write the cache file (atomically, user-only)."""
    from necka_tray.store.fsutil import atomic_write
    from necka_tray.windows.icon import draw_icon

    parts = [MAGIC, size.to_bytes(2, "little")]
    parts += [draw_icon(step, due, paused, size=size).convert("RGBA").tobytes() for step, due, paused in keys()]
    Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write(Path(path), b"".join(parts))


def write_png(path: Path, size: int) -> None:
    import io

    from necka_tray.store.fsutil import atomic_write
    from necka_tray.windows.icon import draw_icon

    data = io.BytesIO()
    draw_icon(size=size).save(data, "PNG")
    atomic_write(Path(path), data.getvalue())  # user-only, like all of Necka's files


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
        print("usage: icons [png] SIZE FILE [SIZE FILE ...] (SIZE from 1 to 512)",
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
