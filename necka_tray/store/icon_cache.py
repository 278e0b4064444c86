"""The tray icon's bitmap cache file: written by the ``icons`` helper (``windows/icon_bitmaps.py``),
read by the xembed tray (``tray/xembed.py``). Neutral ground, so neither imports the other's folder.

Raw RGBA of every ``TrayView.icon_key`` at one size, after a magic and the size,
keyed by Necka's version in the file name. Stdlib only.
"""

from __future__ import annotations

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
