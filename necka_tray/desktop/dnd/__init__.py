"""Whether the user asked for quiet: a full-screen window (a presentation, a film, a game)
or the desktop's own do-not-disturb. One module per platform, each with
``open_source(env)`` returning an object whose ``quiet() -> bool`` is cheap;
called from the app's dispatcher thread only, when a reminder is due or waits.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Mapping, Protocol

from necka_tray.desktop import open_sources

logger = logging.getLogger(__name__)


class QuietSource(Protocol):
    name: str

    def quiet(self) -> bool: ...


class AnyQuiet:
    """Quiet when any of its sources says so (a failing source says no)."""

    def __init__(self, sources: list[QuietSource]) -> None:
        self.sources = sources
        self.name = "+".join(s.name for s in sources) or "none"

    def quiet(self) -> bool:
        for source in self.sources:
            try:
                if source.quiet():
                    return True
            except Exception:
                logger.debug("quiet source %s failed", source.name, exc_info=True)
        return False


def detect(env: Mapping[str, str] = os.environ, platform: str = sys.platform) -> AnyQuiet:
    if platform == "win32":
        names = ["windows"]
    elif platform == "darwin":
        names = []
    else:
        names = (["x11"] if env.get("DISPLAY") else []) + ["dunst"]
    return AnyQuiet(list(open_sources("dnd", names, env, "quiet")))
