"""One thread owns the app's state; every other thread posts work to it.

Tray callbacks run on the toolkit's thread and APScheduler jobs on pool
threads. Rather than guard state with locks, they ``post`` a call, and the
owner thread runs calls one at a time, blocking on the queue while idle
(no polling, no wake-ups).
"""

from __future__ import annotations

import logging
import os
import queue
from typing import Any, Callable

logger = logging.getLogger(__name__)

_STOP = object()


class Dispatcher:
    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def post(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the owner thread (callable from any thread)."""
        self._queue.put((fn, args))

    def stop(self) -> None:
        """Make ``run`` return after the calls already posted."""
        self._queue.put(_STOP)

    def run(self) -> None:
        """Run posted calls until ``stop``; call on the owner thread only."""
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            fn, args = item
            try:
                fn(*args)
            except Exception:
                logger.exception("action=dispatch fn=%s failed", getattr(fn, "__qualname__", fn))
                if os.environ.get("NECKA_DEBUG") == "1":
                    raise
