"""What the compositor's idle events said, shared by the idle source (``wayland``, which reads it)
and the connection's thread (``wayland_watch``, which writes it), so neither imports the other."""

from __future__ import annotations

import threading
import time
from typing import Callable


class IdleTimes:
    """What the events said, read on another thread (one reference swapped at a time, under a lock)."""

    def __init__(self, timeout: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.timeout = timeout
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._idle_since: float | None = None
        self.lost = False  # the connection ended: idle time is unknown from now on

    def idled(self) -> None:
        """No input for ``timeout`` (of the notification that just fired)."""
        with self._lock:
            since = self._monotonic() - self.timeout
            # A notification re-armed while idle starts counting anew; keep the earlier start.
            self._idle_since = since if self._idle_since is None else min(self._idle_since, since)

    def resumed(self) -> None:
        with self._lock:
            self._idle_since = None

    def rearmed(self, timeout: float) -> None:
        with self._lock:
            self.timeout = timeout

    def idle_seconds(self) -> float | None:
        with self._lock:
            if self.lost:
                return None
            if self._idle_since is None:
                return 0.0
            return max(0.0, self._monotonic() - self._idle_since)
