"""Wayland (sway and other wlroots compositors, KWin): idle *notifications*, not queries.

Wayland has no "how long idle?" request. The compositor sends ``idled`` once
``timeout`` has passed without input and ``resumed`` at the next input
(``ext_idle_notifier_v1``, or KDE's ``org_kde_kwin_idle``, which sway 1.7 and
KWin offer). A thread of ``wayland_watch`` blocks on the Wayland socket and
records the two instants here; ``idle_seconds`` reads them (the timeout plus the
time since ``idled``, or 0 while input goes on): nothing wakes unless the user
stops or starts. The timeout is the shortest idle run Necka cares about
(``set_resolution``), so "0 while active" is never wrong by more than that.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Mapping

logger = logging.getLogger(__name__)

#: Before the app says otherwise: the typing lull (core/hold.py's LULL) is the shortest run that matters.
DEFAULT_TIMEOUT = 5.0
#: The compositor's timer granularity is milliseconds; below this the events would be mostly noise.
MIN_TIMEOUT = 0.5


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


class WaylandIdle:
    """The idle source; ``watch`` is the connection (``wayland_watch.Watch``, or a fake in tests)."""

    def __init__(self, open_watch: Callable[[IdleTimes], object], timeout: float = DEFAULT_TIMEOUT) -> None:
        self.times = IdleTimes(timeout)
        self._watch = open_watch(self.times)  # raises where the compositor offers no idle protocol
        self.name = f"wayland-{self._watch.protocol}"  # type: ignore[attr-defined]

    def idle_seconds(self) -> float | None:
        return self.times.idle_seconds()

    def set_resolution(self, seconds: float) -> None:
        """The shortest idle run that matters now (the app passes it from the settings and time scale)."""
        timeout = max(MIN_TIMEOUT, seconds)
        if abs(timeout - self.times.timeout) > 1e-3:
            logger.info("action=idle-timeout seconds=%.1f", timeout)
            self._watch.rearm(timeout)  # type: ignore[attr-defined]

    def close(self) -> None:
        self._watch.close()  # type: ignore[attr-defined]


def open_source(env: Mapping[str, str]) -> WaylandIdle | None:
    display = env.get("WAYLAND_DISPLAY")
    if not display:
        return None
    from necka_tray.desktop.idle.wayland_watch import Watch  # imports pywayland: Wayland sessions only

    return WaylandIdle(lambda times: Watch(display, times))
