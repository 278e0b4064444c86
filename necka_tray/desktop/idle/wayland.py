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
from typing import Callable, Mapping

from necka_tray.desktop.idle.wayland_times import IdleTimes

logger = logging.getLogger(__name__)

#: Before the app says otherwise: the typing lull (core/hold.py's LULL) is the shortest run that matters.
DEFAULT_TIMEOUT = 5.0
#: The compositor's timer granularity is milliseconds; below this the events would be mostly noise.
MIN_TIMEOUT = 0.5


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
