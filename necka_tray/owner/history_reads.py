"""The tray's reads and writes of the history: on a thread of their own, and a failure never takes the tray down.

Every read (the day's roll-up, today's menu lines, what unlocks a routine) and
every write runs in order on one ``HistoryThread``, never on the state
owner's (dispatcher) thread: a history locked by another program for 25 s, a
full disk or a roll-up of two years of events delays only the menu's numbers,
never a command, a pause or a reminder. A read's result is handed back to the
dispatcher (``post``). Without a thread (``run_now``, the tests' default) the
same calls run at once.

A file that cannot be read is said once per file and kind of trouble
(``store/dbfile.py``, keyed like the history writer's own report), not at every
refresh; anything else is a bug and is logged with its traceback.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Callable

from necka_tray.store import dbfile
from necka_tray.texts.i18n import _

logger = logging.getLogger(__name__)

#: ``run(what, fn, *args, then=None)``: ``fn(*args)`` on the history thread, then ``then(result)`` on the dispatcher.
Run = Callable[..., None]


def run_now(what: str, fn: Callable[..., Any], *args: Any, then: Callable[[Any], None] | None = None,
            stats: Any = None) -> None:
    """The same as ``HistoryThread.run``, at once on the calling thread."""
    result = guarded(stats, what, fn, *args)
    if then is not None and result is not None:
        then(result)


class HistoryThread:
    """One thread that does the tray's history I/O, in the order it was asked for."""

    def __init__(self, post: Callable[..., None]) -> None:
        self._post = post
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="necka-history", daemon=True)
        self._thread.start()

    def run(self, what: str, fn: Callable[..., Any], *args: Any, then: Callable[[Any], None] | None = None,
            stats: Any = None) -> None:
        self._queue.put((what, fn, args, then, stats, None))

    def call(self, fn: Callable[..., Any], *args: Any, timeout: float) -> bool:
        """``fn(*args)`` on the thread, waiting at most ``timeout`` s for it (at quit); True when it ran."""
        done = threading.Event()
        self._queue.put(("call", fn, args, None, None, done))
        return done.wait(timeout)

    def stop(self) -> None:
        self._queue.put(None)

    def _loop(self) -> None:
        while (item := self._queue.get()) is not None:
            what, fn, args, then, stats, done = item
            try:
                result = guarded(stats, what, fn, *args)
                if then is not None and result is not None:
                    self._post(then, result)
            finally:
                if done is not None:
                    done.set()


def guarded(stats: Any, what: str, read: Callable[..., Any], *args: Any) -> Any:
    """``read(*args)``, or None when the history (``stats``) fails it."""
    try:
        return read(*args)
    except Exception as exc:
        failed(stats, what, exc)
        return None


def failed(stats: Any, what: str, exc: Exception) -> None:
    if dbfile.classify(exc) is None:
        logger.error("action=history-%s failed", what, exc_info=exc)
        return
    logger.debug("action=history-%s failed", what, exc_info=exc)
    path = getattr(stats, "path", None)
    if path is None:
        return  # a write: the writer said it (history_writer.report)
    dbfile.report(path, dbfile.classify(exc), _("Necka cannot read its history {path} ({error}); the day's "
                                                "numbers in the menu wait until it can.").format(path=path, error=exc))
