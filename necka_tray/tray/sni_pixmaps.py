"""The SNI item's icon pixels: ``IconPixmap`` from the same bitmap cache as the XEmbed icon.

The spec's pixmaps are ARGB32 in network byte order (bytes A, R, G, B), one
per size; hosts pick the size nearest their panel. The pixels come from the
cache files (``store/icon_cache.py``) that the ``icons`` helper process draws (so
Pillow never loads in the tray process), one file per size with every state;
one helper draws every missing size in one go. Converted pixmaps are kept
per icon state: a minute's refresh that does not move the ring costs nothing.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Callable

from necka_tray import APP_ID

logger = logging.getLogger(__name__)

SIZES = (16, 22, 24, 32, 48, 64)
Pixmap = tuple[int, int, bytes]


def argb32(rgba: bytes) -> bytes:
    """RGBA bytes (as the cache holds them) as the spec's ARGB32 in network byte order."""
    out = bytearray(len(rgba))
    out[0::4], out[1::4], out[2::4], out[3::4] = rgba[3::4], rgba[0::4], rgba[1::4], rgba[2::4]
    return bytes(out)


class Pixmaps:
    """``get(key)``: the pixmaps of one icon state, in every size drawn so far; missing sizes are
    drawn once by a helper process, after which ``on_ready`` is called (on a waiter thread)."""

    def __init__(self, cache_dir: Path, on_ready: Callable[[], None]) -> None:
        self._cache_dir = Path(cache_dir)
        self._on_ready = on_ready
        self._memo: dict[tuple, list[Pixmap]] = {}
        self._lock = threading.Lock()
        self._drawing = None

    def get(self, key: tuple) -> list[Pixmap]:
        from necka_tray.store import icon_cache

        key = tuple(key)
        with self._lock:
            if key in self._memo:
                return self._memo[key]
            found, missing = [], []
            for size in SIZES:
                rgba = icon_cache.read(icon_cache.cache_file(self._cache_dir, size), key, size)
                if rgba is None:
                    missing.append(size)
                else:
                    found.append((size, size, argb32(rgba)))
            if missing:
                self._draw(missing)
            else:
                if len(self._memo) >= 4:  # the current state and the few the icon moves between
                    self._memo.pop(next(iter(self._memo)))
                self._memo[key] = found
            return found

    def _draw(self, sizes: list[int]) -> None:
        if self._drawing is not None:
            return  # once: a helper that failed is not started again and again
        import subprocess

        from necka_tray.children import helpers
        from necka_tray.store import icon_cache

        args: list[str] = []
        for size in sizes:
            args += [str(size), str(icon_cache.cache_file(self._cache_dir, size))]
        command = helpers.command("icons", *args)  # the helper draws several sizes when given several pairs
        try:
            self._drawing = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        except OSError as exc:
            logger.error("Could not draw the tray icon (%s)", exc)
            self._drawing = False
            return

        def wait(proc=self._drawing) -> None:
            if proc.wait() == 0:
                self._on_ready()
            else:
                logger.warning("Could not draw the tray icon (the drawing helper exited with %s)", proc.returncode)

        threading.Thread(target=wait, name="icon-wait", daemon=True).start()


def installed_icons(env: dict = os.environ) -> str:
    """The ``icons`` folder holding Necka's hicolor icons when they are installed, else ''."""
    home = env.get("XDG_DATA_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".local/share")
    dirs = [home, *(env.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share").split(":")]
    for data in filter(None, dirs):
        hicolor = Path(data) / "icons" / "hicolor"
        try:
            if any(hicolor.glob(f"*/apps/{APP_ID}.*")):
                return str(hicolor.parent)
        except OSError:
            continue
    return ""
