"""The desktop around Necka: idle time, do-not-disturb, notifications, start at login.

One small module per concern, with one interface per platform difference;
each is read only when the tray asks, never polled.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any, Callable, Iterable, Iterator, Mapping

logger = logging.getLogger(__name__)


def open_sources(package: str, names: Iterable[str], env: Mapping[str, str], what: str) -> Iterator[Any]:
    """Each ``necka_tray.desktop.<package>.<name>.open_source(env)`` that answers, in order, lazily.

    One way for idle, quiet and call sources: a probe that fails or returns None just
    means "not this one" (a debug line saying ``what`` source), never an error.
    """
    for name in names:
        try:
            source = importlib.import_module(f"{__name__}.{package}.{name}").open_source(env)
        except Exception as exc:
            logger.debug("%s source %s unavailable: %s", what, name, exc)
            continue
        if source is not None:
            yield source


class AnySource:
    """Several sources asked in order: the first answer that is true wins, a failing source says no."""

    what = "a"  # for the debug line: "quiet", "call"

    def __init__(self, sources: list[Any]) -> None:
        self.sources = sources
        self.name = "+".join(s.name for s in sources) or "none"

    def first(self, ask: Callable[[Any], Any]) -> Any:
        """The first true ``ask(source)``, or None."""
        for source in self.sources:
            try:
                answer = ask(source)
            except Exception:
                logger.debug("%s source %s failed", self.what, source.name, exc_info=True)
                continue
            if answer:
                return answer
        return None
