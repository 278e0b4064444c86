"""Which speech engine this desktop has: the session window speaks through it, and the
tray's "Voice guidance" item says plainly when there is none. One ``which`` per engine."""

from __future__ import annotations

import functools
import shutil
import sys
from collections.abc import Callable

#: Engines by platform, in order of preference.
ENGINES = {"linux": ("spd-say", "espeak-ng"), "darwin": ("say",), "win32": ("powershell",)}


def find_engine(platform: str = sys.platform, which: Callable[[str], str | None] = shutil.which) -> str | None:
    """The first engine found on this platform, or None."""
    return next((e for e in ENGINES.get(platform, ()) if which(e)), None)


@functools.cache
def available() -> bool:
    """Whether this desktop can speak at all (asked once: the tray menu shows it on every redraw)."""
    return find_engine() is not None
